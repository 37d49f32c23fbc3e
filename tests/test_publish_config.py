"""The publish section of digest.yaml: valid targets, and each mistake named with its target and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from digest.errors import DigestError
from digest.publish import DirTarget, GitTarget, PublishConfigError, S3Target, parse_targets

EXAMPLE: dict[str, Any] = {
    "default": "pages",
    "targets": {
        "pages": {"type": "git", "remote": "git@github.com:me/digest.git", "branch": "gh-pages",
                  "cname": "news.example.org"},
        "mirror": {"type": "dir", "path": "/srv/www/digest"},
        "bucket": {"type": "s3", "bucket": "my-digest", "prefix": "", "region": "eu-west-1",
                   "endpoint_url": None, "cache_control": {"*.pdf": "public, max-age=60", "robots.txt": None}},
    },
}


def test_example_config_parses_into_typed_targets() -> None:
    config = parse_targets(EXAMPLE, "digest.yaml")
    assert config.default == "pages"
    assert config.get() == GitTarget("pages", "git@github.com:me/digest.git", "gh-pages", "news.example.org")
    assert config.get("mirror") == DirTarget("mirror", Path("/srv/www/digest"))
    bucket = config.get("bucket")
    assert isinstance(bucket, S3Target)
    assert (bucket.bucket, bucket.prefix, bucket.region, bucket.endpoint_url) == ("my-digest", "", "eu-west-1", None)
    assert bucket.cache_control == (("*.pdf", "public, max-age=60"), ("robots.txt", None))


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    config = parse_targets(
        {"targets": {
            "site": {"type": "git", "remote": "../pages.git"},
        }},
        tmp_path / "project" / "digest.yaml",
    )
    target = config.get()  # a single target needs no default
    assert isinstance(target, GitTarget)
    assert target.branch == "gh-pages" and target.cname is None
    assert target.remote == str(tmp_path / "pages.git")
    mirror = parse_targets({"targets": {"m": {"type": "dir", "path": "public"}}}, tmp_path / "digest.yaml").get("m")
    assert isinstance(mirror, DirTarget) and mirror.path == tmp_path / "public"


def test_remote_urls_are_kept_as_written() -> None:
    for remote in ("git@github.com:me/digest.git", "https://example.org/x.git", "ssh://git@host/x.git"):
        target = parse_targets({"targets": {"p": {"type": "git", "remote": remote}}}).get("p")
        assert isinstance(target, GitTarget) and target.remote == remote


def test_s3_prefix_is_normalised() -> None:
    target = parse_targets({"targets": {"b": {"type": "s3", "bucket": "x", "prefix": "/www/news/"}}}).get("b")
    assert isinstance(target, S3Target) and target.prefix == "www/news"


def problems_of(raw: Any) -> list[str]:
    with pytest.raises(PublishConfigError) as caught:
        parse_targets(raw, "digest.yaml")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        ({"bucket": {"type": "s3", "region": "eu-west-1"}},
         "digest.yaml: publish.targets.bucket: missing required key 'bucket'"),
        ({"pages": {"type": "git"}}, "digest.yaml: publish.targets.pages: missing required key 'remote'"),
        ({"mirror": {"type": "dir"}}, "digest.yaml: publish.targets.mirror: missing required key 'path'"),
        ({"mirror": {"path": "/srv"}},
         "digest.yaml: publish.targets.mirror: missing required key 'type': one of dir, git, s3"),
        ({"mirror": {"type": "ftp", "path": "/srv"}},
         "digest.yaml: publish.targets.mirror: unknown type 'ftp': valid types: dir, git, s3"),
        ({"bucket": {"type": "S3", "bucket": "b"}},
         "digest.yaml: publish.targets.bucket: unknown type 'S3': did you mean 's3'?"),
        ({"bucket": {"type": "s3", "bucket": "b", "regoin": "eu-west-1"}},
         "digest.yaml: publish.targets.bucket: unknown key 'regoin' (s3 target): did you mean 'region'?"),
        ({"pages": {"type": "git", "remote": "r", "brnch": "main"}},
         "digest.yaml: publish.targets.pages: unknown key 'brnch' (git target): did you mean 'branch'?"),
        ({"pages": {"type": "git", "remote": "r", "zzz": 1}},
         "digest.yaml: publish.targets.pages: unknown key 'zzz' (git target): valid keys: branch, cname, remote"),
        ({"bucket": {"type": "s3", "bucket": ["a", "b"]}},
         "digest.yaml: publish.targets.bucket: 'bucket' must be a string, not ['a', 'b']"),
        ({"bucket": {"type": "s3", "bucket": "b", "region": True}},
         "digest.yaml: publish.targets.bucket: 'region' must be a string, not True"),
        ({"bucket": {"type": "s3", "bucket": "b/site"}},
         ("digest.yaml: publish.targets.bucket: 'bucket' must be a bucket name (no slashes; put folders in "
         "'prefix'), not 'b/site'")),
        ({"bucket": {"type": "s3", "bucket": "b", "prefix": "a/../b"}},
         ("digest.yaml: publish.targets.bucket: 'prefix' must be a plain folder path like 'site' or 'www/news', "
         "not 'a/../b'")),
        ({"bucket": {"type": "s3", "bucket": "b", "endpoint_url": "localhost:9000"}},
         ("digest.yaml: publish.targets.bucket: 'endpoint_url' must be a URL starting with http:// or https://, "
         "not 'localhost:9000'")),
        ({"bucket": {"type": "s3", "bucket": "b", "cache_control": ["*.css"]}},
         ("digest.yaml: publish.targets.bucket: 'cache_control' must be a mapping of glob pattern to "
         "Cache-Control value, like `\"*.html\": \"public, max-age=60\"`, not ['*.css']")),
        ({"bucket": {"type": "s3", "bucket": "b", "cache_control": {"*.css": 60}}},
         ("digest.yaml: publish.targets.bucket: 'cache_control' value for '*.css' must be a string "
         "(or null for no header), not 60")),
        ({"pages": {"type": "git", "remote": "--upload-pack=touch /tmp/x"}},
         "digest.yaml: publish.targets.pages: 'remote' must be a URL or a path, not '--upload-pack=touch /tmp/x'"),
        ({"pages": {"type": "git", "remote": "r", "branch": "gh pages"}},
         "digest.yaml: publish.targets.pages: 'branch' is not a valid git branch name: 'gh pages'"),
        ({"pages": {"type": "git", "remote": "r", "cname": "https://news.example.org/"}},
         ("digest.yaml: publish.targets.pages: 'cname' must be a bare host name like 'news.example.org', "
         "not 'https://news.example.org/'")),
        ({"pages": "git@github.com:me/digest.git"},
         ("digest.yaml: publish.targets.pages: must be a mapping with a 'type' (dir, git, s3), "
         "not 'git@github.com:me/digest.git'")),
    ],
)
def test_each_mistake_names_target_and_key(targets: dict[str, Any], expected: str) -> None:
    assert problems_of({"targets": targets}) == [expected]


def test_single_problem_is_the_whole_message() -> None:
    with pytest.raises(DigestError) as caught:
        parse_targets({"targets": {"bucket": {"type": "s3"}}}, "digest.yaml")
    assert str(caught.value) == "digest.yaml: publish.targets.bucket: missing required key 'bucket'"


def test_every_problem_is_reported_at_once() -> None:
    raw = {
        "defualt": "pages",
        "targets": {"bucket": {"type": "s3"}, "pages": {"type": "git", "remote": "r", "cname": 3.5}},
    }
    with pytest.raises(PublishConfigError) as caught:
        parse_targets(raw, "digest.yaml")
    text = str(caught.value)
    assert text.splitlines() == [
        "digest.yaml: publish.targets.bucket: missing required key 'bucket'",
        "digest.yaml: publish.targets.pages: 'cname' must be a string, not 3.5",
        "digest.yaml: publish: unknown key 'defualt': did you mean 'default'?",
        "3 problems in the publish config; nothing published",
    ]


def test_default_must_name_a_target() -> None:
    assert problems_of({"default": "page", "targets": {"pages": {"type": "git", "remote": "r"}}}) == [
        "digest.yaml: publish.default: 'page' is not a target: did you mean 'pages'?"
    ]


def test_targets_must_be_a_mapping() -> None:
    assert problems_of({"targets": ["pages"]}) == [
        "digest.yaml: publish.targets: must be a mapping of target names to settings, not ['pages']"
    ]


def test_choosing_a_target() -> None:
    config = parse_targets(EXAMPLE, "digest.yaml")
    with pytest.raises(DigestError, match=r"^digest.yaml: unknown publish target 'mirrr': did you mean 'mirror'\?$"):
        config.get("mirrr")
    two = parse_targets({"targets": {"a": {"type": "dir", "path": "/a"}, "b": {"type": "dir", "path": "/b"}}})
    with pytest.raises(DigestError, match="'publish.default' is not set: name one of a, b"):
        two.get()
    with pytest.raises(DigestError, match="no publish targets"):
        parse_targets(None).get()
