"""Recognise fingerprinted file names such as ``style.3f2a9c1e.css``.

A fingerprinted file never changes under its name (a new version gets a new
name), so it may be cached forever. Standard library only: the build may reuse
this without importing anything else of ``digest.publish``.
"""

from __future__ import annotations

import re

# The hash is a dot-separated run of 8+ lowercase hex digits right before the
# extension (one or two parts, so ``app.3f2a9c1e.js.map`` counts too).
_FINGERPRINT = re.compile(r"^[^/]+?\.(?P<hash>[0-9a-f]{8,})(?:\.[A-Za-z0-9]+){1,2}$")
_HAS_DIGIT = re.compile(r"[0-9]")
_HAS_LETTER = re.compile(r"[a-f]")


def is_fingerprinted(name: str) -> bool:
    """Whether the file name (or path; only its last part counts) carries a content hash.

    The hash must mix digits and letters: ``report.20240101.pdf`` (a date) and
    ``notes.deadbeef.txt`` (a word) are not fingerprints. Calling a changeable
    file immutable would pin a stale copy in caches for a year; missing a real
    hash that happens to be all digits (about 2% of 8-digit hashes) only costs
    a shorter cache lifetime.
    """
    base = name.rsplit("/", 1)[-1]
    match = _FINGERPRINT.match(base)
    if match is None:
        return False
    digest = match.group("hash")
    return bool(_HAS_DIGIT.search(digest) and _HAS_LETTER.search(digest))
