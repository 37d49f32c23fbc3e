"""The site the theme checks run on: the sample site, the Jekyll project's news posts, one rich article.

The rich article holds what real content brings and the sample lacks: a body
starting at ``###``, footnotes, highlighted code, a lead image repeated in the
body, a Liquid link, text not in NFC, and another language than the site's.
"""

from __future__ import annotations

import shutil
import struct
import unicodedata
import zlib
from pathlib import Path

from conftest import REPO, SHARED

CORPUS = SHARED / "corpus" / "jekyll-news"
# the one corpus file whose date does not parse (test_site_quality names it)
UNREADABLE = "2023-01-29-jekyll-3-9-3-released.markdown"


def png(width: int, height: int, rgb: tuple[int, int, int] = (40, 90, 140)) -> bytes:
    """A real PNG of one colour."""
    row = b"\x00" + bytes(rgb) * width
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")


RICH = """\
---
title: "Наурыз: көктемгі мереке"
date: 2022-03-21 09:00
lang: kk
summary: Наурыз мерекесі — көктемнің басы.
tags: [culture, kazakhstan]
image: nauryz.png
image_alt: Көк түсті сурет
source:
  name: Demo Daily
  url: https://example.org/demo-daily/nauryz
---

### Мереке туралы

{decomposed} Наурыз — Орталық Азиядағы ежелгі мереке.[^1] Толығырақ [репозиторийде]({{{{ site.repository }}}}/issues).

![Көк түсті сурет](nauryz.png)

#### Код

```python
def is_spring(month):
    return month in (3, 4, 5) and not month is None
```

Мәтін.[^2]

[^1]: Ескерту.
[^2]: Екінші ескерту.
"""


LEAD = """\
---
title: Spring sowing starts early in the south
date: 2025-12-01 08:00  # the newest: the home page's lead story, with its image
summary: Farmers in Turkistan region began sowing a week ahead of last year.
tags: [agriculture, kazakhstan]
image: fields.png
source:
  name: Demo Daily
  url: https://example.org/demo-daily/sowing
---

Farmers began sowing early; see [the ministry's note](https://example.org/notes?id=1&lang=en) for figures.
"""


def make_theme_site(root: Path, corpus: bool = True) -> Path:
    """Write the site into ``root`` and return it."""
    content = root / "content"
    shutil.copytree(REPO / "content", content)
    shutil.copy(REPO / "digest.yaml", root / "digest.yaml")
    if corpus and CORPUS.is_dir():
        (content / "jekyll").mkdir()
        for post in sorted(CORPUS.glob("*.markdown")):
            if post.name != UNREADABLE:
                shutil.copy(post, content / "jekyll" / post.name)
    rich = content / "2022" / "03"
    rich.mkdir(parents=True)
    decomposed = unicodedata.normalize("NFD", "Қош келдіңіз, Әлем!")
    (rich / "nauryz.md").write_text(RICH.format(decomposed=decomposed), encoding="utf-8")
    (rich / "nauryz.png").write_bytes(png(640, 360))
    (rich / "spring-sowing.md").write_text(LEAD, encoding="utf-8")
    (rich / "fields.png").write_bytes(png(800, 450, (60, 120, 60)))
    return root
