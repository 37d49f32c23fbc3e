"""The loaded article: the model's input, one per article file."""

from __future__ import annotations

from dataclasses import dataclass

from digest.sources.frontmatter import SourceArticle
from digest.sources.records import Record, decode_source, encode


@dataclass(frozen=True, slots=True)
class LoadedArticle:
    """A parsed article with its rendered body and note."""

    source: SourceArticle
    html: str
    toc: str
    auto_summary: str
    note_html: str
    key: str  # cache key: changes whenever the file or the render settings change
    terms: str = ""  # the body's search terms, sorted and space-separated (see searchterms.body_terms)

    def to_record(self) -> Record:
        return encode(self.key, self.source, self.html, self.toc, self.auto_summary, self.note_html, self.terms)

    @classmethod
    def from_record(cls, record: Record) -> LoadedArticle:
        key, meta, html, toc, auto_summary, note_html, terms = record
        return cls(decode_source(meta), html, toc, auto_summary, note_html, key, terms)
