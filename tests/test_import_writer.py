"""The content file an import writes: front matter that round-trips, a path by date and slug, no overwrites."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from digest.errors import DigestError
from digest.importer.model import Imported
from digest.importer.writer import article_path, render_article_file, write_new_file

ALMATY = ZoneInfo("Asia/Almaty")
WHEN = datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)

ITEM = Imported(
    title="Kazakhstan crisis ‘attempted coup’ – President",
    date=WHEN,
    summary="Tokayev thanks Russia for assistance in dealing with worst incident “in the history of the country”",
    body="Last week’s unrest throughout Kazakhstan…\n\n“I would like…” the Kazakh leader said.",
    source_name="RT",
    source_url="https://www.rt.com/russia/545741-kazakhstan-attempted-coup-tokayev/",
    source_published=datetime(2022, 1, 10, 3, 39, tzinfo=timezone.utc),
    author="Jane Doe",
)


def split(text: str) -> tuple[dict[str, object], str]:
    assert text.startswith("---\n")
    front, _, body = text[4:].partition("\n---\n")
    loaded = yaml.safe_load(front)
    assert isinstance(loaded, dict)
    return loaded, body


def test_rendered_file_exactly() -> None:
    text = render_article_file(ITEM, tags=["Kazakhstan", "Russia"], via="Telegram: @centralasia")
    assert text == (
        "---\n"
        "title: Kazakhstan crisis ‘attempted coup’ – President\n"
        "date: 2022-01-10 09:39:00+06:00\n"
        "summary: Tokayev thanks Russia for assistance in dealing with worst incident “in the history of the country”\n"
        "tags:\n"
        "- Kazakhstan\n"
        "- Russia\n"
        "author: Jane Doe\n"
        "source:\n"
        "  name: RT\n"
        "  url: https://www.rt.com/russia/545741-kazakhstan-attempted-coup-tokayev/\n"
        "  published: 2022-01-10 03:39:00+00:00\n"
        "via: 'Telegram: @centralasia'\n"
        "---\n"
        "\n"
        "Last week’s unrest throughout Kazakhstan…\n"
        "\n"
        "“I would like…” the Kazakh leader said.\n"
    )


def test_front_matter_round_trips() -> None:
    meta, body = split(render_article_file(ITEM, tags=["Kazakhstan"], via=None, draft=True))
    assert meta["title"] == ITEM.title
    assert meta["date"] == WHEN
    date_value = meta["date"]
    assert isinstance(date_value, datetime) and date_value.utcoffset() == timedelta(hours=6)
    assert meta["source"] == {"name": "RT", "url": ITEM.source_url, "published": ITEM.source_published}
    assert meta["draft"] is True
    assert "via" not in meta
    assert body == "\n" + ITEM.body + "\n"


def test_empty_fields_are_left_out_but_tags_stay() -> None:
    bare = Imported(title="Headline", date=WHEN, summary="", body="")
    text = render_article_file(bare, tags=[], via="")
    assert text == "---\ntitle: Headline\ndate: 2022-01-10 09:39:00+06:00\ntags: []\n---\n"


@pytest.mark.parametrize(
    "title",
    [
        "Tokayev: ‘attempted coup’",
        'He said: "no"',
        "'quoted' start",
        "- starts like a list",
        "# starts like a comment",
        "yes",
        "null",
        "2022-01-10",
        "@handle & *star* | pipe > gt % pct `tick`",
        "Trailing colon:",
        "multi\nline",
        "  spaced  ",
        "Президент: «переворот»",
    ],
)
def test_awkward_titles_stay_valid_yaml(title: str) -> None:
    meta, _ = split(render_article_file(Imported(title=title, date=WHEN, summary=title, body=""), tags=[title], via=title))
    one_line = " ".join(title.split())
    assert meta["title"] == one_line
    assert meta["summary"] == one_line
    assert meta["tags"] == [one_line]
    assert meta["via"] == one_line


@given(st.text(max_size=60))
def test_any_title_round_trips_as_one_line(title: str) -> None:
    # found by this test: PyYAML writes U+0085 raw and reads it back as a space
    meta, _ = split(render_article_file(Imported(title=title, date=WHEN, summary="", body=""), tags=[], via=None))
    assert meta["title"] == " ".join(title.split())


def test_line_separators_in_a_title_do_not_break_the_front_matter() -> None:
    meta, _ = split(render_article_file(Imported(title="a\x85b\u2028c", date=WHEN, summary="", body=""), tags=[], via=None))
    assert meta["title"] == "a b c"


def test_microseconds_are_dropped_from_dates() -> None:
    item = Imported(title="t", date=WHEN.replace(microsecond=123456), summary="", body="")
    assert "date: 2022-01-10 09:39:00+06:00\n" in render_article_file(item, tags=[], via=None)


def test_article_path_by_year_month_and_slug(tmp_path: Path) -> None:
    assert article_path(tmp_path, ITEM) == tmp_path / "2022" / "01" / "kazakhstan-crisis-attempted-coup-president.md"
    russian = Imported(title="Токаев: «Қазақстан»", date=WHEN, summary="", body="")
    assert article_path(tmp_path, russian).name == "tokaev-qazaqstan.md"
    emoji = Imported(title="🔥🔥", date=WHEN, summary="", body="")
    path = article_path(tmp_path, emoji)
    assert path.parent == tmp_path / "2022" / "01" and path.name.startswith("article-")


def test_write_new_file_creates_folders_and_refuses_to_overwrite(tmp_path: Path) -> None:
    content = tmp_path / "content"
    path = article_path(content, ITEM)
    assert write_new_file(path, "first", content_dir=content) == path
    assert path.read_text(encoding="utf-8") == "first"
    with pytest.raises(DigestError) as info:
        write_new_file(path, "second", content_dir=content)
    assert "already exists" in info.value.message and info.value.path == str(path)
    assert path.read_text(encoding="utf-8") == "first"


def test_write_new_file_never_leaves_the_content_folder(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    with pytest.raises(DigestError, match="outside the content folder"):
        write_new_file(content / ".." / "escape.md", "x", content_dir=content)
    assert not (tmp_path / "escape.md").exists()
    with pytest.raises(DigestError, match="outside the content folder"):
        write_new_file(tmp_path / "elsewhere" / "a.md", "x", content_dir=content)
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_write_new_file_does_not_follow_a_link_out(tmp_path: Path) -> None:
    content = tmp_path / "content"
    outside = tmp_path / "outside"
    content.mkdir()
    outside.mkdir()
    (content / "2022").symlink_to(outside, target_is_directory=True)
    with pytest.raises(DigestError, match="outside the content folder"):
        write_new_file(content / "2022" / "a.md", "x", content_dir=content)
    assert list(outside.iterdir()) == []


def test_written_file_uses_unix_newlines_and_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    write_new_file(path, render_article_file(ITEM, tags=[], via=None), content_dir=tmp_path)
    data = path.read_bytes()
    assert b"\r\n" not in data
    assert "‘attempted coup’".encode() in data
