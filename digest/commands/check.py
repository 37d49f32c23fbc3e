"""``digest check``: validate a site without writing anything, and say why articles are missing.

Severity:

- ``error``: the build would fail, or would publish something broken (a link to nowhere);
- ``warning``: it builds, but is probably a mistake (a tag spelled two ways, a story curated twice);
- ``info``: not a problem; answers "why is my article not on the site?" (drafts, future dates).

Content checks (front matter, dates, tags, source URLs) cover every file, drafts included,
because the build reads every file. Page checks (links, summaries) cover the articles the
build would publish with the same ``--drafts``/``--future`` flags.

``check_site`` is the only function here that reads the disk; the rest take values.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from html import escape
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import unquote, urlsplit

from digest import pipeline
from digest.cache import Cache
from digest.config import CONFIG_NAME, SiteConfig
from digest.commands.hrefs import check_hrefs
from digest.sources.frontmatter import KNOWN_KEYS, normalise_text, split_front_matter
from digest.rules.dates import date_from_filename
from digest.errors import BuildFailed, DigestError, Problem
from digest.model.loaded import LoadedArticle
from digest.sources.load import SourceFile
from digest.sources.markup import plain_text
from digest.model.languages import duplicate_keys, far_apart, link_translations
from digest.model.site import Excluded, Site, article_url_of
from digest.plan.pages import PageJob
from digest.render.i18n import Catalogues
from digest.render.theme import load_theme
from digest.rules.slugs import term_key
from digest.rules.sourceurls import normalize_source_url
from digest.rules.urls import UnsafePath, compile_pattern
from digest.rules.yamlload import load_yaml_document

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing ``check`` has to say about a file, printed as ``path:line: message``."""

    path: str
    line: int | None
    severity: str  # error, warning or info
    message: str

    def __str__(self) -> str:
        return str(Problem(self.path, self.line, self.message))

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "severity": self.severity, "message": self.message}

    @classmethod
    def from_problem(cls, problem: Problem, severity: str = ERROR) -> Finding:
        return cls(problem.path, problem.line, severity, problem.message)


@dataclass(frozen=True, slots=True)
class CheckResult:
    findings: tuple[Finding, ...]  # problems first (by file and line), then the info lines
    files: int  # article files looked at

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def ok(self) -> bool:
        """No errors and no warnings (info lines alone are fine)."""
        return all(f.severity == INFO for f in self.findings)


@dataclass(frozen=True, slots=True)
class CheckedArticle:
    """An article that parsed: its rendered form, its lines (for line numbers), its raw front matter."""

    loaded: LoadedArticle
    lines: tuple[str, ...]  # the file's lines, line ends normalised; lines[0] is line 1
    meta: Mapping[str, Any]  # the front matter exactly as YAML loaded it (tags unnormalised)
    key_lines: Mapping[str, int]  # file line of each front-matter key, nested keys dotted (rules.yamlload)

    @property
    def path(self) -> str:
        return self.loaded.source.path

    @property
    def front_end(self) -> int:
        """The last line of the front matter (the line before the closing ``---``)."""
        return self.loaded.source.body_line - 2

    def key_line(self, key: str) -> int | None:
        """The line of a front-matter key (``source.url`` for a nested one)."""
        return self.key_lines.get(key)

    def find(self, needles: Iterable[str], start: int, stop: int | None = None) -> int | None:
        """The first line from ``start`` to ``stop`` (inclusive) holding one of ``needles``, tried in order."""
        stop = len(self.lines) if stop is None else min(stop, len(self.lines))
        for needle in dict.fromkeys(n for n in needles if n):
            for number in range(max(start, 1), stop + 1):
                if needle in self.lines[number - 1]:
                    return number
        return None


def checked_article(loaded: LoadedArticle, text: str) -> CheckedArticle:
    """Pair a parsed article with its text (which already parsed, so this cannot fail)."""
    text = normalise_text(text)
    front, _body, _line = split_front_matter(text)
    document = load_yaml_document(front or "", first_line=2)
    meta = document.value if isinstance(document.value, dict) else {}
    return CheckedArticle(loaded, tuple(text.split("\n")), {str(k): v for k, v in meta.items()}, document.lines)


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    unique = dict.fromkeys(findings)
    return tuple(sorted(unique, key=lambda f: (f.severity == INFO, f.path, f.line or 0, f.message)))


# ---------------------------------------------------------------- the edge: read the site


def check_site(
    site_dir: Path, *, now: datetime, drafts: bool = False, future: bool = False, jobs: int = 1
) -> CheckResult:
    """Run the pipeline's front half (no cache, no output) collecting every problem, then check the lot."""
    if not site_dir.is_dir():
        raise DigestError(f"no site folder at {site_dir}: pass --site")
    try:
        config = pipeline.configure(site_dir)
    except BuildFailed as exc:
        return CheckResult(sort_findings(Finding.from_problem(p) for p in exc.problems), 0)
    except DigestError as exc:
        return CheckResult((Finding.from_problem(exc.problem),), 0)
    if config.languages:
        return check_languages(site_dir, config, now=now, drafts=drafts, future=future, jobs=jobs)
    try:
        sources = pipeline.scan(site_dir, config)  # scanned here: the checks read each file's text again
        prepared = pipeline.prepare(
            site_dir, config, cache=Cache(None), jobs=jobs, now=now, drafts=drafts, future=future, keep_going=True,
            sources=sources,
        )
    except DigestError as exc:  # e.g. a Markdown extension in digest.yaml that does not load
        return CheckResult((Finding.from_problem(exc.problem),), 0)
    files = {f.path: f for f in sources.files}
    articles = [checked_article(a, _text_of(files[a.source.path])) for a in prepared.loaded.articles]
    findings = [Finding.from_problem(p) for p in prepared.problems] + check_catalogues(site_dir, config)
    findings += check_articles(articles, prepared.site, config, now, _templates(site_dir, config))
    from digest.commands.check_editions import check_editions  # it builds on this module's Finding

    findings += check_editions(site_dir, config, articles, prepared.site, now)
    return CheckResult(sort_findings(findings), len(files))


def check_languages(
    site_dir: Path, config: SiteConfig, *, now: datetime, drafts: bool, future: bool, jobs: int
) -> CheckResult:
    """A multilingual site: each language checked as a site of its own (the pipeline's front half with its
    config and folder), then the translations between them."""
    scanned, problems = pipeline.scan_languages(site_dir, config)
    findings = [Finding.from_problem(p) for p in problems] + check_catalogues(site_dir, config)
    templates = _templates(site_dir, config)
    count = 0
    sites: list[tuple[str, Site]] = []
    checked: dict[str, CheckedArticle] = {}
    for lang, sources in scanned:
        try:
            prepared = pipeline.prepare(
                site_dir, lang.config, cache=Cache(None), jobs=jobs, now=now, drafts=drafts, future=future,
                keep_going=True, sources=sources,
            )
        except DigestError as exc:
            return CheckResult((Finding.from_problem(exc.problem),), count)
        files = {f.path: f for f in sources.files}
        count += len(files)
        articles = [checked_article(a, _text_of(files[a.source.path])) for a in prepared.loaded.articles]
        checked.update((a.path, a) for a in articles)
        findings += [Finding.from_problem(p) for p in prepared.problems]
        findings += check_articles(articles, prepared.site, lang.config, now, templates)
        if prepared.site is not None:
            sites.append((lang.tag, prepared.site))

    def located(problem: Problem, key: str) -> Finding:
        article = checked.get(problem.path)
        return Finding(problem.path, article.key_line(key) if article else None, WARNING, problem.message)

    findings += [located(p, "translation_key") for p in duplicate_keys((tag, site.articles) for tag, site in sites)]
    translations = link_translations(sites)
    findings += [located(p, "date") for p in far_apart(translations, config.translation_span_days)]
    return CheckResult(sort_findings(findings), count)


def check_catalogues(site_dir: Path, config: SiteConfig) -> list[Finding]:
    """A language the theme has no catalogue for shows the templates' English words (it still builds)."""
    try:
        theme = load_theme(site_dir, config.theme, fingerprint_assets=False)
    except DigestError:
        return []  # the build reports a missing theme
    catalogues = Catalogues(theme.folders)
    return [
        Finding(
            CONFIG_NAME, None, INFO,
            f"the theme has no catalogue for '{tag}', so its pages' own words stay English: translate"
            f" themes/default/locale/messages.pot into locale/{tag.replace('-', '_')}/LC_MESSAGES/messages.po"
            " (see docs/languages.md)",
        )
        for tag in [config.language, *(t for t in config.languages if t != config.language)]
        if not catalogues.files(tag)
    ]


def _templates(site_dir: Path, config: SiteConfig) -> list[tuple[str, str]]:
    """(path for messages, text) of every template the site's theme resolves to, the theme's own first."""
    try:
        theme = load_theme(site_dir, config.theme, fingerprint_assets=False)
    except DigestError:
        return []  # the build reports a missing theme; check has nothing to say about its links
    found: dict[str, tuple[str, str]] = {}
    for folder in theme.template_dirs:
        for file in sorted(Path(folder).rglob("*.html")):
            name = file.relative_to(folder).as_posix()
            if name not in found:  # a site's own template hides the default one of the same name
                shown = file.relative_to(site_dir).as_posix() if file.is_relative_to(site_dir) else f"(default theme) {name}"
                found[name] = (shown, file.read_text(encoding="utf-8", errors="replace"))
    return list(found.values())


def _text_of(item: SourceFile) -> str:
    return item.data.decode("utf-8")  # check_bytes accepted it, so it is UTF-8


def check_articles(
    articles: Sequence[CheckedArticle], site: Site | None, config: SiteConfig, now: datetime,
    templates: Sequence[tuple[str, str]] = (),
) -> list[Finding]:
    """Every check over the articles that parsed and over the model the pipeline made of them."""
    findings: list[Finding] = []
    for article in articles:
        findings += check_keys(article)
        findings += check_dates(article, config)
    findings += check_source_urls(articles)
    findings += [Finding.from_problem(p, WARNING) for p in check_hrefs(articles)]
    findings += check_tag_spellings(articles)
    by_path = {a.path: a for a in articles}
    if site is None:
        return findings + [_not_checked(config)]
    findings += list_excluded(site, by_path, now)
    findings += check_summaries(site, by_path)
    try:
        jobs = pipeline.plan(site)  # feeds and sitemap are pages links may point to
    except BuildFailed as exc:
        return findings + [Finding.from_problem(p) for p in exc.problems] + [_not_checked(config)]
    findings += check_links(site, jobs, by_path)
    findings += check_template_links(templates, jobs, site)
    return findings


_TEMPLATE_LINK_RES = (
    re.compile(r"""\burl\(\s*(['"])(/[^'"]*)\1\s*\)"""),  # {{ url('/archive/') }}
    re.compile(r'\b(?:href|src)="(/)(?!/)([^"{}]*)"'),  # href="/about/" written out
)


def check_template_links(
    templates: Sequence[tuple[str, str]], jobs: Mapping[str, PageJob], site: Site
) -> list[Finding]:
    """Site paths written in templates (``url('/x/')``, ``href="/x/"``) that no page or file of this site has.

    ``templates``: (path shown in messages, text) of every template the theme uses."""
    urls = {job.url for job in jobs.values()}
    files = set(jobs) | {rel for rel, _src in site.assets}
    findings: list[Finding] = []
    for shown, text in templates:
        for number, line in enumerate(text.split("\n"), start=1):
            for pattern in _TEMPLATE_LINK_RES:
                for match in pattern.finditer(line):
                    ref = match.group(2) if match.group(1) != "/" else "/" + match.group(2)
                    path = urlsplit(ref).path or "/"
                    if path in urls or path + "/" in urls or path.lstrip("/") in files:
                        continue
                    findings.append(Finding(
                        shown, number, WARNING,
                        f"link to '{ref}' goes to no page of this site: link to a page the site has,"
                        " or guard the link with an if",
                    ))
    return findings


def _not_checked(config: SiteConfig) -> Finding:
    return Finding(
        config.content_dir, None, INFO,
        "links, summaries, drafts and future articles were not checked: fix the errors above first",
    )


# ---------------------------------------------------------------- front matter and dates


def check_keys(article: CheckedArticle) -> list[Finding]:
    """Unknown keys that look like a misspelt known one (others are legitimate ``extra`` values)."""
    findings = []
    known = sorted(KNOWN_KEYS)
    for key in article.meta:
        if key in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(key.casefold(), known, n=1, cutoff=0.8)
        if close and abs(len(close[0]) - len(key)) <= 2:
            findings.append(
                Finding(
                    article.path,
                    article.key_line(key),
                    WARNING,
                    f"unknown key '{key}': did you mean '{close[0]}'? (unknown keys only reach templates as extra)",
                )
            )
    return findings


_YEAR_RE = re.compile(r"^\d{4}$")
_MONTH_RE = re.compile(r"^(0[1-9]|1[0-2])$")


def check_dates(article: CheckedArticle, config: SiteConfig) -> list[Finding]:
    """Dates that parse but disagree with each other or with where the file is."""
    src = article.loaded.source
    local = src.date.astimezone(config.tz)
    date_line = article.key_line("date")
    findings = []
    if src.updated is not None and src.updated < src.date:
        findings.append(
            Finding(
                src.path,
                article.key_line("updated"),
                WARNING,
                f"'updated' ({_when(src.updated, config)}) is before 'date' ({_when(src.date, config)}): fix one of them",
            )
        )
    folders = PurePosixPath(src.rel).parent.parts
    day = f"{local:%Y-%m-%d}"
    if len(folders) >= 2 and _YEAR_RE.match(folders[-2]) and _MONTH_RE.match(folders[-1]):
        if (folders[-2], folders[-1]) != (f"{local:%Y}", f"{local:%m}"):
            findings.append(
                Finding(
                    src.path, date_line or 1, WARNING,
                    f"'date' is {day} but the file is in {folders[-2]}/{folders[-1]}/: move the file or fix the date",
                )
            )
    elif folders and _YEAR_RE.match(folders[-1]) and folders[-1] != f"{local:%Y}":
        findings.append(
            Finding(
                src.path, date_line or 1, WARNING,
                f"'date' is {day} but the file is in {folders[-1]}/: move the file or fix the date",
            )
        )
    named = date_from_filename(PurePosixPath(src.rel).stem)
    if named is not None and date_line is not None and named[0] != local.date():
        findings.append(
            Finding(
                src.path, date_line, WARNING,
                f"'date' is {day} but the file name says {named[0]:%Y-%m-%d}: the date wins;"
                " rename the file or fix the date",
            )
        )
    return findings


def _when(moment: datetime, config: SiteConfig) -> str:
    """A time as the site's readers would see it: ``2030-01-01 09:00 Asia/Almaty``."""
    local = moment.astimezone(config.tz)
    shown = f"{local:%Y-%m-%d %H:%M:%S}" if local.second else f"{local:%Y-%m-%d %H:%M}"
    return f"{shown} {config.timezone}"


# ---------------------------------------------------------------- across articles


def check_source_urls(articles: Sequence[CheckedArticle]) -> list[Finding]:
    """The same story (source URL, normalised) curated by more than one article."""
    groups: dict[str, list[CheckedArticle]] = defaultdict(list)
    for article in articles:
        source = article.loaded.source.source
        if source is not None and source.url:
            groups[normalize_source_url(source.url)].append(article)
    findings = []
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda a: (a.loaded.source.date, a.path))  # the first curated keeps it
        first = group[0]
        for other in group[1:]:
            url = other.loaded.source.source.url  # type: ignore[union-attr]
            findings.append(
                Finding(
                    other.path, _source_url_line(other), WARNING,
                    f"source URL '{url}' is also the source of {first.path}: is this story in the digest twice?",
                )
            )
    return findings


def _source_url_line(article: CheckedArticle) -> int | None:
    line = article.key_line("source")
    if line is None:
        return None
    if isinstance(article.meta.get("source"), dict):
        for number in range(line + 1, article.front_end + 1):
            text = article.lines[number - 1]
            if not text.startswith((" ", "\t")):
                break
            if re.match(r"^\s+url\s*:", text):
                return number
    return line


_TAG_KEYS = ("tags", "categories", "category")


def raw_tags(article: CheckedArticle) -> list[tuple[str, int | None]]:
    """Tags as written (case and spaces kept), with their lines."""
    found: list[tuple[str, int | None]] = []
    for key in _TAG_KEYS:
        value = article.meta.get(key)
        if isinstance(value, str):
            names = [t.strip() for t in value.split(",")]  # spaces after commas are layout, not spelling
        elif isinstance(value, list):
            names = [str(v) for v in value if v is not None and not isinstance(v, (dict, list))]
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            names = [str(value)]
        else:
            continue
        key_line = article.key_line(key)
        for name in names:
            if name.strip():
                line = article.find([name.strip()], key_line, article.front_end) if key_line else None
                found.append((name, line or key_line))
    return found


def check_tag_spellings(articles: Sequence[CheckedArticle]) -> list[Finding]:
    """Tags the build merges because they differ only by case or spacing: one finding per odd spelling."""
    uses: dict[str, dict[str, list[tuple[CheckedArticle, int | None]]]] = defaultdict(lambda: defaultdict(list))
    for article in articles:
        for name, line in raw_tags(article):
            spellings = uses[term_key(name)]
            if all(a is not article for a, _ in spellings[name]):
                spellings[name].append((article, line))
    findings = []
    for spellings in uses.values():
        if len(spellings) < 2:
            continue
        # the build shows the most used spelling (spaces collapsed); ties go to the first in sort order
        shown: Counter[str] = Counter()
        for name, users in spellings.items():
            shown[" ".join(name.split())] += len(users)
        display = sorted(shown.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        for name, users in sorted(spellings.items()):
            if name == display:
                continue
            others = " and ".join(
                f"'{other}' ({_files(a.path for a, _ in spellings[other])})"
                for other in sorted(spellings, key=lambda s: (s != display, s))
                if other != name
            )
            for article, line in users:
                findings.append(
                    Finding(
                        article.path, line, WARNING,
                        f"tag '{name}' differs only by case or spacing from {others}:"
                        f" the build merges them as '{display}'; use one spelling",
                    )
                )
    return findings


def _files(paths: Iterable[str], limit: int = 3) -> str:
    items = sorted(set(paths))
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# ---------------------------------------------------------------- the built site


def list_excluded(site: Site, by_path: Mapping[str, CheckedArticle], now: datetime) -> list[Finding]:
    """Drafts and future articles, with the time each will appear, in the site's timezone."""
    config = site.config
    findings = []
    for item in site.excluded:
        article = by_path[item.path]
        when = _when(item.date, config)
        if item.reason == "draft":
            if item.date > now:
                message = f"draft: not on the site until 'draft: true' is removed, and then not before {when}"
            else:
                message = f"draft: not on the site until 'draft: true' is removed (dated {when})"
            line = article.key_line("draft")
        else:
            message = f"dated in the future: appears with the first build after {when} (build --future to preview)"
            line = article.key_line("date")
        findings.append(Finding(item.path, line or 1, INFO, message))
    return findings


def check_summaries(site: Site, by_path: Mapping[str, CheckedArticle]) -> list[Finding]:
    """Published articles whose lists would show a title and nothing else."""
    findings = []
    for item in site.articles:
        if item.summary:
            continue
        article = by_path[item.path]
        line = article.key_line("summary") or 1
        if plain_text(str(item.html)):
            message = "empty summary: the body has no paragraph of text to take one from; add 'summary:'"
        else:
            message = "empty summary: the body is empty and there is no 'summary'; write the story or add 'summary:'"
        findings.append(Finding(item.path, line, WARNING, message))
    return findings


class _Refs(HTMLParser):
    """Every ``href`` and ``src`` in an HTML fragment, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value and value.strip():
                self.refs.append(value.strip())


def html_refs(fragment: str) -> list[str]:
    parser = _Refs()
    parser.feed(fragment)
    parser.close()
    return parser.refs


def _served_path(ref: str, page_url: str, config: SiteConfig) -> str | None:
    """The path a browser on ``page_url`` would request for ``ref``, or ``None`` when it leaves the site
    (another host, another scheme) or stays on the page (``#fragment``)."""
    parts = urlsplit(ref)
    base_path = config.base_path
    if parts.scheme or parts.netloc:
        base = urlsplit(config.base_url)
        if parts.scheme.lower() not in ("", "http", "https") or parts.netloc.lower() != base.netloc.lower():
            return None
        path = parts.path or "/"
    else:
        path = parts.path
        if not path:
            return None
    path = unquote(path)
    trailing = path.endswith("/") or path.rsplit("/", 1)[-1] in (".", "..")
    if not path.startswith("/"):
        path = posixpath.join(base_path.rstrip("/") + page_url, path)
    target = posixpath.normpath(path)
    if target.startswith("//"):  # normpath keeps a leading '//'
        target = "/" + target.lstrip("/")
    return target + "/" if trailing and target != "/" else target


def _is_site_path(ref: str) -> bool:
    return ref.startswith("/") and not ref.startswith("//")


def _article_url(article: CheckedArticle, pattern: Callable[..., str], config: SiteConfig) -> str | None:
    """The URL an article would have if it were published (the model's rule)."""
    src = article.loaded.source
    try:
        return article_url_of(pattern, src.date.astimezone(config.tz), src.slug)
    except UnsafePath:
        return None


def check_links(site: Site, jobs: Mapping[str, PageJob], by_path: Mapping[str, CheckedArticle]) -> list[Finding]:
    """Links and images in published articles that point inside the site but to no page or file."""
    config = site.config
    base_path = config.base_path
    urls = {job.url for job in jobs.values()}
    files = set(jobs) | {rel for rel, _src in site.assets}

    def resolves(site_path: str) -> bool:
        return (
            site_path in urls
            or (not site_path.endswith("/") and site_path + "/" in urls)
            or site_path.lstrip("/") in files
        )

    published = {a.path: a.url for a in site.articles}
    excluded: dict[str, Excluded] = {e.path: e for e in site.excluded}
    pending_urls: dict[str, Excluded] = {}
    pattern = compile_pattern(config.permalinks.article)
    for gone in site.excluded:
        url = _article_url(by_path[gone.path], pattern, config)
        if url is not None:
            pending_urls[url] = gone
    by_rel = {a.loaded.source.rel: a for a in by_path.values()}

    def hint(ref: str, article: CheckedArticle, site_path: str | None, served: str) -> str:
        """What to do about a link that does not resolve."""
        target: CheckedArticle | None = None
        parts = urlsplit(ref)
        if not parts.scheme and not parts.netloc and parts.path and not parts.path.startswith("/"):
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(article.loaded.source.rel), unquote(parts.path)))
            target = by_rel.get(rel)
        pending = pending_urls.get(site_path or "") if site_path else None
        if target is None and pending is not None:
            target = by_path[pending.path]
        if target is not None:
            if target.path in published:
                page = base_path.rstrip("/") + published[target.path]
                return f": link to the page of {target.path}, '{page}', instead"
            gone = excluded.get(target.path)
            if gone is not None and gone.reason == "draft":
                return f": {target.path} is a draft"
            if gone is not None:
                return f": {target.path} is not published until {_when(gone.date, config)}"
        if _is_site_path(ref) and base_path != "/" and site_path and site_path.startswith(base_path):
            inner = "/" + site_path[len(base_path):]
            if resolves(inner):
                return (f": a link starting with '/' is a site path (the build writes it under '{base_path}'),"
                        f" so write '{inner}'")
        return ""

    findings = []
    for item in site.articles:
        article = by_path[item.path]
        body_start = article.loaded.source.body_line
        note_line = article.key_line("note") or 1
        image_line = article.key_line("image") or 1
        candidates: list[tuple[str, int, int | None, int]] = []  # ref, search from, to, fallback line
        candidates += [(ref, body_start, None, body_start) for ref in html_refs(str(item.html))]
        candidates += [(ref, note_line, article.front_end, note_line) for ref in html_refs(str(item.note_html))]
        if item.image:
            candidates.append((item.image, image_line, image_line, image_line))
        seen: set[str] = set()
        for ref, start, stop, fallback in candidates:
            if ref in seen:
                continue
            seen.add(ref)
            served = _served_path(ref, item.url, config)
            if served is None:
                continue
            if _is_site_path(ref):  # the site's root, wherever the site is served (rules.urls.site_link)
                site_path: str | None = served
            else:
                site_path = "/" + served[len(base_path):] if (served + "/").startswith(base_path) else None
            if site_path is not None and resolves(site_path):
                continue
            line = article.find([ref, unquote(ref), escape(ref, quote=False)], start, stop)
            message = f"link to '{ref}' does not resolve" + hint(ref, article, site_path, served)
            findings.append(Finding(item.path, line or min(fallback, len(article.lines)), ERROR, message))
    return findings
