"""Themes: template and asset lookup with inheritance, the Jinja environment, page rendering."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import traceback
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

import jinja2
from jinja2 import meta, nodes, pass_context
from markupsafe import Markup

from digest.errors import DigestError
from digest.plan.pages import Memo
from digest.render.email import email_document
from digest.render.i18n import Catalogues, install as install_i18n, plural_forms
from digest.rules.locale import format_date_named, format_number, language_name, text_direction
from digest.rules.urls import join_base, site_link

DEFAULT_THEME = Path(__file__).resolve().parents[2] / "themes" / "default"
_FINGERPRINTED = (".css", ".js")
# Globals that render a theme template themselves, out of sight of Jinja's references: a template
# that calls one depends on that template as if it included it.
GLOBAL_TEMPLATES = {"card": "partials/card.html"}


@dataclass(frozen=True, slots=True)
class Theme:
    """Theme folders, most specific first: the site's theme, then the built-in default."""

    folders: tuple[Path, ...]
    assets: Mapping[str, tuple[str, Path]]  # asset name -> (output path, source file)
    fingerprint: str  # hash of every template and asset

    @property
    def template_dirs(self) -> list[str]:
        return [str(f / "templates") for f in self.folders if (f / "templates").is_dir()]


def load_theme(site_dir: Path, name: str, *, fingerprint_assets: bool = True) -> Theme:
    folders: list[Path] = []
    own = site_dir / "themes" / name
    if own.is_dir() and own.resolve() != DEFAULT_THEME.resolve():
        folders.append(own)
    elif name != "default":
        raise DigestError(f"theme '{name}' not found: create themes/{name}/ or set 'theme: default'", "digest.yaml")
    if not DEFAULT_THEME.is_dir():
        raise DigestError(f"the default theme is missing at {DEFAULT_THEME}: reinstall digest")
    folders.append(DEFAULT_THEME)
    hasher = hashlib.sha256()
    assets: dict[str, tuple[str, Path]] = {}
    for folder in reversed(folders):  # default first, so the site's files override
        for kind in ("templates", "static", "locale"):  # locale: the UI catalogues (render/i18n.py)
            base = folder / kind
            if not base.is_dir():
                continue
            for root, dirs, files in os.walk(base):
                dirs.sort()
                for file in sorted(files):
                    if file.startswith(".") or file.endswith("~"):
                        continue
                    path = Path(root) / file
                    rel = path.relative_to(base).as_posix()
                    data = path.read_bytes()
                    hasher.update(f"{kind}/{rel}\0".encode() + hashlib.sha256(data).digest())
                    if kind == "static":
                        out = f"static/{rel}"
                        if fingerprint_assets and path.suffix in _FINGERPRINTED:
                            short = hashlib.sha256(data).hexdigest()[:10]
                            out = f"static/{rel[: -len(path.suffix)]}.{short}{path.suffix}"
                        assets[rel] = (out, path)
    return Theme(tuple(folders), assets, hasher.hexdigest()[:16])


# A note is not among them: it is part of every article's header (what lists show, tracked like its
# title), so a card that prints a link item's note does not make lists depend on every body.
_BODY_FIELDS = frozenset({"html", "toc", "body"})


@dataclass(frozen=True, slots=True)
class _TemplateFacts:
    entry: str  # name|file|hash of the source
    refs: tuple[str, ...] | None  # the templates it names; None when one name is computed at render time
    other_bodies: bool  # see Renderer.reads_other_bodies


@functools.cache
def _analysis_hash() -> str:
    """A hash of this module: what a template reaches is kept between builds only while the code that
    works it out is the same."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _locale_hash(folders: Sequence[Path]) -> str:
    """A hash of the theme's gettext catalogues: a changed translation re-renders the pages that print it."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted((folder / "locale").rglob("*")) if (folder / "locale").is_dir() else ():
            if path.is_file():
                digest.update(f"{path.relative_to(folder)}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _reads_other_bodies(tree: nodes.Template) -> bool:
    rebinds = any(n.name == "article" and n.ctx in ("store", "param") for n in tree.find_all(nodes.Name))
    for node in tree.find_all((nodes.Getattr, nodes.Const)):
        if isinstance(node, nodes.Const):
            if isinstance(node.value, str) and node.value in _BODY_FIELDS:
                return True
        elif isinstance(node, nodes.Getattr) and node.attr in _BODY_FIELDS:
            own = isinstance(node.node, nodes.Name) and node.node.name == "article" and not rebinds
            if not own:
                return True
    return False


def _language(ctx: jinja2.runtime.Context) -> str:
    return getattr(ctx.get("site"), "language", "") or "en"


@pass_context
def _fmt_date(ctx: jinja2.runtime.Context, value: Any, fmt: str = "date") -> str:
    """``date`` (10 January 2022), ``datetime``, ``month``, ``day``, ``weekday``, ``time``, ``year`` or a
    CLDR skeleton, in the page's language; a ``%`` format is strftime's (language-blind, for old themes)."""
    if isinstance(value, (datetime, date)):
        if "%" in fmt:
            return value.strftime(fmt)
        return format_date_named(value, fmt, _language(ctx))
    return str(value)


@pass_context
def _fmt_number(ctx: jinja2.runtime.Context, value: Any) -> str:
    return format_number(value, _language(ctx)) if isinstance(value, (int, float)) else str(value)


def _isodate(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class Renderer:
    """The Jinja environment for one theme and config; ``render`` turns a page's context into HTML."""

    def __init__(
        self, theme: Theme, base_url: str, relative_urls: bool, *, serve: bool = False, bytecode: Path | None = None,
        memo: Memo | None = None,
    ) -> None:
        """``bytecode``: a folder for compiled templates; ``memo``: where what each template reaches is kept
        between builds (parsing every template for it is a tenth of a second of each build)."""
        self.theme = theme
        self._memo = memo
        self.serve = serve
        loader = jinja2.FileSystemLoader(theme.template_dirs)
        self.env = jinja2.Environment(
            loader=loader,
            # compiled templates kept between builds (keyed by name and checked against the source)
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode)) if bytecode is not None else None,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        base_path = urlsplit(join_base(base_url, "/")).path

        def link(page_url: str, path: str) -> str:
            """``path`` (from the root of the whole site) as an href on the page at ``page_url`` (likewise)."""
            return site_link(path, page_url, base_path, relative_urls)

        def language_prefix(ctx: jinja2.runtime.Context) -> str:
            # a multilingual site's other languages live under /<lang>/: their pages hold paths inside it
            return getattr(ctx.get("site"), "url_prefix", "")

        @pass_context
        def url(ctx: jinja2.runtime.Context, path: str) -> str:
            """A path of this page's language (``/archive/`` is ``/ru/archive/`` on a Russian page)."""
            lang = language_prefix(ctx)
            path = str(path)
            if lang and path.startswith("/") and not path.startswith("//"):
                path = lang + path
            return link(lang + ctx["page"].url, path)

        @pass_context
        def root_url(ctx: jinja2.runtime.Context, path: str) -> str:
            """A path from the root of the whole site, whatever the page's language (language switchers)."""
            return link(language_prefix(ctx) + ctx["page"].url, str(path))

        @pass_context
        def static(ctx: jinja2.runtime.Context, name: str) -> str:
            entry = theme.assets.get(str(name))
            if entry is None:
                raise DigestError(f"static('{name}'): no such file in the theme's static/ folder")
            return link(language_prefix(ctx) + ctx["page"].url, "/" + entry[0])

        def abs_url(path: str) -> str:
            return join_base(base_url, str(path))

        @pass_context
        def email(ctx: jinja2.runtime.Context, document: str) -> Markup:
            """``{% filter email %}``: the page made a self-contained e-mail (see ``digest.render.email``)."""
            return Markup(email_document(str(document), join_base(base_url, ctx["page"].url)))

        # A list shows each article as the same card on its home, tag, source and date pages
        # (about eight times per article): render each card once. The key holds everything the
        # card shows (the article's header hash) and, with relative URLs, the page's folder.
        cards: dict[tuple[str, ...], Markup] = {}

        @pass_context
        def card(ctx: jinja2.runtime.Context, item: Any, heading: str = "h2", date_format: str = "date") -> Markup:
            page_url = ctx["page"].url
            where = page_url.rsplit("/", 1)[0] if relative_urls else ""
            site = ctx.get("site")
            # a card's words and links depend on its page's language too
            key = (item.header, heading, date_format, where, _language(ctx), language_prefix(ctx))
            html = cards.get(key)
            if html is None:
                template = self.env.get_template("partials/card.html")
                html = Markup(template.render(
                    site=site, page=ctx["page"], item=item, card_heading=heading, card_date_format=date_format
                ))
                if len(cards) > 50_000:  # a long-running server must not grow without bound
                    cards.clear()
                cards[key] = html
            return html

        self.catalogues = Catalogues(theme.folders)
        install_i18n(self.env, self.catalogues)
        @pass_context
        def plural_forms_of(ctx: jinja2.runtime.Context, singular: str, plural: str) -> dict[str, str]:
            language = _language(ctx)
            return plural_forms(self.catalogues.messages(language), language, singular, plural)

        self.env.globals.update(
            url=url, root_url=root_url, static=static, abs_url=abs_url, serve=serve, card=card,
            plural_forms=plural_forms_of,
        )
        self.env.filters.update(
            date=_fmt_date, isodate=_isodate, abs_url=abs_url, number=_fmt_number,
            language_name=language_name, text_direction=text_direction, email=email,
        )
        self._facts: dict[str, _TemplateFacts] = {}
        self._closures: dict[str, tuple[str, bool, tuple[str, ...]]] = {}
        self.locale_hash = _locale_hash(theme.folders)  # planned titles are in these catalogues' words too
        # what every template prints through static() and _(): the asset names and the UI catalogues
        self._assets = hashlib.sha256(
            repr(sorted((k, v[0]) for k, v in theme.assets.items())).encode() + self.locale_hash.encode()
        ).hexdigest()

    def compile(self, names: Iterable[str]) -> None:
        """Load the templates ``names`` reach now, so forked workers inherit them compiled."""
        for name in names:
            for other in self._closure(name)[2]:
                try:
                    self.env.get_template(other)
                except jinja2.TemplateError:
                    pass  # rendering reports it, with the page

    def template_inputs(self, name: str) -> str:
        """A hash of the template ``name``, every template it reaches (extends, include, import, and the
        globals of ``GLOBAL_TEMPLATES``) and the theme's asset names (``static()`` prints them)."""
        return self._closure(name)[0]

    def reads_other_bodies(self, name: str) -> bool:
        """Whether the template ``name`` (or one it reaches) may print the body of an article other than the
        page's own ``article``: ``x.html``, ``x.toc`` or ``x.body`` for any ``x`` but an
        ``article`` the template never rebinds, or any such name as a string (``attribute('html')``)."""
        return self._closure(name)[1]

    def _closure(self, name: str) -> tuple[str, bool, tuple[str, ...]]:
        """(hash, reads other bodies, names) of the templates ``name`` reaches."""
        found = self._closures.get(name)
        if found is None:
            seen: dict[str, _TemplateFacts] = {}
            todo = [name]
            while todo:
                current = todo.pop()
                if current not in seen:
                    seen[current] = facts = self._read(current)
                    if facts.refs is None:  # a name computed at render time: it may be any of them
                        assert self.env.loader is not None
                        seen.update((other, self._read(other)) for other in self.env.loader.list_templates())
                        break
                    todo.extend(facts.refs)
            hasher = hashlib.sha256(self._assets.encode())
            for entry in sorted(f.entry for f in seen.values()):
                hasher.update(f"\0{entry}".encode("utf-8", "surrogatepass"))
            found = self._closures[name] = (
                hasher.hexdigest()[:32], any(f.other_bodies for f in seen.values()), tuple(seen)
            )
        return found

    def _read(self, name: str) -> _TemplateFacts:
        found = self._facts.get(name)
        if found is not None:
            return found
        assert self.env.loader is not None
        try:
            source, filename, _ = self.env.loader.get_source(self.env, name)
        except jinja2.TemplateNotFound:
            return _TemplateFacts(f"{name}|missing", (), False)  # rendering reports it
        entry = f"{name}|{filename}|{hashlib.sha256(source.encode('utf-8', 'surrogatepass')).hexdigest()}"
        memo_key = f"{entry}|{_analysis_hash()}"
        kept = self._memo.get_memo(f"template:{name}", memo_key) if self._memo is not None else None
        if kept is not None:
            refs_kept, other_bodies = json.loads(kept)
            found = self._facts[name] = _TemplateFacts(
                entry, None if refs_kept is None else tuple(refs_kept), bool(other_bodies)
            )
            return found
        try:
            tree = self.env.parse(source, name, filename)
        except jinja2.TemplateSyntaxError:
            return _TemplateFacts(entry, (), True)  # rendering reports it; the hash of the source is enough
        refs = list(meta.find_referenced_templates(tree))
        refs += [GLOBAL_TEMPLATES[call.node.name] for call in tree.find_all(nodes.Call)
                 if isinstance(call.node, nodes.Name) and call.node.name in GLOBAL_TEMPLATES]
        found = self._facts[name] = _TemplateFacts(
            entry, None if None in refs else tuple(ref for ref in refs if ref is not None), _reads_other_bodies(tree)
        )
        if self._memo is not None:
            self._memo.put_memo(f"template:{name}", memo_key, json.dumps([found.refs, found.other_bodies]))
        return found

    def render(self, template: str, context: Mapping[str, Any]) -> str:
        try:
            return self.env.get_template(template).render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise DigestError(f"template error: {exc.message}", self._where(exc.filename, exc.name), exc.lineno) from None
        except jinja2.TemplateNotFound as exc:
            raise DigestError(
                f"template '{exc.name}' not found in {', '.join(self.theme.template_dirs)}",
                "themes",
            ) from None
        except DigestError as exc:
            if exc.path is None:
                file, line = self._template_frame(exc)
                raise DigestError(exc.message, file, line) from None
            raise
        except Exception as exc:  # noqa: BLE001 - any error inside a template is the template's
            file, line = self._template_frame(exc)
            if file is None:
                raise
            page = context.get("page")
            where = f" (rendering {page.url})" if page is not None else ""
            raise DigestError(f"template error: {type(exc).__name__}: {exc}{where}", file, line) from None

    def _where(self, filename: str | None, name: str | None) -> str:
        if filename:
            try:
                return os.path.relpath(filename)
            except ValueError:
                return filename
        return name or "template"

    def _template_frame(self, exc: BaseException) -> tuple[str | None, int | None]:
        dirs = [os.path.abspath(d) for d in self.theme.template_dirs]
        found: tuple[str | None, int | None] = (None, None)
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.endswith(".html") and any(os.path.abspath(frame.filename).startswith(d) for d in dirs):
                found = (self._where(frame.filename, None), frame.lineno)
        return found

