"""The search index's data: which articles hold each term, and which shard file holds each term.

A cold build makes it from every article (``IndexState.build``). The next build that changes a few
articles patches it instead (``IndexState.patch``): it takes the changed articles' terms out of
and into the postings, lays the shards out again over the sorted terms (a walk of a few hundred
nodes, each sized by a prefix sum), and re-makes only the shards that hold a changed term and the
document chunks that hold a changed article. The layout is a function of the postings alone, so a
patched index is byte for byte the index a cold build makes: ``tests/test_search_incremental.py``
holds it to that.

The state is kept in the build cache between builds as ``marshal`` bytes behind a checksum: plain
lists and strings (never code), refused whole when the checksum, the version or a type is wrong.
It holds no body terms: those of a changed article's old version are read back from the build
cache by its old key (a build prunes the cache only once it is done), which keeps the state at
a third of its size (9 MB at 10,000 articles, read and written in tens of milliseconds).
"""

from __future__ import annotations

import bisect
import json
import marshal
import zlib
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Callable, Iterable, Mapping, Sequence

from digest.model.site import Article, search_terms
from digest.sources.markup import cut
from digest.sources.searchterms import tokens

CHUNK = 50  # documents per document file
SHARD_BYTES = 24 * 1024  # split a term shard deeper past this size
MAX_PREFIX = 6
SUMMARY_CHARS = 180
PATCH_AT_MOST = 0.05  # share of the articles a patch may touch; past it a cold make is as cheap
TERMS_BATCH = 500  # articles whose body terms a cold make reads back from the cache at once

Shard = tuple[str, str, int, int]  # prefix, "all" (every term under the prefix) or "here" (the prefix itself), range


@dataclass(slots=True)
class IndexState:
    """Everything the index files are made from, by document id (0 is the oldest article)."""

    version: str  # the code and the settings that made it: another version is never patched
    sigs: list[str]  # per document: its article's key and header (what the document and terms follow)
    strong: list[str]  # per document: its terms in title, summary, source, author, tags (space-joined)
    terms: list[str]  # every term, sorted
    values: list[str]  # per term: its postings as JSON, [strong ids, weak ids], each delta-encoded
    names: dict[str, str] = field(default_factory=dict)  # "t:<prefix>:<kind>" or "d:<n>" -> file name

    # ------------------------------------------------------------ making and patching

    @classmethod
    def build(cls, version: str, ordered: Sequence[Article]) -> IndexState:
        """The state of ``ordered`` (oldest first), from every article's terms (fed to the postings as
        sets: at 100,000 articles, sorting and joining each body's terms was seconds of a cold build)."""
        strong: list[str] = []
        held: dict[str, tuple[list[int], list[int]]] = {}
        for doc_id, (article, found) in enumerate(_terms_in_batches(ordered)):
            heading = _heading_terms(article)
            strong.append(" ".join(sorted(heading)))
            for slot, words in ((0, heading), (1, set(found.split()) - heading)):
                for word in words:
                    entry = held.get(word)
                    if entry is None:
                        entry = held[word] = ([], [])
                    entry[slot].append(doc_id)
        terms = sorted(held)
        return cls(version, [_sig(a) for a in ordered], strong, terms, [_encode(*held[t]) for t in terms])

    def patch(
        self, ordered: Sequence[Article], old_bodies: Callable[[list[str]], Mapping[str, str]]
    ) -> tuple[set[str], set[int]] | None:
        """Make this the state of ``ordered``; the terms whose postings changed and the chunks whose
        documents did. ``old_bodies``: the body terms of articles by key (``LookupError`` for one it
        lost). An article that came or went in the middle shifts every id after it: see ``_renumber``.
        ``None`` (and nothing changed) when more than ``PATCH_AT_MOST`` of the articles differ or an old
        body is lost."""
        sigs = [_sig(a) for a in ordered]
        old_n, new_n = len(self.sigs), len(sigs)
        changed = [i for i in range(max(old_n, new_n)) if i >= old_n or i >= new_n or self.sigs[i] != sigs[i]]
        if len(changed) > max(8, PATCH_AT_MOST * new_n):
            return self._renumber(ordered, sigs)
        old_keys = {i: self.sigs[i].split(":", 1)[0] for i in changed if i < old_n}  # a sig is "key:header"
        try:
            found = old_bodies(list(old_keys.values()))
            old_weak = {i: set(found[key].split()) - set(self.strong[i].split()) for i, key in old_keys.items()}
        except LookupError:
            return None
        fresh = [i for i in changed if i < new_n]
        made = dict(zip(fresh, (_doc_terms(ordered[i], t) for i, t in
                                zip(fresh, search_terms([ordered[i] for i in fresh])))))
        # term -> ([strong ids added], [strong ids gone], [weak ids added], [weak ids gone])
        edits: dict[str, tuple[list[int], list[int], list[int], list[int]]] = {}

        def note(words: Iterable[str], doc: int, slot: int) -> None:
            for word in words:
                edits.setdefault(word, ([], [], [], []))[slot].append(doc)

        for i in changed:
            old = (set(self.strong[i].split()), old_weak[i]) if i < old_n else (set(), set())
            new = (set(made[i][0].split()), set(made[i][1].split())) if i < new_n else (set(), set())
            note(new[0] - old[0], i, 0)
            note(old[0] - new[0], i, 1)
            note(new[1] - old[1], i, 2)
            note(old[1] - new[1], i, 3)
        for word, (add_s, gone_s, add_w, gone_w) in edits.items():
            at = bisect.bisect_left(self.terms, word)
            present = at < len(self.terms) and self.terms[at] == word
            strong, weak = _undelta_pair(self.values[at]) if present else ([], [])
            strong = sorted(set(strong).difference(gone_s).union(add_s))
            weak = sorted(set(weak).difference(gone_w).union(add_w))
            if strong or weak:
                value = _encode(strong, weak)
                if present:
                    self.values[at] = value
                else:
                    self.terms.insert(at, word)
                    self.values.insert(at, value)
            elif present:
                del self.terms[at], self.values[at]
        for i in fresh:
            if i < old_n:
                self.strong[i] = made[i][0]
            else:
                self.strong.append(made[i][0])
        del self.strong[new_n:]
        self.sigs = sigs
        return set(edits), {i // CHUNK for i in changed}

    def _renumber(self, ordered: Sequence[Article], sigs: list[str]) -> tuple[set[str], set[int]] | None:
        """``patch`` when articles came or went in the middle of the order, so every id after them moved.
        The documents that stayed keep their terms under their new ids (no body is read back), those
        gone drop out of every posting, and only the new ones are tokenised. ``None`` when more than
        ``PATCH_AT_MOST`` of the documents came or went, or the ones that stayed changed their order."""
        old_n, new_n = len(self.sigs), len(sigs)
        where = {sig: i for i, sig in enumerate(self.sigs)}
        if len(where) != old_n:
            return None
        remap = [-1] * old_n  # old id -> new id, or -1 when the document is gone (or changed)
        old_of = [-1] * new_n
        added: list[int] = []
        for j, sig in enumerate(sigs):
            i = where.pop(sig, None)
            if i is None:
                added.append(j)
            else:
                remap[i], old_of[j] = j, i
        if len(added) + len(where) > max(8, PATCH_AT_MOST * new_n):
            return None
        kept = [j for j in remap if j >= 0]
        if any(a >= b for a, b in zip(kept, kept[1:])):  # mapped postings must stay sorted
            return None
        made = dict(zip(added, (_doc_terms(ordered[j], t) for j, t in
                                zip(added, search_terms([ordered[j] for j in added])))))
        more: dict[str, tuple[list[int], list[int]]] = {}  # term -> the new documents' (strong, weak) ids
        for j in added:  # ascending: each list stays sorted
            for slot, words in enumerate(made[j]):
                for word in words.split():
                    more.setdefault(word, ([], []))[slot].append(j)
        touched: set[str] = set()
        pairs: list[tuple[str, str]] = []
        for term, value in zip(self.terms, self.values):
            strong, weak = _undelta_pair(value)
            strong = [remap[i] for i in strong if remap[i] >= 0]
            weak = [remap[i] for i in weak if remap[i] >= 0]
            extra = more.pop(term, None)
            if extra is not None:
                strong, weak = sorted(strong + extra[0]), sorted(weak + extra[1])
            if not strong and not weak:
                touched.add(term)
                continue
            encoded = _encode(strong, weak)
            if encoded != value:
                touched.add(term)
            pairs.append((term, encoded))
        if more:  # words no document had
            touched.update(more)
            pairs = sorted([*pairs, *((term, _encode(*ids)) for term, ids in more.items())])
        self.terms = [t for t, _ in pairs]
        self.values = [v for _, v in pairs]
        self.strong = [made[j][0] if old_of[j] < 0 else self.strong[old_of[j]] for j in range(new_n)]
        self.sigs = sigs
        return touched, {j // CHUNK for j in range(max(old_n, new_n)) if j >= new_n or old_of[j] != j}

    # ------------------------------------------------------------ the files

    def layout(self) -> list[Shard]:
        """The term shards: a prefix whose terms pass ``SHARD_BYTES`` is split one character deeper
        (its own term, if it is one, stays in a shard of its own), down to ``MAX_PREFIX``."""
        terms = self.terms
        total = list(accumulate((len(t) + len(v) + 4 for t, v in zip(terms, self.values)), initial=0))
        out: list[Shard] = []

        def visit(prefix: str, lo: int, hi: int) -> None:
            if total[hi] - total[lo] <= SHARD_BYTES or len(prefix) >= MAX_PREFIX:
                out.append((prefix, "all", lo, hi))
                return
            start = lo
            if terms[start] == prefix:  # the prefix itself sorts first
                out.append((prefix, "here", start, start + 1))
                start += 1
            depth = len(prefix) + 1
            while start < hi:
                child = terms[start][:depth]
                last = ord(child[-1])
                end = hi if last == 0x10FFFF else bisect.bisect_left(terms, child[:-1] + chr(last + 1), start, hi)
                visit(child, start, end)
                start = end

        if terms:
            visit("", 0, len(terms))
        return sorted(out)

    def shard_text(self, shard: Shard) -> str:
        prefix, _kind, lo, hi = shard
        # postings are already JSON: spliced in rather than parsed and dumped again
        table = ",".join(f"{json.dumps(t, ensure_ascii=False)}:{v}" for t, v in zip(self.terms[lo:hi], self.values[lo:hi]))
        return f"digestSearch.terms({json.dumps(prefix, ensure_ascii=False)},{{{table}}});\n"

    # ------------------------------------------------------------ kept between builds

    def dumps(self) -> bytes:
        body = marshal.dumps((self.version, self.sigs, self.strong, self.terms, self.values, self.names))
        return zlib.crc32(body).to_bytes(4, "big") + body  # damage, not malice: the cache is the user's own

    @classmethod
    def loads(cls, data: bytes | None, version: str) -> IndexState | None:
        """The state ``dumps`` wrote, or None if it is damaged or from another version."""
        if not data or len(data) < 4 or zlib.crc32(data[4:]).to_bytes(4, "big") != data[:4]:
            return None
        try:
            found = marshal.loads(data[4:])
        except (EOFError, ValueError, TypeError):
            return None
        if not (isinstance(found, tuple) and len(found) == 6 and found[0] == version):
            return None
        _version, sigs, strong, terms, values, names = found
        lists = (sigs, strong, terms, values)
        if not (all(isinstance(x, list) for x in lists) and isinstance(names, dict)
                and len(sigs) == len(strong) and len(terms) == len(values)):
            return None
        return cls(version, sigs, strong, terms, values, names)


def _terms_in_batches(ordered: Sequence[Article]) -> Iterable[tuple[Article, str]]:
    """Each article with its body terms, read back from the cache ``TERMS_BATCH`` articles at a time: at
    10,000 articles every body's terms at once are tens of MiB the parent would hold while it makes the index."""
    for start in range(0, len(ordered), TERMS_BATCH):
        batch = ordered[start : start + TERMS_BATCH]
        yield from zip(batch, search_terms(batch))


def document(article: Article) -> list[str]:
    """What a result shows of an article: its path, title, date and the start of its summary."""
    return [article.target.lstrip("/"), article.title, article.date.strftime("%Y-%m-%d"), cut(article.summary, SUMMARY_CHARS)]


def _sig(article: Article) -> str:
    return f"{article.key}:{article.header}"


def _heading_terms(article: Article) -> set[str]:
    """The terms of what a result shows and ranks first: title, summary, source, author, tags."""
    source = article.source.name if article.source else ""
    return tokens(" ".join([article.title, article.summary, source, article.author, *(t.name for t in article.tags)]))


def _doc_terms(article: Article, body_terms: str) -> tuple[str, str]:
    """(heading terms, body-only terms) of one article, each sorted and space-joined."""
    heading = _heading_terms(article)
    body = set(body_terms.split()) - heading  # tokenised once per file, in the load workers
    return " ".join(sorted(heading)), " ".join(sorted(body))


def _encode(strong: list[int], weak: list[int]) -> str:
    return json.dumps([_deltas(strong), _deltas(weak)], separators=(",", ":"))


def _deltas(ids: list[int]) -> list[int]:
    return [ids[0]] + [b - a for a, b in zip(ids, ids[1:])] if ids else []


def _undelta_pair(value: str) -> tuple[list[int], list[int]]:
    strong, weak = json.loads(value)
    return list(accumulate(strong)), list(accumulate(weak))
