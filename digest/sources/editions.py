"""The files of ``content/editions/``: an edition's own page text (``<n>.md``) and the record of sent editions.

With editions on, ``content/editions/<n>.md`` is not an article: its front matter may
give the edition a ``title`` and a ``published`` date-time (when the edition is finished),
and its Markdown body is the edition's introduction. ``content/editions/sent.yaml`` is
written by ``digest edition send``. Neither is copied into the output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from digest.config import SiteConfig
from digest.errors import BuildFailed, DigestError, Problem
from digest.rules.dates import BadDate, parse_date_value
from digest.rules.yamlload import YamlProblem, load_yaml_document
from digest.sources.frontmatter import check_bytes, normalise_text, split_front_matter
from digest.sources.markup import MarkdownRenderer

EDITIONS_DIR = "editions"
SENT_FILE = "sent.yaml"
_NOTE_RE = re.compile(r"^editions/([^/]+)\.(?:md|markdown)$")
_NOTE_KEYS = ("title", "published")


@dataclass(frozen=True, slots=True)
class EditionNote:
    """``content/editions/<number>.md``: what the curator wrote for one edition."""

    number: int
    path: str  # site-relative, for messages
    title: str  # empty: the title pattern of the config
    published: datetime | None  # when the edition is finished (default: the end of its period)
    intro_html: str  # rendered and sanitised like an article body
    text: str = ""  # the file's text, for line numbers in ``digest check``


def is_edition_file(rel: str, config: SiteConfig) -> bool:
    """True for a content-relative path that belongs to the editions, not to articles or assets."""
    if not config.editions.enabled:
        return False
    return bool(_NOTE_RE.match(rel)) or rel == f"{EDITIONS_DIR}/{SENT_FILE}"


def parse_note(path: str, name: str, text: str, tz: tzinfo, renderer: MarkdownRenderer, summary_length: int) -> EditionNote:
    """One edition file's text; ``DigestError`` names the line of a problem."""
    if not name.isdigit() or int(name) < 1:
        raise DigestError(f"an edition's file is named by its number, like '{EDITIONS_DIR}/12.md': rename it", path, 1)
    text = normalise_text(text)
    try:
        front, body, body_line = split_front_matter(text)
    except DigestError as exc:
        raise DigestError(exc.message, path, exc.line) from None
    meta: object = {}
    lines: dict[str, int] = {}
    if front is not None:
        try:
            doc = load_yaml_document(front, first_line=2)
        except YamlProblem as exc:
            raise DigestError(exc.message, path, exc.line) from None
        meta = doc.value if doc.value is not None else {}
        lines = dict(doc.lines)
        if not isinstance(meta, dict):
            raise DigestError("front matter must be a mapping like 'title: ...'", path, 2)
    assert isinstance(meta, dict)
    for key in meta:
        if key not in _NOTE_KEYS:
            raise DigestError(
                f"unknown key '{key}' in an edition's file: it may have {' and '.join(_NOTE_KEYS)}",
                path, lines.get(str(key), 2),
            )
    title = meta.get("title") or ""
    if not isinstance(title, (str, int, float)):
        raise DigestError("'title' must be text", path, lines.get("title", 2))
    published = None
    if meta.get("published") is not None:
        try:
            published = parse_date_value(meta["published"], tz).astimezone(tz)
        except BadDate as exc:
            raise DigestError(f"bad 'published': {exc}", path, lines.get("published", 2)) from None
    try:
        intro = renderer.render(body, summary_length).html if body.strip() else ""
    except DigestError as exc:
        raise DigestError(exc.message, path, (exc.line or 1) + body_line - 1) from None
    return EditionNote(int(name), path, str(title).strip(), published, intro, text)


def load_edition_notes(site_dir: Path, config: SiteConfig) -> tuple[EditionNote, ...]:
    """Every ``content/editions/<n>.md``, by number; ``BuildFailed`` lists every bad file."""
    if not config.editions.enabled:
        return ()
    folder = site_dir / config.content_dir / EDITIONS_DIR
    if not folder.is_dir():
        return ()
    renderer = MarkdownRenderer(config.markdown, config.html)
    notes: list[EditionNote] = []
    problems: list[Problem] = []
    for file in sorted(folder.iterdir()):
        rel = f"{EDITIONS_DIR}/{file.name}"
        if not file.is_file() or not _NOTE_RE.match(rel):
            continue
        path = f"{config.content_dir}/{rel}"
        try:
            text = check_bytes(path, file.read_bytes())
            notes.append(parse_note(path, file.stem, text, config.tz, renderer, config.summary_length))
        except DigestError as exc:
            problems.append(exc.problem)
    numbers: dict[int, str] = {}
    for note in notes:
        if note.number in numbers:
            problems.append(Problem(note.path, 1, f"edition {note.number} also has the file {numbers[note.number]}:"
                                    " keep one"))
        numbers.setdefault(note.number, note.path)
    if problems:
        raise BuildFailed(problems)
    return tuple(sorted(notes, key=lambda n: n.number))
