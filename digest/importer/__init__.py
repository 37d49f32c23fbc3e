"""The pure core of ``digest import``: clippings and saved pages into content files.

Everything here takes text and returns values, except :mod:`.writer`'s
``write_new_file``. The CLI reads the input (bytes) and calls, in order::

    text = decode_input(data, name)
    item = parse_clipping(text, tz, today)          # or html_page.parse_html_page(text, tz, today, url=...)
    dupes = find_duplicates(item, existing)         # refuse or ask when not empty
    tags = map_tags(item.tags, site_tags).existing  # the page's keywords naming site tags
    suggested = suggest_tags(f"{item.title}\\n{item.summary}\\n{item.body}", site_tags)
    path = article_path(content_dir, item)
    write_new_file(path, render_article_file(item, tags=tags, via=via, draft=True), content_dir=content_dir)

and prints ``item.warnings``. Whole-page browser copies are cut to the article
inside ``parse_clipping`` (:mod:`.page_copy`); feeds are :mod:`.feed`. Pages
need lxml and trafilatura (the ``import`` extra), so
``digest.importer.html_page`` is not imported here: take ``parse_html_page``
from it when the input is HTML.
"""

from __future__ import annotations

from digest.importer.clipping import parse_clipping
from digest.importer.dates import find_date_line, parse_news_date
from digest.importer.decode import decode_input
from digest.importer.duplicates import Duplicate, ExistingArticle, find_duplicates
from digest.importer.model import Imported
from digest.importer.suggest import TagMatch, map_tags, suggest_tags, tag_key
from digest.rules.sourceurls import normalize_source_url
from digest.importer.writer import article_path, render_article_file, write_new_file

__all__ = [
    "Duplicate",
    "ExistingArticle",
    "Imported",
    "TagMatch",
    "article_path",
    "decode_input",
    "find_date_line",
    "find_duplicates",
    "map_tags",
    "normalize_source_url",
    "parse_clipping",
    "parse_news_date",
    "render_article_file",
    "suggest_tags",
    "tag_key",
    "write_new_file",
]
