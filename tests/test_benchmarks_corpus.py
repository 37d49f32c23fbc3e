"""The benchmark corpus is deterministic, prefix-stable and well-formed."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
import yaml

# benchmarks/ is a top-level folder of the repository, not an installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import corpus  # noqa: E402

COUNT = 50


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def split(text: str) -> tuple[dict, str]:
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    corpus.write_corpus(root, COUNT, seed=7)
    return root


def test_same_seed_gives_identical_bytes(small: Path, tmp_path: Path) -> None:
    corpus.write_corpus(tmp_path, COUNT, seed=7)
    assert read_tree(tmp_path) == read_tree(small)


def test_another_seed_gives_another_corpus(small: Path, tmp_path: Path) -> None:
    corpus.write_corpus(tmp_path, COUNT, seed=8)
    assert read_tree(tmp_path) != read_tree(small)


def test_smaller_corpus_is_a_prefix_of_a_larger_one(small: Path, tmp_path: Path) -> None:
    corpus.write_corpus(tmp_path, 2 * COUNT, seed=7)
    small_files = {k: v for k, v in read_tree(small).items() if k.startswith("content/")}
    big_files = read_tree(tmp_path)
    assert len([k for k in big_files if k.startswith("content/")]) == 2 * COUNT
    for rel, data in small_files.items():
        assert big_files[rel] == data, rel


def test_article_depends_only_on_seed_and_index() -> None:
    assert corpus.make_article(3, 41) == corpus.make_article(3, 41)
    assert corpus.make_article(3, 41) != corpus.make_article(3, 42)


def test_layout_and_site_config(small: Path) -> None:
    config = yaml.safe_load((small / "digest.yaml").read_text(encoding="utf-8"))
    assert config["base_url"] == "https://bench.example.org/"
    assert config["title"] and config["timezone"] == "Asia/Almaty"
    files = sorted((small / "content").rglob("*.md"))
    assert len(files) == COUNT
    for path in files:
        rel = path.relative_to(small / "content").parts
        assert len(rel) == 3 and len(rel[0]) == 4 and len(rel[1]) == 2, rel
        assert rel[2].isascii() and rel[2].replace("-", "").replace(".", "").isalnum(), rel


def test_front_matter_and_body(small: Path) -> None:
    tags_seen: set[str] = set()
    for path in sorted((small / "content").rglob("*.md")):
        meta, body = split(path.read_text(encoding="utf-8"))
        assert set(meta) == {"title", "date", "tags", "summary", "source", "author"}, path
        assert isinstance(meta["title"], str) and meta["title"].strip()
        date = meta["date"]
        assert isinstance(date, dt.datetime) and date.tzinfo is not None, path
        assert dt.datetime(2015, 1, 1, tzinfo=dt.timezone.utc) <= date <= dt.datetime(2025, 1, 2, tzinfo=dt.timezone.utc)
        year, month = path.parent.parent.name, path.parent.name
        assert (f"{date:%Y}", f"{date:%m}") == (year, month), path
        assert isinstance(meta["tags"], list) and 2 <= len(meta["tags"]) <= 5
        assert len(set(meta["tags"])) == len(meta["tags"])
        assert all(isinstance(t, str) and t in corpus.TAGS for t in meta["tags"])
        tags_seen.update(meta["tags"])
        assert isinstance(meta["summary"], str) and meta["summary"]
        assert set(meta["source"]) == {"name", "url"}
        assert meta["source"]["url"].startswith("https://")
        assert isinstance(meta["author"], str) and meta["author"]
        words = len(body.split())
        assert corpus.MIN_WORDS <= words <= corpus.MAX_WORDS, (path, words)
        assert 1 <= body.count("\n## ") <= 3, path
        assert "\n> " in body and "\n- " in body and "](https://" in body
        assert "*" in body or "_" in body
    assert len(tags_seen) > 20


def test_front_matter_parses_back_to_the_generated_values() -> None:
    # The quoting choices are the risky part: every title, tag, summary and
    # name must survive YAML exactly, including quotes, colons and Cyrillic.
    for article, _slug in corpus.iter_articles(11, 300):
        meta, body = split(corpus.article_text(article))
        assert meta["title"] == article.title
        assert meta["date"] == article.date
        assert meta["tags"] == list(article.tags)
        assert meta["summary"] == article.summary
        assert meta["source"] == {"name": article.source_name, "url": article.source_url}
        assert meta["author"] == article.author
        assert body.lstrip("\n") == article.body


def test_mix_of_realistic_features() -> None:
    articles = [a for a, _ in corpus.iter_articles(1, 400)]
    titles = [a.title for a in articles]
    assert any(any("\u0400" <= c <= "\u04ff" for c in t) for t in titles)  # Cyrillic
    assert any(c in t for t in titles for c in "‘’“”")  # typographic quotes
    tables = sum("|---|" in a.body for a in articles)
    assert 40 <= tables <= 130  # about one in five
    offsets = {a.date.utcoffset() for a in articles}
    assert len(offsets) > 5
    years = {a.date.year for a in articles}
    assert len(years) == 10
    # Zipf: the most common tag is far more common than a median one
    from collections import Counter

    counts = Counter(t for a in articles for t in a.tags)
    assert counts[corpus.TAGS[0]] > 5 * max(1, counts[corpus.TAGS[150]])


@pytest.mark.parametrize("names", [corpus.TAGS, tuple(name for name, _ in corpus.SOURCES)], ids=["tags", "sources"])
def test_no_two_names_share_a_slug(names: tuple[str, ...]) -> None:
    # 'almaty' and 'алматы' would both become /tags/almaty/: a real SSG error
    slugs = {corpus.slugify(n, 200) for n in names}
    assert len(slugs) == len(names)


def test_slugs_are_unique(tmp_path: Path) -> None:
    slugs = [slug for _, slug in corpus.iter_articles(1, 500)]
    assert len(set(slugs)) == len(slugs)


def test_refuses_to_wipe_a_content_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "mine.md").write_text("keep me", encoding="utf-8")
    with pytest.raises(SystemExit):
        corpus.write_corpus(tmp_path, 3)
    assert (tmp_path / "content" / "mine.md").read_text(encoding="utf-8") == "keep me"
