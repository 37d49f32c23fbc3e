"""The opt-in fast Markdown engine gives the same features where both engines have them."""

from __future__ import annotations

import pytest

from conftest import article

pytest.importorskip("pyromark")

BODY = """
## Section *one*

| a | b |
|---|---|
| 1 | 2 |

"Quoted" text -- with a note.[^n]

```python
def f(): return 1
```

<script>alert(1)</script><a href="javascript:x()">bad</a>

[^n]: The footnote.
"""


@pytest.mark.parametrize("engine", ["default", "fast"])
def test_both_engines_render_the_features(make_site, run_build, engine):
    site = make_site({"content/a.md": article("Features", "2022-01-10", BODY)}, config=f"markdown: {{engine: {engine}}}\n")
    run_build(site)
    page = (site / "output/2022/01/10/a/index.html").read_text()
    body = page.split("<main", 1)[1]
    assert "<table tabindex=\"0\">" in body and "<td>1</td>" in body
    assert 'id="section-one"' in body
    assert "“Quoted” text – with a note." in body
    assert '<span class="k">def</span>' in body
    assert "The footnote." in body
    assert "<script>alert" not in body and "javascript:" not in body


def test_switching_engine_invalidates_the_cache(make_site, run_build):
    site = make_site({"content/a.md": article("A", "2022-01-10", "Text")})
    run_build(site)
    (site / "digest.yaml").write_text("markdown: {engine: fast}\n")
    assert run_build(site).rendered_markdown == 1
