"""Source URLs reduced to what identifies the story: the one rule for duplicates, used by import and check alike.

The result is a comparison key, not a link to print: ``http`` becomes
``https`` and ``www.`` goes even where a site would not answer that way.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that say how a reader arrived, not what they read.
TRACKING_PARAMS = frozenset(
    """
    fbclid gclid gclsrc dclid gbraid wbraid msclkid yclid ysclid twclid ttclid li_fat_id igshid igsh si
    mc_cid mc_eid _ga _gl _hsenc _hsmi __hstc __hssc __hsfp hsctatracking mkt_tok oly_anon_id oly_enc_id
    vero_id vero_conv wickedid rb_clickid s_cid ncid ocid cmpid cmp smid sr_share share ref ref_src ref_url
    referrer xtor _openstat at_medium at_campaign at_custom1 at_custom2 at_custom3 at_custom4 mbid spm
    """.split()
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_source_url(url: str) -> str:
    """The key two URLs of the same story share.

    Lower-case scheme and host, ``http`` as ``https``, no ``www.``, no default
    port, no user info, no fragment, no trailing slash, no tracking parameters
    (see :data:`TRACKING_PARAMS`; ``utm_*`` and other prefixes too), the other
    parameters sorted. A string without a host comes back stripped.
    """
    text = url.strip()
    if text.startswith("//"):
        text = "https:" + text
    elif not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text) and re.match(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)+(?:[/?]|$)", text):
        text = "https://" + text  # "www.rt.com/news/1" as pasted from an address bar
    parts = urlsplit(text)
    if not parts.netloc:
        return text
    scheme = parts.scheme.lower()
    if scheme == "http":
        scheme = "https"
    host = _ascii_host((parts.hostname or "").rstrip(".").lower()).removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    web = scheme == "https"  # http was folded in above, so either default port is the default
    netloc = host if port is None or (web and port in (80, 443)) or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = _normalize_escapes(parts.path).rstrip("/")
    query = urlencode(
        sorted(
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not _is_tracking(key)
        ),
        quote_via=quote,
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES)


def _normalize_escapes(path: str) -> str:
    """One spelling per path: ``%7e``, ``%7E`` and ``~`` are the same; an escaped ``/`` stays escaped."""
    return "/".join(quote(unquote(segment), safe="!$&'()*+,;=:@~") for segment in path.split("/"))


def _ascii_host(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host  # not a valid IDN: compare it as written


# Second-level labels under which country registries sell names: "co.uk", "com.cn", "co.kr".
_SECOND_LEVEL = frozenset("co com net org gov edu ac or ne go gob nic mil".split())


def registered_host(url: str) -> str:
    """``https://www.news.cn/x`` -> ``news.cn``; ``china.chinadaily.com.cn`` -> ``chinadaily.com.cn``; "" for no host."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    labels = host.split(".")
    if len(labels) < 2 or host.replace(".", "").isdigit() or host in ("localhost",):
        return host.removeprefix("www.")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])
