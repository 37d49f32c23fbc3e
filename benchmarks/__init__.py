"""Benchmarks for digest: a seeded corpus generator and a build-time runner.

``python -m benchmarks.corpus`` writes a synthetic news-digest site;
``python -m benchmarks.run`` builds it with digest (and optionally Pelican and
Hugo) and appends the figures to ``benchmarks/RESULTS.md``.
"""
