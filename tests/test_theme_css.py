"""The default theme's stylesheet: the parts written by scripts, and their contrast."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO


def test_the_code_colours_in_style_css_are_the_ones_scripts_pygments_css_writes():
    """The highlighting rules are generated (AA contrast on --code-bg); a hand edit would drift from the script."""
    made = subprocess.run([sys.executable, str(REPO / "scripts/pygments-css")], capture_output=True, text=True, check=True)
    css = (REPO / "themes/default/static/style.css").read_text()
    assert css.endswith(made.stdout)
    assert ".highlight .ow { color: #aa22ff" not in css.lower()  # Pygments' own 4.24:1 on the page


def test_every_code_colour_reaches_aa_contrast_on_the_code_background():
    import runpy

    script = runpy.run_path(str(REPO / "scripts/pygments-css"), run_name="pygments_css")
    code = (REPO / "themes/default/static/style.css").read_text().split("/* ---- Code highlighting")[1]
    light, dark = code.split("@media (prefers-color-scheme: dark) {")
    for block, background in ((light, script["LIGHT_BG"]), (dark, script["DARK_BG"])):
        colours = re.findall(r"(?<![-\w])color: (#[0-9a-f]{6})", block)
        assert len(colours) > 40
        assert min(script["contrast"](c, background) for c in colours) >= 4.5
