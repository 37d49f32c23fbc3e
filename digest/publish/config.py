"""The ``publish`` section of ``digest.yaml``: named targets, one frozen value each.

Parsing is pure (no I/O): it takes the plain mapping the config loader read
and the config file's path (for messages and for resolving relative paths).
Every problem is collected and reported together, each naming the target and
the key, e.g. ``digest.yaml: publish.targets.bucket: missing required key 'bucket'``.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeAlias

from digest.errors import BuildFailed, DigestError, Problem


@dataclass(frozen=True, slots=True)
class GitTarget:
    """Commit the site as the whole tree of a branch and push it (the gh-pages model)."""

    name: str  #: the target's name under ``publish.targets``
    remote: str  #: URL or path of the git remote; a relative path is relative to digest.yaml
    branch: str = "gh-pages"  #: branch that receives the site; created when absent
    cname: str | None = None  #: custom domain written to ``CNAME`` in the tree
    type: str = field(default="git", init=False)


@dataclass(frozen=True, slots=True)
class DirTarget:
    """Sync the site into a local folder (a web server's document root, a mounted share)."""

    name: str  #: the target's name under ``publish.targets``
    path: Path  #: the folder; a relative path is relative to digest.yaml; created when absent
    type: str = field(default="dir", init=False)


@dataclass(frozen=True, slots=True)
class S3Target:
    """Sync the site into an S3 bucket or any S3-compatible store."""

    name: str  #: the target's name under ``publish.targets``
    bucket: str  #: bucket name
    prefix: str = ""  #: key prefix inside the bucket, without slashes at either end; "" is the root
    region: str | None = None  #: AWS region; None uses the usual AWS configuration
    endpoint_url: str | None = None  #: for S3-compatible stores (MinIO, R2, moto); None means AWS
    profile: str | None = None  #: named AWS profile; None uses the usual credential chain
    #: (glob pattern, Cache-Control value or None for no header), first match wins,
    #: tried before the built-in rules
    cache_control: tuple[tuple[str, str | None], ...] = ()
    type: str = field(default="s3", init=False)


Target: TypeAlias = GitTarget | DirTarget | S3Target


class PublishConfigError(BuildFailed):
    """Every problem of the ``publish`` section, reported together."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        count = len(self.problems)
        lines = "\n".join(str(p) for p in self.problems)
        self.message = lines if count == 1 else f"{lines}\n{count} problems in the publish config; nothing published"
        self.args = (self.message,)
        if count == 1:
            self.line = self.problems[0].line


@dataclass(frozen=True, slots=True)
class PublishConfig:
    """All publish targets by name, and the one used when none is named."""

    targets: Mapping[str, Target]
    default: str | None = None
    config_path: str = "digest.yaml"

    def get(self, name: str | None = None) -> Target:
        """The target called ``name``, or the default one; a DigestError names the choices."""
        names = sorted(self.targets)
        if name is None:
            if self.default is None:
                if not names:
                    raise DigestError(
                        "no publish targets: add one under 'publish.targets', like "
                        "`mirror: {type: dir, path: /srv/www}`",
                        self.config_path,
                    )
                raise DigestError(
                    f"no publish target named and 'publish.default' is not set: name one of {', '.join(names)}",
                    self.config_path,
                )
            name = self.default
        if name not in self.targets:
            raise DigestError(f"unknown publish target '{name}': {_hint(name, names, 'targets')}", self.config_path)
        return self.targets[name]


# ---------------------------------------------------------------- parsing

_TYPES = ("dir", "git", "s3")

# key -> (required, checker); a checker returns the clean value or raises _Bad
_Checker = Callable[[Any, str], Any]


class _Bad(Exception):
    """A value of the wrong kind; the message says what was expected."""


def _hint(word: str, valid: list[str] | tuple[str, ...], what: str = "keys") -> str:
    same_but_case = [v for v in valid if v.lower() == word.lower()]
    close = same_but_case or difflib.get_close_matches(word, list(valid), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"valid {what}: {', '.join(sorted(valid))}" if valid else f"there are no {what}"


def _string(value: Any, key: str) -> str:
    # an int is fine (YAML reads `prefix: 2024` as one); a float, bool or list is a mistake
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _Bad(f"'{key}' must be a string, not {value!r}")
    text = str(value).strip()
    if not text:
        raise _Bad(f"'{key}' must not be empty")
    return text


def _optional_string(value: Any, key: str) -> str | None:
    return None if value is None else _string(value, key)


def _remote(value: Any, key: str) -> str:
    text = _string(value, key)
    # a leading dash would reach git as an option (--upload-pack=...), never a remote
    if text.startswith("-"):
        raise _Bad(f"'{key}' must be a URL or a path, not {text!r}")
    return text


_BRANCH_BAD = re.compile(r"(^[-/.]|\.\.|[\s~^:?*\[\\]|@\{|//|/$|\.lock$|\.$|^@$)")


def _branch(value: Any, key: str) -> str:
    text = _string(value, key).removeprefix("refs/heads/")
    if _BRANCH_BAD.search(text) or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise _Bad(f"'{key}' is not a valid git branch name: {text!r}")
    return text


_HOST = re.compile(r"^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$")


def _cname(value: Any, key: str) -> str | None:
    if value is None:
        return None
    text = _string(value, key)
    if not _HOST.match(text):
        raise _Bad(f"'{key}' must be a bare host name like 'news.example.org', not {text!r}")
    return text.rstrip(".")


def _bucket(value: Any, key: str) -> str:
    text = _string(value, key)
    if "/" in text or " " in text:
        raise _Bad(f"'{key}' must be a bucket name (no slashes; put folders in 'prefix'), not {text!r}")
    return text


def _prefix(value: Any, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _Bad(f"'{key}' must be a string, not {value!r}")
    text = str(value).strip().strip("/")
    parts = text.split("/") if text else []
    if any(part in ("", ".", "..") for part in parts):
        raise _Bad(f"'{key}' must be a plain folder path like 'site' or 'www/news', not {value!r}")
    return text


def _endpoint(value: Any, key: str) -> str | None:
    if value is None:
        return None
    text = _string(value, key)
    if not text.startswith(("http://", "https://")):
        raise _Bad(f"'{key}' must be a URL starting with http:// or https://, not {text!r}")
    return text


def _cache_control(value: Any, key: str) -> tuple[tuple[str, str | None], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise _Bad(f"'{key}' must be a mapping of glob pattern to Cache-Control value, like "
                   f"`\"*.html\": \"public, max-age=60\"`, not {value!r}")
    rules: list[tuple[str, str | None]] = []
    for pattern, header in value.items():
        if not isinstance(pattern, str) or not pattern:
            raise _Bad(f"'{key}' patterns must be non-empty strings, not {pattern!r}")
        if header is not None and not isinstance(header, str):
            raise _Bad(f"'{key}' value for {pattern!r} must be a string (or null for no header), not {header!r}")
        rules.append((pattern.lstrip("/"), header.strip() if isinstance(header, str) else None))
    return tuple(rules)


_SCHEMAS: dict[str, dict[str, tuple[bool, _Checker]]] = {
    "git": {"remote": (True, _remote), "branch": (False, _branch), "cname": (False, _cname)},
    "dir": {"path": (True, _string)},
    "s3": {
        "bucket": (True, _bucket),
        "prefix": (False, _prefix),
        "region": (False, _optional_string),
        "endpoint_url": (False, _endpoint),
        "profile": (False, _optional_string),
        "cache_control": (False, _cache_control),
    },
}


def _is_local_path(remote: str) -> bool:
    """Whether a git remote is a path on this machine rather than a URL or ``host:path``."""
    if "://" in remote:
        return False
    head = remote.split("/", 1)[0]
    return ":" not in head


def parse_targets(raw: Mapping[str, Any] | None, config_path: str | Path = "digest.yaml") -> PublishConfig:
    """Check the ``publish`` mapping of digest.yaml; raise ``PublishConfigError`` listing every problem."""
    path = str(config_path)
    base = Path(config_path).parent
    problems: list[Problem] = []

    def bad(where: str, message: str) -> None:
        problems.append(Problem(path, None, f"{where}: {message}"))

    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise PublishConfigError([Problem(path, None, f"publish: must be a mapping with 'targets', not {raw!r}")])
    for key in raw:
        if key not in ("default", "targets"):
            bad("publish", f"unknown key '{key}': {_hint(str(key), ('default', 'targets'))}")

    raw_targets = raw.get("targets") or {}
    if not isinstance(raw_targets, Mapping):
        bad("publish.targets", f"must be a mapping of target names to settings, not {raw_targets!r}")
        raw_targets = {}

    targets: dict[str, Target] = {}
    for name, spec in raw_targets.items():
        where = f"publish.targets.{name}"
        if not isinstance(name, str) or not name:
            bad("publish.targets", f"target names must be non-empty strings, not {name!r}")
            continue
        target = _parse_target(name, spec, base, functools.partial(bad, where))
        if target is not None:
            targets[name] = target

    default = raw.get("default")
    if default is not None:
        if not isinstance(default, str):
            bad("publish.default", f"must be the name of a target, not {default!r}")
            default = None
        elif default not in raw_targets:
            bad("publish.default", f"'{default}' is not a target: {_hint(default, sorted(map(str, raw_targets)), 'targets')}")
            default = None
    elif len(raw_targets) == 1:
        # one target needs no default: `digest publish` can only mean it
        default = next(iter(raw_targets))

    if problems:
        raise PublishConfigError(problems)
    return PublishConfig(targets=MappingProxyType(targets), default=default, config_path=path)


def _parse_target(name: str, spec: Any, base: Path, bad: Callable[[str], None]) -> Target | None:
    if not isinstance(spec, Mapping):
        bad(f"must be a mapping with a 'type' ({', '.join(_TYPES)}), not {spec!r}")
        return None
    kind = spec.get("type")
    if kind is None:
        bad(f"missing required key 'type': one of {', '.join(_TYPES)}")
        return None
    if kind not in _TYPES:
        bad(f"unknown type {kind!r}: {_hint(str(kind), _TYPES, 'types')}")
        return None
    schema = _SCHEMAS[kind]
    values: dict[str, Any] = {}
    ok = True
    for key, value in spec.items():
        if key == "type":
            continue
        if key not in schema:
            bad(f"unknown key '{key}' ({kind} target): {_hint(str(key), sorted(schema))}")
            ok = False
            continue
        try:
            values[key] = schema[key][1](value, key)
        except _Bad as exc:
            bad(str(exc))
            ok = False
    for key, (required, _check) in schema.items():
        if required and key not in spec:
            bad(f"missing required key '{key}'")
            ok = False
    if not ok:
        return None
    if kind == "git":
        remote = values["remote"]
        if _is_local_path(remote):
            remote = _absolute(base, remote)
        return GitTarget(name=name, remote=remote, branch=values.get("branch") or "gh-pages",
                         cname=values.get("cname"))
    if kind == "dir":
        return DirTarget(name=name, path=Path(_absolute(base, values["path"])))
    return S3Target(name=name, **values)


def _absolute(base: Path, path: str) -> str:
    """A path from the config made absolute: relative paths are relative to digest.yaml's folder."""
    return os.path.abspath(os.path.join(base, os.path.expanduser(path)))
