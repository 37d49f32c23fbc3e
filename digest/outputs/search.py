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
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from digest.model.site import Article, StoredBody
from digest.outputs import search_index
from digest.outputs.search_index import IndexState, document
from digest.plan.pages import Planner
from digest.sources.searchterms import CJK_CHARS, MIN_TERM, STOP_WORDS
from digest.workers import apart

STATE = "search-index"  # the memo blob of the last build's ``IndexState``

@dataclass(frozen=True, slots=True)
class SearchFiles:
    manifest: str  # file name of the manifest, relative to the search folder
    files: dict[str, str]  # path relative to the search folder -> text, of the files made this time
    names: list[str]  # every file of the index, sorted (those not made this time are unchanged)


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


def _doc_chunk(ordered: Sequence[Article], number: int) -> str:
    """Document file ``number``: what results show of ``CHUNK`` articles, by id."""
    start = number * search_index.CHUNK
    return _js("docs", number, [document(a) for a in ordered[start : start + search_index.CHUNK]])


def build_search_index(articles: Sequence[Article]) -> SearchFiles:
    """Every file of the index for ``articles`` (newest first, as the site holds them), made whole."""
    return _whole_index(articles)[0]


@dataclass(frozen=True, slots=True)
class PackedFiles:
    """``SearchFiles`` with each made file's text zlib-compressed (a third of the size, held until written)."""

    manifest: str
    files: dict[str, bytes]
    names: list[str]
    state: bytes  # the ``IndexState`` to keep for the next build


def make_index(articles: Sequence[Article], kept: bytes | None, *, in_child: bool = False) -> PackedFiles:
    """The index files for ``articles`` (newest first) and the state to keep. Patched from the last build's
    ``kept`` state where it can be: only the files holding a changed article's terms or document are made,
    the others keep their names (a few shards, made in process). Otherwise made whole, in a child process
    with ``in_child``: its postings (tens of MB at 10,000 articles) never enter this process's heap.
    Either way the files are those a whole make writes."""
    patched = _patched_index(articles, kept)
    if patched is not None:
        return _pack(patched)
    whole = functools.partial(_packed_whole, articles)
    return apart(whole) if in_child else whole()


def _pack(made: tuple[SearchFiles, bytes]) -> PackedFiles:
    built, state = made
    packed = {rel: zlib.compress(text.encode("utf-8"), 1) for rel, text in built.files.items()}
    return PackedFiles(built.manifest, packed, built.names, state)


def _packed_whole(articles: Sequence[Article]) -> PackedFiles:
    return _pack(_whole_index(articles))


def _patched_index(articles: Sequence[Article], kept: bytes | None) -> tuple[SearchFiles, bytes] | None:
    """The index patched from the ``kept`` state: ``None`` without one, when an id shifted or too much changed."""
    ordered = list(reversed(articles))  # id 0 is the oldest: a new article only appends
    state = IndexState.loads(kept, index_version())
    store = next((a.body.store for a in ordered if isinstance(a.body, StoredBody)), None)
    patched = state.patch(ordered, store.terms) if state is not None and store is not None else None
    if state is None or patched is None:
        return None
    return _index_files(ordered, state, patched)


def _whole_index(articles: Sequence[Article]) -> tuple[SearchFiles, bytes]:
    """The index made from every article's terms."""
    ordered = list(reversed(articles))
    return _index_files(ordered, IndexState.build(index_version(), ordered), None)


def _index_files(
    ordered: Sequence[Article], state: IndexState, patched: tuple[set[str], set[int]] | None
) -> tuple[SearchFiles, bytes]:
    """The files of ``state`` (oldest article first); with ``patched`` (the changed terms and document
    chunks), only those holding a change are made, the others keep their names."""
    old = state.names if patched is not None else {}
    terms, chunks = patched if patched is not None else (set(), set())
    touched = {t[:n] for t in terms for n in range(min(len(t), search_index.MAX_PREFIX) + 1)}  # prefixes of changed terms

    files: dict[str, str] = {}
    names: dict[str, str] = {}

    def keep_or_make(slot: str, clean: bool, stem: str, make: Callable[[], str]) -> str:
        name = old.get(slot) if clean else None
        if name is None:
            text = make()
            name = _named(stem, text)
            files[name] = text
        names[slot] = name
        return name

    term_files: dict[str, str] = {}
    for shard in state.layout():
        prefix, kind, _lo, _hi = shard
        clean = (prefix not in terms) if kind == "here" else (prefix not in touched)
        term_files[prefix] = keep_or_make(f"t:{prefix}:{kind}", clean, "t/" + _file_stem(prefix),
                                          functools.partial(state.shard_text, shard))
    doc_files = [
        keep_or_make(f"d:{number}", number not in chunks, f"d/{number}", functools.partial(_doc_chunk, ordered, number))
        for number in range(-(-len(ordered) // search_index.CHUNK))
    ]
    manifest = _js("index", {
        "version": 1, "count": len(ordered), "chunk": search_index.CHUNK, "min": MIN_TERM, "cjk": CJK_CHARS,
        "stop": sorted(STOP_WORDS), "terms": term_files, "docs": doc_files,
    })
    manifest_name = _named("index", manifest)
    files[manifest_name] = manifest
    state.names = names
    return SearchFiles(manifest_name, files, sorted([*names.values(), manifest_name])), state.dumps()


@dataclass(frozen=True, slots=True)
class SearchInfo:
    """The ``search`` of the search page: where its index starts."""

    index: str  # site path of the manifest script
    count: int  # articles indexed


@functools.cache
def _code_hash() -> str:
    # the memo must not outlive a change to how the index is made, even within one version
    return hashlib.sha256(Path(__file__).read_bytes() + Path(search_index.__file__).read_bytes()).hexdigest()


def index_version() -> str:
    """The code and settings the index is made by: an ``IndexState`` of another version is never patched."""
    return f"{_code_hash()}:{search_index.CHUNK}:{search_index.SHARD_BYTES}:{search_index.MAX_PREFIX}"


def index_inputs(articles: Sequence[Article]) -> str:
    """A hash of everything the index files are made from: the key of each article (its file and render
    settings) and its header (URL, title, date, summary, tags, source, ...), in order, and this code."""
    parts = [index_version(), *(f"{a.key}:{a.header}" for a in articles)]
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

    @functools.cache
    def every_file() -> dict[str, str]:  # a file not made this time, but deleted from output/ since
        return build_search_index(articles).files

    made: dict[str, bytes] = {}
    if remembered is not None:
        layout = json.loads(remembered)
        manifest, names = layout["manifest"], layout["files"]
    else:
        kept = planner.memo.get_blob(STATE) if planner.memo is not None else None
        packed = make_index(articles, kept, in_child=planner.apart)  # apart: render workers are forked next
        manifest, names, made = packed.manifest, packed.names, packed.files
        if planner.memo is not None:
            planner.memo.put_blob(STATE, packed.state)
            planner.memo.put_memo("search", key, json.dumps({"manifest": manifest, "files": names}))

    def produce(rel: str) -> str:
        return zlib.decompress(made[rel]).decode("utf-8") if rel in made else every_file()[rel]

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
