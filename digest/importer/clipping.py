"""Plain-text clippings, as a curator copies them from a news page.

A clipping is a headline, perhaps a standfirst, and paragraphs, wrapped in
whatever else the page showed: icon names, menus, share buttons, a byline, a
date, cookie notices, the headline printed twice, and a tail of related links.
Parsing is in passes, each over whole lines:

1. drop page chrome, a line at a time (:func:`is_chrome`), and the line a
   label such as "Image caption" introduces;
2. cut the tail: from a "Related"/"Read more"/"Comments" marker to the end when
   nothing after it reads like article text;
3. take out meta lines: date, byline, source, URL, tags; then drop a closing
   run of link-like lines (related stories without a heading);
4. split head from body: the body starts at the first line that reads like a
   sentence; in the head, the headline is the first line of three words or
   more (section names such as "Kazakhstan" come before it), the standfirst is
   the first head line after it of five words or more; a second copy of the headline, where the page prints
   one, marks where the standfirst ends. Other head lines are dropped and
   named in a warning.

Every kept line is one paragraph, its characters untouched: browsers do not
hard-wrap copied text, so a line break is a paragraph break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from digest.errors import DigestError
from digest.importer.dates import aware, parse_news_date
from digest.importer.model import Imported
from digest.importer.page_copy import article_window, is_page_copy

# Lines that are only page furniture, compared after _key(): case-folded, spaces
# collapsed, trailing ":" and arrows dropped.
CHROME_LINES = frozenset(
    " ".join(name.split())
    for name in """
    share|share this|share this article|share this story|share on facebook|share on twitter|tweet|email|e-mail
    |print|copy link|link copied|save|saved|bookmark|subscribe|subscribe now|unsubscribe|follow|follow us
    |skip to content|skip to main content|menu|main menu|open menu|close menu|home|search|sign in|log in|login
    |register|sign up|newsletter|sign up for our newsletter|subscribe to our newsletter|listen|listen to this article
    |play|pause|close|back|next|previous|prev|accept|accept all|reject all|ok|got it|manage preferences
    |cookie settings|privacy settings|advertisement|advert|ad|ads|sponsored|sponsored content|promoted
    |photo|video|gallery|image|loading|loading...|show more|show less|expand|collapse|top|back to top
    |facebook|twitter|x|telegram|whatsapp|vk|vkontakte|linkedin|reddit|pinterest|instagram|youtube|ok.ru
    |odnoklassniki|rss|flipboard|pocket|messenger|viber|mail|copy|link|print this page|report an error
    |published|updated|last updated|posted|reuse this content|opens in new window|external link
    |поделиться|подписаться|реклама|читать далее|наверх|вход|войти|поиск|меню
    """.split("|")
)
# Labels whose next line is what they label, not article text: a photo caption.
CAPTION_LABELS = frozenset({"image caption", "media caption", "photo caption", "caption", "подпись к фото"})
_CREDIT = re.compile(
    r"^(?:(?:image|photo|picture|video|media)\s+(?:source|credit|copyright)\b|this article is more than \d+ \w+ old$)"
    r"|\b(?:photograph|photo|image|illustration)\s*:\s*[^.!?]{1,60}$"
    r"|^\(?(?:credits?|crédits?|fotos?|bild|screenshot)\s*(?:by\s|:)\s*[^.!?]{1,60}\)?$",
    re.IGNORECASE,
)

# A marker line opens a block that is not the article. "end" markers (comments)
# close the article whatever follows; "list" markers do when only link-like
# lines follow, and are otherwise an inline promo: the marker and the headline
# after it go.
_END_MARKERS = re.compile(
    r"^(?:\d+\s+)?(?:comments?|show comments|view comments|leave a comment|add (?:a )?comment|join the discussion"
    r"|join the conversation|комментарии|комментарий|comentar|comentarios|deja tu comentario|commentaires"
    r"|kommentare|kommentieren|commenti|comentários|komentāri|评论|コメント)(?:\s*\(\d+\))?$"
)
_LIST_MARKERS = re.compile(
    r"^(?:read more|read also|also read|see also|more|related|related (?:articles|stories|news|content|coverage"
    r"|topics|links|posts)|more on this(?: story| topic)?|more stories|more news|more from .{1,40}|most read"
    r"|most popular|most viewed|trending(?: now)?|top stories|latest(?: news| stories)?|recommended(?: for you)?"
    r"|you may also like|you might also like|don't miss|editor's picks|tags|topics|explore more on these topics"
    r"|related topics|[\w.-]+(?: [\w.-]+)? recommends|related content|audios and videos on the topic"
    r"|по теме|читайте также|похожие новости|другие новости|теги"
    r"|mehr zum thema|lesen sie auch|auch interessant|das könnte sie auch interessieren|weitere artikel"
    r"|à lire aussi|a lire aussi|lire aussi|voir aussi|sur le même sujet|dans l'actualité"
    r"|lee también|te puede interesar|noticias relacionadas|más noticias)$"
)
_INLINE_PROMO = re.compile(
    r"^(?:read more|read also|also read|see also|related|more|read|watch|listen|читайте также|смотрите также)"
    r"\s*[:|–—-]\s*\S",
    re.IGNORECASE,
)
_CALL_TO_ACTION = re.compile(
    r"^(?:follow us|follow .{1,30} on|subscribe to|sign up (?:for|to)|join us on|download (?:our|the) app"
    r"|get the app|click here|tap here|подписывайтесь|подпишитесь)\b",
    re.IGNORECASE,
)
_TAGS_LINE = re.compile(r"^(?:tags|topics|теги|темы)\s*:\s*(?P<tags>.+)$", re.IGNORECASE)
_READING_TIME = re.compile(r"^(?:reading time:?\s*)?\d+\s*(?:min(?:ute)?s?|мин)\.?(?:\s+(?:read|чтения))?$")
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b|all rights reserved|все права защищены)", re.IGNORECASE)
_BREADCRUMB_SEP = re.compile(r"\s*[›»>]\s*|\s+/\s+")
_URL_LINE = re.compile(r"^<?(?P<url>https?://\S+?)>?$", re.IGNORECASE)
_DOMAIN_LINE = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$", re.IGNORECASE)
_SOURCE_LINE = re.compile(
    r"^(?:source|via|originally published (?:by|at|on|in)|источник)\s*:?\s+(?P<source>.+)$", re.IGNORECASE
)
_PARTS = re.compile(r"\s+[|•·]\s+")
_TAG_MARKERS = ("tags", "topics", "теги", "explore more on these topics", "related topics")

# A byline: "By" and up to four name words (capitalised, or a particle such as
# "van"), optionally "A, B and C"; then perhaps ", Reuters" or "| 10 Jan 2022".
_NAME_WORD = r"(?:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w'’.-]*|(?:de|da|del|van|von|der|den|la|le|al|bin|ibn|el))"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}}"
_BYLINE = re.compile(
    rf"^(?i:by|written by|words by|reporting by|story by|authors?:?|автор:?|von|par|por)\s+"
    rf"(?P<names>{_NAME}(?:(?:\s*,\s*{_NAME})*\s+(?i:and|&|и)\s+{_NAME})?)"
    r"(?:\s*[,|–—-]\s*(?P<rest>.{1,60}))?$"
)
# "Andrew Roth in Moscow": a byline without "By", as some papers print it under the
# standfirst. Names of two words or more, so "Unrest in Kazakhstan" is no author.
_PERSON = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}"
_BYLINE_IN = re.compile(rf"^(?P<names>{_PERSON}(?:\s+(?i:and)\s+{_PERSON})?)\s+in\s+{_NAME}$")

_TERMINAL = tuple(".!?…:;。！？")
_CLOSERS = "\"'”’»)]」』）"
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u1000-\u109f\u3040-\u30ff\u3400-\u9fff]")


@dataclass
class _Meta:
    date: datetime | date | None = None
    author: str = ""
    source_name: str = ""
    source_url: str = ""
    tags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)  #: where meta lines stood


@dataclass
class _Head:
    title: str
    summary: str
    body: list[str]
    masthead: str = ""
    dropped: list[str] = field(default_factory=list)


def parse_clipping(text: str, tz: tzinfo, today: date | datetime) -> Imported:
    """Read a clipping into an :class:`Imported`.

    ``tz`` is the site's timezone, for times the clipping gives without a zone
    and for ``today``, the date used (with a warning) when the clipping states
    none. Raises :class:`DigestError` when nothing but page chrome is left.
    """
    lines = [line.strip() for line in text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    window = article_window(lines, tz, is_chrome, is_marker) if is_page_copy(lines) else None
    if window is not None:
        lines = window.lines  # a whole page copied: its menus, lists and footer are gone
    lines = _drop_chrome(lines)
    meta = _Meta()
    lines = _cut_tail(lines, meta)
    lines = _take_meta(lines, meta, tz)
    if window is not None:
        if window.date is not None:
            meta.date = window.date  # the date nearest the headline, not the first one of the page
        meta.warnings.append(
            f"read as a whole-page copy: dropped {window.before} line(s) of menus before the headline"
            f" and {window.after} after the article text"
        )
    lines = _drop_link_run(lines, meta)  # after meta: "Source: …" and URL lines also end clippings
    content = [(i, line) for i, line in enumerate(lines) if line]
    if not content:
        raise DigestError("nothing to import: the clipping holds only page chrome (menus, share buttons, dates)")

    head = _split_head(content, meta.lines, headline_first=window is not None,
                       body_from=window.body_at if window is not None and window.body_at else None)
    if head.masthead and not meta.source_name:
        meta.source_name = head.masthead
    for line in list(head.dropped):
        byline = _BYLINE_IN.match(line)
        if byline and not meta.author:
            meta.author = byline["names"]
            head.dropped.remove(line)
    if head.dropped:
        shown = ", ".join(repr(line) for line in head.dropped)
        meta.warnings.append(f"dropped {len(head.dropped)} line(s) around the headline: {shown}")
    if len(head.title.split()) > 25 and head.title.endswith(_TERMINAL):
        meta.warnings.append("the first line reads like a paragraph, not a headline: check `title:`")
    if not head.body:
        meta.warnings.append("no article text found after the headline: the body is empty")

    published: datetime | None = None
    if meta.date is None:
        when = aware(today, tz)
        meta.warnings.append(f"no publication date found in the clipping; using {when:%Y-%m-%d}: check `date:`")
    else:
        published = aware(meta.date, tz)
        when = published.astimezone(tz)  # the site's day and month decide the archive folder
    return Imported(
        title=" ".join(head.title.split()),  # no-break and ideographic spaces are spaces in a headline
        date=when,
        summary=head.summary,
        body="\n\n".join(escape_block(line) for line in head.body),
        source_name=meta.source_name,
        source_url=meta.source_url,
        source_published=published,
        author=meta.author,
        tags=tuple(dict.fromkeys(meta.tags)),
        warnings=tuple(meta.warnings),
    )


def is_chrome(line: str) -> bool:
    """True for a line that is page furniture wherever it stands."""
    if not line:
        return False
    key = _key(line)
    if key in CHROME_LINES or key in CAPTION_LABELS:
        return True
    if not any(ch.isalnum() for ch in line):
        return not re.fullmatch(r"[*\s⁂]+", line)  # "|", "•", "—" are chrome; "* * *" is a section break
    words = line.split()
    icons = sum(1 for word in words if "icon" in word.lower())
    if icons >= 3 and icons * 10 >= len(words) * 3:
        return True  # "icon bookmark-bicon cameraicon …": the names in the page's icon font
    if _READING_TIME.match(key) or _INLINE_PROMO.match(line):
        return True
    if (_CALL_TO_ACTION.match(line) and len(words) <= 12) or (_CREDIT.search(line) and len(words) <= 40):
        return True
    if _COPYRIGHT.match(key) and len(words) <= 15:
        return True
    if "cookie" in key and len(line) < 500 and re.search(r"\b(?:accept|consent|polic|we use|uses|settings)", key):
        return True
    if all(_key(part) in CHROME_LINES for part in re.split(r"[\s,|/]+", line) if part):
        return True  # "Facebook Twitter Telegram", "Share | Email | Print"
    parts = [part for part in _BREADCRUMB_SEP.split(line) if part]
    return len(parts) >= 3 and all(len(part.split()) <= 3 for part in parts) and _key(parts[0]) in ("home", "главная")


def is_end_marker(line: str) -> bool:
    """A line after which nothing is the article, whatever follows: "Comments", "Comentar"."""
    return bool(_END_MARKERS.match(_key(line)))


def is_marker(line: str) -> bool:
    """A line that opens a block that is not the article: "Related", "Most read", "Comments"."""
    key = _key(line)
    return bool(_END_MARKERS.match(key) or _LIST_MARKERS.match(key))


def _key(line: str) -> str:
    return " ".join(line.casefold().split()).rstrip(":,›»>→… ").strip()


def _drop_chrome(lines: list[str]) -> list[str]:
    kept = ["" if is_chrome(line) else line for line in lines]
    for i, line in enumerate(lines):
        if _key(line) in CAPTION_LABELS:
            following = next((j for j in range(i + 1, len(kept)) if kept[j]), None)
            if following is not None and not _is_paragraph(kept[following], strict=True):
                kept[following] = ""  # the caption itself
    return kept


def _is_paragraph(line: str, *, strict: bool = False) -> bool:
    """Reads like article text: a sentence (``strict``: of eight words or more), not a headline or a link.

    Headlines end in "?" or "!" often enough that such a line must be long to count.
    """
    words = max(len(line.split()), len(_UNSPACED.findall(line)) // 2)  # Chinese, Japanese, Thai: no spaces
    end = line.rstrip(_CLOSERS)
    if words >= 40 or (words >= 15 and end.endswith(("?", "!"))):
        return True
    return words >= (8 if strict else 3) and end.endswith((".", "…", ":", ";", "。"))


def _cut_tail(lines: list[str], meta: _Meta) -> list[str]:
    lines = list(lines)
    content = [i for i, line in enumerate(lines) if line]
    for pos, i in enumerate(content):
        key = _key(lines[i])
        end = bool(_END_MARKERS.match(key))
        listing = bool(_LIST_MARKERS.match(key))
        if not (end or listing):
            continue
        after = [lines[j] for j in content[pos + 1 :]]
        if pos >= 2 and (end or not any(_is_paragraph(line, strict=True) for line in after)):
            if key in _TAG_MARKERS:
                meta.tags.extend(_tag_block(after))
            lines = lines[:i]
            break
        lines[i] = ""  # an inline "Read more" or "Related": it goes, with the headline it introduces
        if pos + 1 < len(content) and not _is_paragraph(lines[content[pos + 1]], strict=True):
            lines[content[pos + 1]] = ""
    return lines


def _tag_block(after: list[str]) -> list[str]:
    """The tags listed under a "Tags"/"Topics" marker, up to the next marker."""
    tags: list[str] = []
    for line in after:
        key = _key(line)
        if _END_MARKERS.match(key) or _LIST_MARKERS.match(key) or len(line.split()) > 5:
            break
        tags.extend(_split_tags(line))
    return tags


def _drop_link_run(lines: list[str], meta: _Meta) -> list[str]:
    """Drop two or more link-like lines (no sentence end) that close the clipping after its text."""
    content = [i for i, line in enumerate(lines) if line]
    run: list[int] = []
    for i in reversed(content):
        line = lines[i]
        if line.rstrip(_CLOSERS).endswith(_TERMINAL) or len(line.split()) > 20:
            break
        run.append(i)
    before = [i for i in content if not run or i < run[-1]]
    if len(run) < 2 or len(before) < 3 or not any(_is_paragraph(lines[i], strict=True) for i in before):
        return lines
    dropped = [lines[i] for i in sorted(run)]
    meta.warnings.append(
        f"dropped {len(dropped)} lines at the end that look like links to other stories, from {dropped[0]!r}"
    )
    return lines[: min(run)]


def _take_meta(lines: list[str], meta: _Meta, tz: tzinfo) -> list[str]:
    """Blank out date, byline, source, URL and tag lines, recording what they say."""
    lines = list(lines)
    for i, line in enumerate(lines):
        if not line:
            continue
        tags = _TAGS_LINE.match(line)
        if tags:
            meta.tags.extend(_split_tags(tags["tags"]))
            lines[i] = ""
            continue
        if _meta_line(line, meta, tz):
            lines[i] = ""
            meta.lines.add(i)
    return lines


@dataclass(frozen=True, slots=True)
class LineMeta:
    """What one meta line of a page says: "By Jane Doe | 10 January 2022", "Source: Reuters"."""

    date: datetime | date | None = None
    author: str = ""
    source_name: str = ""
    source_url: str = ""


def read_meta_line(line: str, tz: tzinfo) -> LineMeta | None:
    """The date, byline, source or URL a whole line states; ``None`` when it is anything else.

    A line may join several of them with ``|``, ``•`` or ``·``; a date line may
    also carry other short parts ("10 Jan 2022 | Politics").
    """
    parts = _PARTS.split(line.strip())
    found: dict[str, str | datetime | date] = {}
    others = 0
    for part in parts:
        said = _meta_part(part, tz)
        if said is None:
            others += 1
        else:
            found.setdefault(said[0], said[1])
    if not found or (others and not ("date" in found and all(len(part.split()) <= 8 for part in parts))):
        return None
    when = found.get("date")
    return LineMeta(
        date=when if isinstance(when, (date, datetime)) else None,
        author=str(found.get("author", "")),
        source_name=str(found.get("source", "")),
        source_url=str(found.get("url", "")),
    )


def _meta_line(line: str, meta: _Meta, tz: tzinfo) -> bool:
    """Record what a meta line says; False (and nothing recorded) when it is not one."""
    said = read_meta_line(line, tz)
    if said is None:
        return False
    if said.date is not None and meta.date is not None and not _is_labelled_date(line):
        if not (said.author or said.source_name or said.source_url):
            return False  # a second bare date: maybe a timeline heading in the body, so it stays
    if meta.date is None:
        meta.date = said.date
    meta.author = meta.author or said.author
    meta.source_url = meta.source_url or said.source_url
    meta.source_name = meta.source_name or said.source_name
    return True


def _meta_part(part: str, tz: tzinfo) -> tuple[str, str | datetime | date] | None:
    value = parse_news_date(part, tz)
    if value is not None:
        return "date", value
    url = _URL_LINE.match(part)
    if url:
        return "url", url["url"]
    byline = _BYLINE.match(part)
    if byline and len(part.split()) <= 12:
        return "author", byline["names"]
    source = _SOURCE_LINE.match(part)
    if source and len(source["source"].split()) <= 8:
        value_text = source["source"].strip().rstrip(".")
        url = _URL_LINE.match(value_text)
        return ("url", url["url"]) if url else ("source", value_text)
    if _DOMAIN_LINE.match(part):
        return "source", part
    if _READING_TIME.match(_key(part)):
        return "chrome", part
    return None


def _is_labelled_date(line: str) -> bool:
    return bool(
        re.match(r"^\s*(?:first |last |originally )?(?:published|updated|modified|posted|опубликовано|обновлено)", line, re.I)
    )


def _split_tags(text: str) -> list[str]:
    return [tag.strip(" #.") for tag in re.split(r"[,;|•·]", text) if tag.strip(" #.")]


def _norm(line: str) -> str:
    return " ".join(line.split()).casefold()


def _split_head(
    content: list[tuple[int, str]], meta_lines: set[int], *, headline_first: bool = False, body_from: int | None = None
) -> _Head:
    """Headline, standfirst and body from the ``(index, line)`` left after chrome and meta.

    ``headline_first``: the first line is the headline (a page copy's window starts there).
    ``body_from``: the index where a page copy's body starts (see :func:`_split_copy_head`).
    """
    if body_from is not None:
        return _split_copy_head(content, meta_lines, body_from)
    texts = [line for _, line in content]
    start = next((k for k, line in enumerate(texts) if _is_paragraph(line) and (k or not headline_first)), len(texts))
    head = texts[: max(start, 1)]
    # Section names and mastheads ("Kazakhstan", "BBC Homepage") come before the headline.
    title_at = 0 if headline_first else next((k for k, line in enumerate(head) if len(line.split()) >= 3), 0)
    title, before = texts[title_at], texts[:title_at]
    repeat = _repeat_of(texts, title_at)
    if repeat is not None:
        # The page printed the headline twice (above and below the standfirst): a
        # single short line before the first copy is the site's own name.
        masthead = before[0] if len(before) == 1 and len(before[0].split()) <= 5 else ""
        return _Head(title, " ".join(texts[title_at + 1 : repeat]), texts[repeat + 1 :], masthead,
                     [] if masthead else before)
    between = texts[title_at + 1 : start]
    body = texts[max(start, title_at + 1) :]
    # A standfirst is a phrase, not "BBC News, Moscow" (the desk under a byline).
    standfirst = next((line for line in between if len(line.split()) >= 5), None)
    if standfirst is not None:
        return _Head(title, standfirst, body, dropped=before + [line for line in between if line is not standfirst])
    if between:
        before = before + between
    if len(body) >= 2 and _is_standfirst(content, title_at + 1, meta_lines):
        return _Head(title, body[0], body[1:], dropped=before)
    return _Head(title, "", body, dropped=before)


def _split_copy_head(content: list[tuple[int, str]], meta_lines: set[int], body_from: int) -> _Head:
    """A page copy's headline, standfirst and body: the body starts where its run of prose does.

    What a page prints between headline and text (a standfirst, "Eine Analyse von …",
    a caption, "Lesezeit: 1 Min.", "Inhalt") is not text, even when it ends in a
    full stop: the standfirst is the first of those lines of five words or more,
    the others go (and are named in a warning).
    """
    title = content[0][1]
    between = [line for i, line in content[1:] if i < body_from]
    body = [line for i, line in content[1:] if i >= body_from]
    standfirst = next((line for line in between if len(line.split()) >= 5 and not _is_caption(line)), "")
    dropped = [line for line in between if line is not standfirst]
    if not standfirst and len(body) >= 2:
        # no standfirst above the text: its first line is one when a byline or date stands under it
        first = next(k for k, (i, _) in enumerate(content) if i >= body_from)
        if first + 1 < len(content) and _is_standfirst(content, first, meta_lines):
            standfirst, body = body[0], body[1:]
    return _Head(title, standfirst, body, dropped=dropped)


_CAPTION_MARK = re.compile(r"©|\b(?:foto|photo|bild|crédits?|credit|image)\s*:", re.IGNORECASE)


def _is_caption(line: str) -> bool:
    """A photo's caption: it names the photographer or the agency ("© Ben Stansall/AFP", "Foto: dpa")."""
    return bool(_CAPTION_MARK.search(line))


def _repeat_of(texts: list[str], at: int) -> int | None:
    """Where the page prints ``texts[at]`` again, within the next few lines."""
    wanted = _norm(texts[at])
    for k in range(at + 1, min(at + 5, len(texts))):
        if _norm(texts[k]) == wanted:
            return k
    return None


def _is_standfirst(content: list[tuple[int, str]], pos: int, meta_lines: set[int]) -> bool:
    """Is the sentence after the headline a standfirst rather than the first paragraph?

    Yes when the byline or date stood between it and the next line: pages print
    headline, standfirst, byline, date, text.
    """
    index, next_index = content[pos][0], content[pos + 1][0]
    return any(index < j < next_index for j in meta_lines)


_BLOCK_START = re.compile(r"^(?:(?P<hash>#)|(?P<quote>>)|(?P<num>\d+)(?P<dot>[.)])(?=\s)|(?P<rule>[=\-*_])(?=[=\-*_\s]*$))")


def escape_block(line: str) -> str:
    """``line`` as a Markdown paragraph that renders as the same text.

    Plain text does not mean ``#`` as a heading, ``>`` as a quote, ``2022. `` as
    an ordered list or ``***`` as a rule; those first characters get a backslash.
    Bullets (``- ``, ``• ``) are kept: a copied list is a list.
    """
    match = _BLOCK_START.match(line)
    if not match:
        return line
    if match["num"]:
        return f"{match['num']}\\{line[len(match['num']):]}"
    if match["rule"] == "-" and not re.fullmatch(r"[-\s]+", line):
        return line
    if match["rule"] == "*" and not re.fullmatch(r"[*\s]+", line):
        return line
    return "\\" + line
