"""The dev server shows editions live: pages, /latest/, email.html, and edits to an edition's file."""

from __future__ import annotations

import pytest

from conftest import WEEKLY_EDITIONS, article
from serving import Running, start_server


@pytest.fixture
def running(make_site):
    site = make_site(
        {
            "content/a.md": article("First week story", "2022-01-04 10:00"),
            "content/b.md": article("Second week story", "2022-01-11 10:00"),
            "content/editions/1.md": "---\ntitle: Opening edition\n---\nWelcome aboard.\n",
        },
        config=WEEKLY_EDITIONS,
    )
    server = start_server(site)
    yield server
    server.server.stop()


def test_editions_are_served_and_follow_edits(running: Running):
    assert "Opening edition" in running.get("/editions/").text
    assert "Welcome aboard." in running.get("/editions/1/").text
    assert "Second week story" in running.get("/latest/").text
    email = running.get("/editions/1/email.html")
    assert email.status == 200 and 'style="' in email.text and "First week story" in email.text
    assert running.get("/editions/1/email.txt").text.startswith("Opening edition\n")
    mark = running.log.mark()
    running.write("content/editions/1.md", "---\ntitle: Renamed edition\n---\nA new intro.\n")
    running.log.rebuilt(mark)
    page = running.get("/editions/1/").text
    assert "Renamed edition" in page and "A new intro." in page and "Welcome aboard." not in page
    assert "Renamed edition" in running.get("/editions/1/email.html").text
    mark = running.log.mark()
    running.write("content/c.md", article("Late addition", "2022-01-05 10:00"))
    running.log.rebuilt(mark)
    assert "Late addition" in running.get("/editions/1/").text
