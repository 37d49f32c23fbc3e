"""Properties that must hold for any input: front matter splitting, YAML loading, slugs, and output paths."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from datetime import timezone
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from digest.sources.frontmatter import parse_article, split_front_matter
from digest.errors import DigestError
from digest.rules.slugs import slug_or_none, slugify, term_key
from digest.rules.urls import UnsafePath, check_site_path, is_safe_segment, output_path, safe_join
from digest.write.writer import find_collisions, new_collisions
from digest.rules.yamlload import YamlProblem, load_yaml

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# any text at all: every plane, controls, NUL and lone surrogates (what undecodable file names turn into)
any_text = st.text(alphabet=st.characters(codec=None, categories=None), max_size=60)

# PyYAML writes U+0085, U+2028 and U+2029 raw with allow_unicode, then reads them back as line breaks:
# a dumper quirk, not a splitting one, so the mappings leave them out
yaml_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x85\u2028\u2029"), max_size=30
)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | yaml_text | st.dates()
yaml_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(yaml_text, children, max_size=4),
    max_leaves=12,
)
front_matter = st.dictionaries(yaml_text, yaml_values, max_size=6)
# body lines: ordinary text plus every line that looks like a front matter fence
body_lines = st.lists(
    st.sampled_from(["---", "...", "--- ", "---\t", "----", "title: x", "", "# heading", "- item"])
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=30),
    max_size=12,
)


@settings(deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter, body_lines)
def test_front_matter_round_trips_whatever_the_body_holds(meta, lines) -> None:
    body = "\n".join(lines)
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    text = "---\n" + dumped + "---\n" + body
    front, rest, body_line = split_front_matter(text)
    assert front is not None
    assert load_yaml(front) == meta
    assert rest == body
    assert body_line == dumped.count("\n") + 3  # the opening '---', the YAML lines, the closing '---'
    assert text.split("\n")[body_line - 1 :] == body.split("\n")


@settings(deadline=None, max_examples=300)
@given(any_text)
def test_text_without_an_opening_fence_is_all_body(text) -> None:
    assume(not re.match(r"^---[ \t]*(\n|$)", text))
    assert split_front_matter(text) == (None, text, 1)


@settings(deadline=None, max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(any_text, st.builds(lambda a, b: f"---\n{a}\n---\n{b}", any_text, any_text)))
def test_any_article_text_is_an_article_or_a_digest_error(text) -> None:
    try:
        parse_article("content/x.md", "x.md", text, timezone.utc)
    except DigestError as exc:
        assert exc.path == "content/x.md" and (exc.line or 0) >= 1


yaml_tokens = st.lists(
    st.sampled_from(
        [
            "a",
            ":",
            " ",
            "\n",
            "- ",
            "[",
            "]",
            "{",
            "}",
            ",",
            "&x ",
            "*x",
            "!!python/object:os.system ",
            "!!binary ",
            "? ",
            "<<: ",
            "'",
            '"',
            "|",
            ">",
            "#",
            "2022-02-30",
            "0000-01-01",
            "9" * 5000,
            "\t",
            "\\",
            "%",
            "---",
        ]
    ),
    max_size=40,
).map("".join)


@settings(deadline=None, max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(yaml_tokens, any_text))
def test_yaml_loading_raises_only_yaml_problems(text) -> None:
    try:
        load_yaml(text, first_line=2)
    except YamlProblem as exc:
        assert exc.line is None or exc.line >= 2


@settings(deadline=None, max_examples=1000)
@given(any_text, st.text(max_size=10))
def test_slugs_are_always_plain_stable_names(text, fallback) -> None:
    slug = slugify(text, fallback=fallback)
    assert SLUG_RE.match(slug), slug
    assert slug == slugify(text, fallback=fallback)
    assert len(slug) <= 90
    assert is_safe_segment(slug)
    assert output_path(f"/tags/{slug}/") == f"tags/{slug}/index.html"
    maybe = slug_or_none(text)
    assert maybe is None or SLUG_RE.match(maybe)


@settings(deadline=None)
@given(any_text)
def test_names_differing_in_case_and_spacing_are_one_term(name) -> None:
    assert term_key(name) == term_key(f"  {name.casefold()} ") == term_key(name.replace(" ", "\t  "))
    assert term_key("Tag") == term_key("tag") == term_key(" TAG ")


@pytest.fixture(scope="module")
def output_root() -> Iterator[Path]:
    """An output folder inside a scratch folder, with a symbolic link in it that leads out."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "output"
        (root / "sub").mkdir(parents=True)
        (root / "link").symlink_to("/")
        (root / "sub" / "up").symlink_to("../..")
        yield root


segments = (
    st.sampled_from(
        [
            "..",
            ".",
            "",
            "a",
            "sub",
            "link",
            "up",
            "index.html",
            "C:",
            "c:\\x",
            "%2e%2e",
            "~",
            "\x00",
            "a\x00b",
            "\ud800",
            "\\",
            "//",
            "x\x1b",
            "..\\..",
            "con",
        ]
    )
    | any_text
)
rel_paths = st.one_of(any_text, st.lists(segments, min_size=1, max_size=6).map("/".join))


@settings(deadline=None, max_examples=1500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rel_paths)
def test_safe_join_never_leaves_the_root(output_root, rel) -> None:
    try:
        target = safe_join(output_root, rel)
    except UnsafePath:
        return
    resolved = Path(os.path.realpath(target))
    assert resolved.is_relative_to(output_root.resolve())
    assert ".." not in rel.split("/") and "\x00" not in rel and "\\" not in rel


@settings(deadline=None, max_examples=1500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(any_text, rel_paths.map(lambda p: "/" + p), rel_paths.map(lambda p: "/" + p + "/")))
def test_output_paths_are_plain_files_under_the_root(output_root, url) -> None:
    try:
        rel = output_path(url)
    except UnsafePath:
        return
    assert check_site_path(url) == url
    assert re.fullmatch(r"[A-Za-z0-9._~/-]+", rel), rel
    assert not rel.startswith("/") and ".." not in rel.split("/")
    target = output_root.joinpath(*rel.split("/"))
    if "link" not in rel.split("/") and "up" not in rel.split("/"):  # only the planted links lead out
        assert Path(os.path.realpath(target)).is_relative_to(output_root.resolve())
    try:
        safe_join(output_root, rel)
    except UnsafePath:
        assert "link" in rel.split("/") or "up" in rel.split("/")


claims = st.lists(
    st.tuples(
        st.lists(st.sampled_from(["a", "A", "b", "a.", "index.html", "Index.html"]), min_size=1, max_size=3).map(
            "/".join
        ),
        st.sampled_from(["one", "two", "three"]),
    ),
    max_size=8,
)


@settings(deadline=None)
@given(claims)
def test_collisions_are_found_whatever_the_order(items) -> None:
    problems = find_collisions(items)
    paths = {rel for rel, _origin in items}
    folded = {"/".join(p.casefold().rstrip(". ") for p in rel.split("/")) for rel in paths}
    owners: dict[str, set[str]] = {}
    for rel, origin in items:
        owners.setdefault(rel, set()).add(origin)
    prefix_clash = any("/".join(f.split("/")[:end]) in folded for f in folded for end in range(1, len(f.split("/"))))
    clean = len(folded) == len(paths) and all(len(o) == 1 for o in owners.values()) and not prefix_clash
    assert (problems == []) == clean, (items, problems)


@settings(deadline=None)
@given(claims, claims)
def test_new_claims_collide_as_they_would_with_every_claim_checked(settled, new) -> None:
    """A kept plan checks only its new paths, against the settled ones in their top folders (``new_collisions``):
    whenever the settled claims are clear among themselves, it finds a collision exactly when the whole check does."""
    assume(find_collisions(settled) == [])
    assert (new_collisions(settled, new) == []) == (find_collisions([*settled, *new]) == []), (settled, new)
