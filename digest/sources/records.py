"""The flat record a loaded article is stored and sent as: what the workers send back and the cache keeps.

Metadata travels as JSON (never pickle: the cache outlives the code that wrote it); the big
HTML strings travel as they are. ``encode`` and ``decode_source`` are exact inverses for
everything later stages read (the Markdown source itself is not kept).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from digest.sources.frontmatter import SourceArticle, SourceInfo

Record = tuple[str, str, str, str, str, str, str]  # key, metadata JSON, html, toc, auto summary, note html, terms


def encode(
    key: str, article: SourceArticle, html: str, toc: str, auto_summary: str, note_html: str, terms: str
) -> Record:
    data = asdict(article)
    data["body"] = ""  # later stages need the rendered HTML only; keep the cache small
    meta = json.dumps(data, default=_json_default, ensure_ascii=False)
    return (key, meta, html, toc, auto_summary, note_html, terms)


def decode_source(meta: str) -> SourceArticle:
    src = json.loads(meta)
    source = src["source"]
    return SourceArticle(
        path=src["path"],
        rel=src["rel"],
        title=src["title"],
        date=datetime.fromisoformat(src["date"]),
        tags=tuple(src["tags"]),
        summary=src["summary"],
        source=None
        if source is None
        else SourceInfo(
            name=source["name"],
            url=source["url"],
            published=datetime.fromisoformat(source["published"]) if source["published"] else None,
        ),
        author=src["author"],
        slug=src["slug"],
        draft=src["draft"],
        updated=datetime.fromisoformat(src["updated"]) if src["updated"] else None,
        image=src["image"],
        note=src["note"],
        via=src["via"],
        extra=src["extra"],
        body="",
        body_line=src["body_line"],
        image_alt=src.get("image_alt", ""),
        has_body=src.get("has_body", True),
        note_chars=src.get("note_chars", 0),
        lang=src.get("lang", ""),
        translation_key=src.get("translation_key", ""),
    )


def lean(record: Record) -> Record:
    """The record without its bodies and their search terms (they stay in the cache, read back by key)."""
    key, meta, _html, _toc, summary, _note, _terms = record
    return (key, meta, "", "", summary, "", "")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in the cache")
