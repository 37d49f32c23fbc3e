"""``digest check`` for editions: front matter that names no edition or section, and edition files that match nothing.

- error: ``edition:`` that is not a number, or (manual cadence) names an edition with no file
  ``content/editions/<n>.md``; ``section:`` not in ``editions.sections``; a broken edition file;
- warning: an article dated before edition 1; an edition file whose edition has no article;
  ``section:`` on a site without sections;
- info: an edition file for a period still to come.
"""

from __future__ import annotations

import difflib
from datetime import date, datetime
from pathlib import Path
from typing import Sequence

from digest.commands.check import ERROR, INFO, WARNING, CheckedArticle, Finding
from digest.model.site import Site
from digest.config import CONFIG_NAME, SiteConfig
from digest.errors import BuildFailed
from digest.model.editions import Calendar, build_editions, edition_number
from digest.sources.editions import load_edition_notes


def check_editions(
    site_dir: Path, config: SiteConfig, articles: Sequence[CheckedArticle], site: Site | None, now: datetime,
) -> list[Finding]:
    """``site``: the model the pipeline made (None when it failed; check_articles says why)."""
    cfg = config.editions
    if not cfg.enabled:
        return []
    try:
        notes = load_edition_notes(site_dir, config)
    except BuildFailed as exc:
        return [Finding.from_problem(p) for p in exc.problems]
    findings: list[Finding] = []
    sections = {s.casefold(): s for s in cfg.sections}
    for article in articles:
        if "edition" in article.meta and edition_number(article.meta["edition"]) is None:
            findings.append(Finding(article.path, article.key_line("edition"), ERROR,
                                    f"'edition' must be an edition's number, like 'edition: 12', not"
                                    f" {article.meta['edition']!r}"))
        section = article.meta.get("section")
        if section is None:
            continue
        if not cfg.sections:
            findings.append(Finding(article.path, article.key_line("section"), WARNING,
                                    f"'section: {section}' but editions.sections lists none: add them to digest.yaml"
                                    " or remove the line"))
        elif not isinstance(section, str) or section.strip().casefold() not in sections:
            close = difflib.get_close_matches(str(section), list(cfg.sections), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(cfg.sections)}"
            findings.append(Finding(article.path, article.key_line("section"), ERROR,
                                    f"section '{section}' is not in editions.sections (it would go under"
                                    f" '{cfg.other}'): {hint}"))
    if site is None:
        return findings  # check_articles reports why
    editions = build_editions(site.articles, config, notes, now)
    lines = {a.path: a for a in articles}
    known = ", ".join(str(n.number) for n in notes) or "none"
    for index, number in editions.unknown_numbers.items():
        path = site.articles[index].path
        findings.append(Finding(path, lines[path].key_line("edition") if path in lines else None, ERROR,
                                f"edition {number} does not exist: create content/editions/{number}.md or fix the"
                                f" number (editions: {known})"))
    for early in editions.before_start:
        findings.append(Finding(early.path, None, WARNING,
                                f"dated {early.date:%Y-%m-%d}, before edition 1 (editions.start: {cfg.start}): it is"
                                " in no edition; give it 'edition: N' to place it"))
    calendar = Calendar(cfg) if cfg.cadence != "manual" else None
    today = now.astimezone(config.tz).date()
    for note in notes:
        if note.number in editions.by_number:
            continue
        if calendar is None:
            findings.append(Finding(note.path, 1, WARNING,
                                    f"edition {note.number} is empty: no article has 'edition: {note.number}'"))
            continue
        start, end = calendar.bounds(note.number)
        if start > today:
            findings.append(Finding(note.path, 1, INFO, f"edition {note.number} begins on {start}: its articles are"
                                                        " still to come"))
        else:
            findings.append(Finding(note.path, 1, WARNING,
                                    f"this file matches no edition: no article is dated {_span(start, end)} or has"
                                    f" 'edition: {note.number}'; rename it to the edition's number or delete it"))
    if not editions.items and not findings:
        findings.append(Finding(CONFIG_NAME, None, INFO, "editions are on, but no article is in an edition yet"))
    return findings


def _span(start: date, end: date) -> str:
    return str(start) if start == end else f"{start} to {end}"
