"""A theme's UI strings in the page's language: gettext catalogues read with Babel, and the Jinja callables.

Catalogues live in each theme folder as ``locale/<lang>/LC_MESSAGES/messages.po``
(``pybabel extract/update`` keep them, see README "Translating a theme"). They are
compiled in memory when a build first needs a language, so a ``.po`` edit is live
at once and there is no ``.mo`` to forget; a theme that ships only ``.mo`` files
works too. A site theme's catalogue is merged over the default theme's, so it
needs to hold only the strings it changes or adds.

Templates call ``_("…")``, ``ngettext("%(num)s article", "%(num)s articles", n)``
and ``{% trans %}`` blocks (``jinja2.ext.i18n``, new-style: every message is a
``%`` format, variables are escaped, ``num`` is written as the language writes
numbers). The language is the page's ``site.language``.
"""

from __future__ import annotations

import gettext as gettext_module
from io import BytesIO
from pathlib import Path
from typing import Any, Sequence

import jinja2
from babel.core import UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations
from jinja2 import pass_context
from markupsafe import Markup

from digest.errors import DigestError
from digest.plan.pages import Messages
from digest.rules.locale import format_number, locale_of

DOMAIN = "messages"


def _candidates(tag: str) -> list[str]:
    """Folder names to try for a BCP 47 tag, most specific first: pt-BR -> pt_BR, pt-BR, pt."""
    names = [tag.replace("-", "_"), tag]
    try:
        names.append(str(locale_of(tag)))
    except (UnknownLocaleError, ValueError):
        pass
    names.append(tag.split("-")[0])
    return list(dict.fromkeys(names))


def _read_catalogue(path: Path) -> Translations:
    if path.suffix == ".mo":
        with open(path, "rb") as handle:
            return Translations(handle, domain=DOMAIN)
    try:
        with open(path, "rb") as handle:
            catalogue = read_po(handle, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError) as exc:
        raise DigestError(f"cannot read this catalogue ({exc}): fix it, or run 'pybabel update' again", str(path)) from None
    compiled = BytesIO()
    write_mo(compiled, catalogue)  # fuzzy entries are left out, as pybabel compile does
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


class Catalogues:
    """The UI catalogues of a theme (its folders, most specific first), one ``Translations`` per language."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self.folders = tuple(folders)
        self._loaded: dict[str, Messages] = {}

    def files(self, tag: str) -> list[Path]:
        """The catalogue files for ``tag``, the default theme's first (later ones override)."""
        found: list[Path] = []
        for folder in reversed(self.folders):
            for name in _candidates(tag):
                base = folder / "locale" / name / "LC_MESSAGES" / DOMAIN
                path = next((p for p in (base.with_suffix(".po"), base.with_suffix(".mo")) if p.is_file()), None)
                if path is not None:
                    found.append(path)
                    break
        return found

    def messages(self, tag: str) -> Messages:
        """The language's messages; a language without a catalogue shows the templates' English."""
        found = self._loaded.get(tag)
        if found is None:
            found = self._loaded[tag] = self._load(tag)
        return found

    def _load(self, tag: str) -> Messages:
        merged: Messages = gettext_module.NullTranslations()
        for path in self.files(tag):
            translations = _read_catalogue(path)
            if isinstance(merged, Translations):
                merged.merge(translations)
            else:
                merged = translations
        return merged


def install(env: jinja2.Environment, catalogues: Catalogues) -> None:
    """``_``, ``gettext``, ``ngettext`` and ``{% trans %}`` in ``env``, in each page's language."""

    def messages(ctx: jinja2.runtime.Context) -> Messages:
        site = ctx.get("site")
        return catalogues.messages(getattr(site, "language", "") or "en")

    # (language, message, autoescape) -> the finished text of a message without variables: most of them,
    # asked for on every page
    plain: dict[tuple[str, str, bool], str] = {}

    def finish(ctx: jinja2.runtime.Context, text: str, variables: dict[str, Any]) -> str:
        # like jinja2's new-style gettext: always a % format, variables escaped when autoescaping
        rv: str = Markup(text) if ctx.eval_ctx.autoescape else text
        return rv % variables

    @pass_context
    def gettext(ctx: jinja2.runtime.Context, message: str, **variables: Any) -> str:
        if variables:
            return finish(ctx, messages(ctx).gettext(message), variables)
        key = (getattr(ctx.get("site"), "language", ""), message, bool(ctx.eval_ctx.autoescape))
        done = plain.get(key)
        if done is None:
            done = plain[key] = finish(ctx, messages(ctx).gettext(message), variables)
        return done

    @pass_context
    def ngettext(ctx: jinja2.runtime.Context, singular: str, plural: str, n: int, **variables: Any) -> str:
        site = ctx.get("site")
        variables.setdefault("num", format_number(n, getattr(site, "language", "") or "en"))
        return finish(ctx, messages(ctx).ngettext(singular, plural, n), variables)

    env.add_extension("jinja2.ext.i18n")
    # ``_`` straight to gettext: the extension's alias looks ``gettext`` up again on every call
    env.globals.update(gettext=gettext, ngettext=ngettext, _=gettext)
    env.newstyle_gettext = True  # type: ignore[attr-defined]


def plural_forms(messages: Messages, tag: str, singular: str, plural: str) -> dict[str, str]:
    """CLDR plural category -> the catalogue's message, for scripts that count in the browser
    (``Intl.PluralRules(lang).select(n)`` picks the category): {"one": "%(num)s article", ...}."""
    rule = locale_of(tag).plural_form
    forms: dict[str, str] = {}
    for n in range(0, 1000):  # every category has a small example number
        category = rule(n)
        if category not in forms:
            forms[category] = messages.ngettext(singular, plural, n)
    return forms
