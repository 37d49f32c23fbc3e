"""A whole page selected and copied in a browser: find the article inside the page's text.

A select-all copy (``document.body.innerText``) is mostly not the article: a
menu of sections, share buttons, the article, then "most read", newsletter and
footer blocks. :func:`article_window` finds the article and returns only its
lines, which :func:`digest.importer.clipping.parse_clipping` then reads as any
clipping. Passes:

1. the body is the run of prose lines (long lines, sentences) carrying the most
   text, where prose lines are at most a few short lines apart; lists of other
   stories, menus and footers are short lines and fall outside it;
2. the headline is chosen among the title-like lines before the body (a phrase
   of a few words, not a sentence, a date, a byline or a caption): a line
   followed closely by a date or a byline scores highest, a line the page
   prints twice next, and lines nearer the body win ties; title-like lines
   between a candidate and the body count against it;
3. the date is the one nearest the headline, looked for in the short lines
   around it (a date inside a longer line such as "on December 27, 2014 at
   12:06 PM, updated …" counts): never one in the lists below the article.

Short lines the page repeats three times or more (carousel captions, "Read
more") are dropped first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from digest.importer.dates import parse_news_date

# Scripts written without spaces: a line's length in characters says more than its words.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u1000-\u109f\u3040-\u30ff\u3400-\u9fff]")
_SENTENCE_END = tuple(".!?…。！？")
_CLOSERS = "\"'”’»)]」』）"
_BYLINE_START = re.compile(
    r"^(?:by|written by|words by|reporting by|autor(?:es|s|i|e)?|autors|por|par|von|di|автор(?:ы)?|記者)\b[:\s]",
    re.IGNORECASE,
)
_BY_INSIDE = re.compile(r"\sBy:?\s+[A-Z]")
# "Richard Adams Education editor": a name and a job, a byline without "By"
_DESK_BYLINE = re.compile(
    r"^(?:[A-Z][\w'’.-]+\s+){1,3}(?:[\w-]+\s+){0,2}(?i:editor|correspondent|reporter|writer|columnist|journalist"
    r"|critic|redakteur(?:in)?|korrespondent(?:in)?|journaliste|rédacteur|rédactrice|periodista|corresponsal)$"
)
_DATE_LABEL = re.compile(
    r"^(?:date|datum|published|posted|veröffentlicht|erschienen|publié|publicado|pubblicato)\b", re.IGNORECASE
)
_CAPTION = re.compile(
    r"(?:[.!?]\s*\([^()]{2,60}\)$)|^(?:foto|photo|image|picture|credit|illustration|фото)\s*:", re.IGNORECASE
)
_CAPTION_LABEL = re.compile(r"^(?:image|media|photo|video)?\s*caption\s*[,:]?$", re.IGNORECASE)
_GAP = 6  # short lines allowed between two prose lines of one body
_LOOK_BACK = 60  # lines before the body where the headline may stand
_HEAD = 14  # lines between headline and body kept whole (byline, desk, caption); more is a gallery
_TAIL = 12  # lines after the body looked at for a "Topics" block
_PAGE_CHROME_MIN = 8  # short lines before the body that make a text a whole-page copy


@dataclass(frozen=True, slots=True)
class Window:
    """Where the article stands in a page's lines."""

    lines: list[str]  #: headline, the lines between it and the body, the body
    date: datetime | date | None  #: the date nearest the headline; None when none is near
    before: int = 0  #: lines dropped before the headline (menus)
    after: int = 0  #: lines dropped after the text (lists, footer)
    body_at: int = 0  #: where in ``lines`` the body starts: before it, the headline and what stands under it


def is_page_copy(lines: list[str]) -> bool:
    """True when ``lines`` are a whole page (menus and footers around the text), not a clipping."""
    content = [line for line in lines if line]
    body = _body_span(content)
    if body is None:
        return False
    # a clipping may end in a list of links, but only a whole page opens with a menu
    return body[0] >= _PAGE_CHROME_MIN


def article_window(
    lines: list[str],
    tz: tzinfo,
    is_chrome: Callable[[str], bool] = lambda line: False,
    is_marker: Callable[[str], bool] = lambda line: False,
) -> Window | None:
    """The article's lines in a whole-page copy; ``None`` when no body stands out.

    ``is_chrome`` tells page furniture ("Share", "Facebook Twitter") from text;
    ``is_marker`` finds the "Topics"/"Related" line that may follow the body
    (kept with what follows it, for the tags it lists).
    """
    content = _drop_repeats(_drop_galleries([line for line in lines if line]))
    body = _body_span(content, tz)
    if body is None:
        return None
    start, end = _cut_at_list(content, body, is_marker)
    listed = (start, end) != body  # the text ends in a list of stories: what follows it is no "Topics" block
    body = (start, end)
    tail = [] if listed else content[end + 1 : end + 1 + _TAIL]
    marker = next((k for k, line in enumerate(tail) if is_marker(line)), None)
    tail = tail[marker:] if marker is not None and marker <= 3 else []
    at = _headline_index(content, body, tz, is_chrome)
    after = len(content) - end - 1 - len(tail)
    if at is None:
        when = nearest_date(content, start, tz) or labelled_date(content, tz)
        return Window(content[start : end + 1] + tail, when, start, after)
    between = content[at:start]
    head = between if len(between) <= _HEAD else between[:6]
    head[0] = _punctuated(content, at, start)
    dropped = at + len(between) - len(head)
    when = nearest_date(content, at, tz) or labelled_date(content, tz)
    text_at = len(head) + _text_start(content, body, tz) - start
    return Window(head + content[start : end + 1] + tail, when, dropped, after, text_at)


def _text_start(content: list[str], body: tuple[int, int], tz: tzinfo) -> int:
    """Where the story's text starts in its run of prose: after a date or byline among the run's first lines.

    A standfirst is prose too, and a caption may be: "standfirst, byline, date,
    caption, text" is one run, and the text is what follows the date.
    """
    start, end = body
    text_at, prose = start, 0
    for i in range(start, min(end, start + _HEAD) + 1):
        line = content[i]
        if _is_prose(line):
            prose += 1
            if prose > 3:  # a standfirst, or a few bullet points of summary
                break
        elif _date_in(line, tz) is not None or _BYLINE_START.match(line) or _DESK_BYLINE.match(line):
            text_at = next((j for j in range(i + 1, end + 1) if _is_prose(content[j])), start)
            if text_at > i + 1 and content[text_at].startswith(content[text_at - 1] + " "):
                # the author's box: "Markus Balser", then "Markus Balser kam 2001 zur Süddeutschen Zeitung. …"
                text_at = next((j for j in range(text_at + 1, end + 1) if _is_prose(content[j])), text_at)
    return text_at


def _punctuated(content: list[str], at: int, body_start: int) -> str:
    """The headline as the page prints it with its punctuation elsewhere before the text.

    A kicker and a headline in two elements copy as "Deutschlandtakt Flixbus attackiert
    Deutsche Bahn"; the breadcrumb or the page's title line has "Deutschlandtakt: Flixbus …".
    """
    wanted = _loose(content[at])
    found = [line for line in content[max(0, at - _LOOK_BACK) : body_start] if _loose(line) == wanted]
    return max(found, key=len) if wanted else content[at]


def _loose(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def labelled_date(content: list[str], tz: tzinfo) -> datetime | date | None:
    """The first date the page labels as the story's ("Date 19.01.2020", "Veröffentlicht 23.06.2016"), anywhere.

    Some pages print it after the text, out of reach of the headline.
    """
    for line in content:
        if _DATE_LABEL.match(line) and not _is_prose(line):
            found = parse_news_date(line, tz)
            if found is not None:
                return found
    return None


def _drop_galleries(content: list[str]) -> list[str]:
    """Drop a picture gallery: a short line printed before each slide, the slides a few lines apart.

    DW prints "Racist, ruthless, cruel: Germany's colonial history" over each of
    a dozen slides (a heading and a caption) inside the text. Three repeats or
    more, each at most four lines after the last, are one gallery; each repeat
    goes with the slide under it (as many lines as the repeats are apart).
    """
    at: dict[str, list[int]] = {}
    for i, line in enumerate(content):
        if not _is_prose(line):
            at.setdefault(line, []).append(i)
    drop: set[int] = set()
    for places in at.values():
        runs: list[list[int]] = [[places[0]]]
        for i in places[1:]:
            if i - runs[-1][-1] <= 4:
                runs[-1].append(i)
            else:
                runs.append([i])
        for run in runs:
            if len(run) < 3:
                continue
            period = min(b - a for a, b in zip(run, run[1:]))
            for i in run:
                drop.update(range(i, min(i + period, len(content))))
    return [line for i, line in enumerate(content) if i not in drop]


def _cut_at_list(content: list[str], body: tuple[int, int], is_marker: Callable[[str], bool]) -> tuple[int, int]:
    """End the text before a list heading ("DW recommends", "A lire aussi") in its second half.

    Teasers of other stories are sentences, so they join the run of prose; a list
    heading with less than a quarter of the text after it opens such a list.
    """
    start, end = body
    for i in range((start + end) // 2 + 1, end):
        if _is_prose(content[i]) or not is_marker(content[i]):
            continue
        before = sum(len(line) for line in content[start:i] if _is_prose(line))
        after = sum(len(line) for line in content[i + 1 : end + 1] if _is_prose(line))
        if after < 0.25 * before:
            return start, max(j for j in range(start, i) if _is_prose(content[j]))
    return body


def _drop_repeats(content: list[str]) -> list[str]:
    """Short lines printed three times or more go, but for the last before the body (a repeated headline)."""
    counts = Counter(line for line in content if not _is_prose(line))
    body = _body_span(content)
    start = body[0] if body else len(content)
    keep = {line: max((i for i in range(start) if content[i] == line), default=-1) for line, n in counts.items() if n >= 3}
    return [line for i, line in enumerate(content) if line not in keep or keep[line] == i]


def _is_prose(line: str) -> bool:
    unspaced = len(_UNSPACED.findall(line))
    if unspaced >= 12:
        return unspaced >= 40 or line.rstrip(_CLOSERS).endswith(_SENTENCE_END)
    words = len(line.split())
    end = line.rstrip(_CLOSERS)
    # headlines end in "!" or "?" often enough; paragraphs of text end in a full stop or run long
    return words >= 30 or (words >= 9 and end.endswith((".", "…"))) or (words >= 20 and end.endswith(_SENTENCE_END))


def _body_span(content: list[str], tz: tzinfo | None = None) -> tuple[int, int] | None:
    """First and last index of the cluster of prose lines holding the most text.

    With ``tz``, a cluster's text counts divided by one plus the short lines in it
    that hold a date: a story states its date once, at its head, while reader
    comments ("Rafael sagt: / 23. Juni 2016 um 18:47 Uhr / …") and lists of
    other stories date every item, so a thread longer than the story loses to it.
    """
    clusters: list[tuple[int, int, int]] = []  # (start, end, chars)
    start = end = -1
    chars = 0
    for i, line in enumerate(content + [""] * (_GAP + 1)):
        if i < len(content) and _is_prose(line):
            if start < 0 or i - end > _GAP + 1:
                if start >= 0:
                    clusters.append((start, end, chars))
                start, chars = i, 0
            end = i
            chars += len(line)
    if start >= 0:
        clusters.append((start, end, chars))
    if not clusters:
        return None

    def weight(cluster: tuple[int, int, int]) -> float:
        first, last, text = cluster
        if tz is None:
            return text
        dated = sum(1 for line in content[first : last + 1] if not _is_prose(line) and _date_in(line, tz, share=3))
        return text / (1 + dated)

    best = max(clusters, key=weight)  # max keeps the first of equals, as the page reads
    return best[0], best[1]


def _title_like(line: str, tz: tzinfo) -> bool:
    unspaced = len(_UNSPACED.findall(line))
    words = len(line.split())
    if unspaced:
        if not 6 <= len(line) <= 90:
            return False
    elif not 3 <= words <= 25:
        return False
    if line.rstrip(_CLOSERS).endswith(".") and not line.endswith("..."):
        return False
    if _BYLINE_START.match(line) or _BY_INSIDE.search(line) or _CAPTION.search(line) or _DESK_BYLINE.match(line):
        return False
    return _date_in(line, tz) is None


def _headline_index(
    content: list[str], body: tuple[int, int], tz: tzinfo, is_chrome: Callable[[str], bool]
) -> int | None:
    body_start, body_end = body
    best: tuple[float, int] | None = None
    rivals = 0
    text = _terms(" ".join(content[body_start : body_end + 1]))
    for i in range(body_start - 1, max(-1, body_start - _LOOK_BACK - 1), -1):
        line = content[i]
        if not _candidate(line, tz, is_chrome) or (i and _CAPTION_LABEL.match(content[i - 1])):
            continue  # the line an "Image caption" label introduces is the caption
        terms = _terms(line)
        overlap = len(terms & text) / max(len(terms), 1)  # a headline's words come back in the text; a menu's do not
        repeated = i + 1 < len(content) and _same(content[i + 1], line)
        score = 4.0 * overlap - 0.03 * (body_start - i) - 0.3 * rivals
        if _meta_follows(content, i, tz, is_chrome):
            score += 3
        if repeated:
            score += 1
        if overlap and (best is None or score > best[0]):
            best = (score, i)
        if overlap >= 0.3 and not repeated:
            rivals += 1
    if best is None:
        return None
    at = best[1]
    # a headline, then a longer standfirst: the date and byline follow the standfirst, yet the headline is first
    if at and _candidate(content[at - 1], tz, is_chrome) and len(content[at - 1].split()) >= 4:
        before, chosen = content[at - 1], content[at]
        if len(before.split()) < len(chosen.split()) and _terms(before) & text:
            return at - 1
    return at


def _candidate(line: str, tz: tzinfo, is_chrome: Callable[[str], bool]) -> bool:
    return not _is_prose(line) and not is_chrome(line) and _title_like(line, tz)


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _meta_follows(content: list[str], at: int, tz: tzinfo, is_chrome: Callable[[str], bool]) -> bool:
    """A date or a byline follows ``content[at]`` before any other headline-like line."""
    for other in content[at + 1 : at + 5]:
        if _date_in(other, tz) is not None or _BYLINE_START.match(other) or _BY_INSIDE.search(other):
            return True
        if not _same(other, content[at]) and _candidate(other, tz, is_chrome) and len(other.split()) >= 4:
            return False
    return False


def _terms(text: str) -> set[str]:
    """Words of four letters or more, or character pairs where words are not spaced."""
    text = text.casefold()
    terms = {word for word in re.findall(r"[^\W\d_]{4,}", _UNSPACED.sub(" ", text))}
    chars = [ch for ch in text if _UNSPACED.match(ch)]
    terms.update(a + b for a, b in zip(chars, chars[1:]))
    return terms


def nearest_date(content: list[str], at: int, tz: tzinfo, reach: int = 8) -> datetime | date | None:
    """The date in the short lines nearest ``content[at]`` (at most ``reach`` away), those after it first."""
    for distance in range(0, reach):
        for i in (at + distance, at - distance):
            if 0 <= i < len(content) and not _is_prose(content[i]):
                found = _date_in(content[i], tz, share=3)  # a date in a caption is the photo's
                if found is not None:
                    return found
    return None


_TRIM = " ,.;:|()[]–—-·•\u3000"


def _date_in(line: str, tz: tzinfo, share: int = 0) -> datetime | date | None:
    """A date a short line holds anywhere in it: the longest run of its words that is a date.

    ``share``: the date must be at least 1/share of the line (in characters).
    """
    words = line.replace("\u3000", " ").split()
    if len(words) > 25:
        return None
    for size in range(min(8, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            text = " ".join(words[i : i + size]).strip(_TRIM)
            if share and len(text) * share < len(line):
                continue
            if text and any(ch.isdigit() for ch in text):
                found = parse_news_date(text, tz)
                if found is not None:
                    return found
    return None
