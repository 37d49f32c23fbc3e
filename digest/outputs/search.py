"""Client-side search: the ``/search/`` page and a sharded index the browser loads on demand.

Why not Pagefind: it indexes the finished HTML in output/, so inside our
staged build it would see only the changed files, and its fetch()+WASM
loader does not work from ``file://``. This index is built from the model
(title, summary, tags, source, body), needs no binary, and is made of plain
``<script>`` files, which browsers load from ``file://`` as well as over HTTP.

Layout under the search page's folder (every name but the page carries a
hash of its content, dot-separated like fingerprinted theme assets, so
browsers and publishers can cache files forever and an index from two
builds is never mixed):

- ``index.<hash>.js``: the manifest: stop words, which term shards exist,
  the document chunks. Small (a few dozen KB at 10,000 articles).
- ``t/<prefix>.<hash>.js``: the terms starting with a prefix and, per term,
  the ids of the articles that hold it in title/summary/tags ("strong") and
  only in the body ("weak"), delta-encoded. A prefix whose shard grows past
  ``SHARD_BYTES`` is split one character deeper, so shards stay small
  whatever the corpus. A query word loads only the shards of its prefix.
- ``d/<n>.<hash>.js``: ``CHUNK`` documents each (path, title, date, summary),
  fetched only for the results shown.

Ids count from the oldest article, so a new article changes only the last
document chunk and the shards of its own terms; unchanged shards keep their
names and bytes and are not rewritten.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from digest.sources.markup import cut
from digest.sources.searchterms import CJK_CHARS, MAX_TERM, MIN_TERM, STOP_WORDS, normalise, tokens  # noqa: F401
from digest.model.site import Article, search_terms
from digest.plan.pages import Planner

CHUNK = 50  # documents per document file
SHARD_BYTES = 24 * 1024  # split a term shard deeper past this size
MAX_PREFIX = 6
SUMMARY_CHARS = 180

@dataclass(frozen=True, slots=True)
class SearchFiles:
    manifest: str  # file name of the manifest, relative to the search folder
    files: dict[str, str]  # path relative to the search folder -> text


def _js(call: str, *args: object) -> str:
    body = ",".join(json.dumps(a, ensure_ascii=False, separators=(",", ":")) for a in args)
    body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")  # line ends to older JS parsers
    return f"digestSearch.{call}({body});\n"


def _named(stem: str, text: str) -> str:
    return f"{stem}.{hashlib.blake2b(text.encode('utf-8'), digest_size=5).hexdigest()}.js"


def _file_stem(prefix: str) -> str:
    # prefixes may be any script; file names must be URL-safe (tokens never hold '_')
    if not prefix:
        return "all"
    if re.fullmatch(r"[a-z0-9]+", prefix):
        return prefix
    return "_" + "_".join(f"{ord(c):x}" for c in prefix)


def _deltas(ids: list[int]) -> list[int]:
    return [ids[0]] + [b - a for a, b in zip(ids, ids[1:])] if ids else []


def _shards(
    entries: dict[str, str], prefix: str, out: dict[str, dict[str, str]]
) -> None:
    """Put ``entries`` (term -> encoded postings, all starting with ``prefix``) into shards."""
    size = sum(len(t) + len(v) + 4 for t, v in entries.items())
    if size <= SHARD_BYTES or len(prefix) >= MAX_PREFIX:
        out[prefix] = entries
        return
    here = {t: v for t, v in entries.items() if len(t) == len(prefix)}
    if here:
        out[prefix] = here
    deeper: dict[str, dict[str, str]] = defaultdict(dict)
    for term, value in entries.items():
        if len(term) > len(prefix):
            deeper[term[: len(prefix) + 1]][term] = value
    for child in sorted(deeper):
        _shards(deeper[child], child, out)


def build_search_index(articles: Sequence[Article]) -> SearchFiles:
    """The index files for ``articles`` (newest first, as the site holds them). Pure."""
    ordered = list(reversed(articles))  # id 0 is the oldest
    strong: dict[str, list[int]] = defaultdict(list)
    weak: dict[str, list[int]] = defaultdict(list)
    docs = []
    for doc_id, (article, terms) in enumerate(zip(ordered, search_terms(ordered))):
        source = article.source.name if article.source else ""
        heading = tokens(" ".join([article.title, article.summary, source, article.author, *(t.name for t in article.tags)]))
        body = set(terms.split()) - heading  # tokenised once per file, in the load workers
        for term in heading:
            strong[term].append(doc_id)
        for term in body:
            weak[term].append(doc_id)
        docs.append([article.target.lstrip("/"), article.title, article.date.strftime("%Y-%m-%d"), cut(article.summary, SUMMARY_CHARS)])

    postings = {
        term: json.dumps([_deltas(strong.get(term, [])), _deltas(weak.get(term, []))], separators=(",", ":"))
        for term in sorted(set(strong) | set(weak))
    }
    shards: dict[str, dict[str, str]] = {}
    _shards(postings, "", shards)  # a small site gets one shard; a big one splits by prefix as deep as needed

    files: dict[str, str] = {}
    term_files: dict[str, str] = {}
    for prefix, entries in sorted(shards.items()):
        # postings are already JSON: splice them in rather than parse and dump again
        table = "{" + ",".join(f"{json.dumps(t, ensure_ascii=False)}:{v}" for t, v in sorted(entries.items())) + "}"
        text = f"digestSearch.terms({json.dumps(prefix, ensure_ascii=False)},{table});\n"
        name = "t/" + _named(_file_stem(prefix), text)
        files[name] = text
        term_files[prefix] = name
    doc_files = []
    for number, start in enumerate(range(0, len(docs), CHUNK)):
        text = _js("docs", number, docs[start : start + CHUNK])
        name = "d/" + _named(str(number), text)
        files[name] = text
        doc_files.append(name)
    manifest = _js("index", {
        "version": 1, "count": len(docs), "chunk": CHUNK, "min": MIN_TERM, "cjk": CJK_CHARS,
        "stop": sorted(STOP_WORDS), "terms": term_files, "docs": doc_files,
    })
    manifest_name = _named("index", manifest)
    files[manifest_name] = manifest
    return SearchFiles(manifest_name, files)


@dataclass(frozen=True, slots=True)
class SearchInfo:
    """The ``search`` of the search page: where its index starts."""

    index: str  # site path of the manifest script
    count: int  # articles indexed


@functools.cache
def _code_hash() -> str:
    # the memo must not outlive a change to how the index is made, even within one version
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def index_inputs(articles: Sequence[Article]) -> str:
    """A hash of everything the index files are made from: the key of each article (its file and render
    settings) and its header (URL, title, date, summary, tags, source, ...), in order, and this code."""
    parts = [_code_hash(), str(CHUNK), str(SHARD_BYTES), str(MAX_PREFIX)]
    parts += [f"{a.key}:{a.header}" for a in articles]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


def plan_search(planner: Planner) -> None:
    """The search page and its index files. Tokenising every article costs seconds at 10,000 articles,
    so the names of the files (hashes of their content) are kept in the build cache under a hash of
    the inputs: a build that changes no article plans the index without making it."""
    config, articles = planner.config, planner.site.articles
    if not config.search.enabled:
        return
    folder = config.search.url
    key = index_inputs(articles)
    remembered = planner.memo.get_memo("search", key) if planner.memo is not None else None
    if remembered is not None:
        layout = json.loads(remembered)
        manifest, names = layout["manifest"], layout["files"]

        @functools.cache
        def files() -> dict[str, str]:  # only if a file must be written after all (say, deleted from output/)
            return build_search_index(articles).files

        def produce(rel: str) -> str:
            return files()[rel]
    else:
        built = build_search_index(articles)
        manifest, names = built.manifest, sorted(built.files)
        if planner.memo is not None:
            planner.memo.put_memo("search", key, json.dumps({"manifest": manifest, "files": names}))

        def produce(rel: str) -> str:
            return built.files[rel]

    for rel in names:
        planner.add(
            url=folder + rel, kind="search-index", title="Search index", template=None, origin="the search index",
            inputs=(rel,), produce=functools.partial(produce, rel),  # the name holds the content's hash
        )
    info = SearchInfo(folder + manifest, len(articles))
    planner.add(
        url=folder, kind="search", title=planner.messages.gettext("Search"), template="search.html",
        origin="the search page", inputs=(info.index, info.count),
        description=planner.counted("Search the %(num)s article of %(title)s", "Search the %(num)s articles of %(title)s",
                                  info.count, title=config.title),
        search=info,
    )
