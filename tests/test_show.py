"""show --html: each directive's extent visible, the evidence as tables, a font that is there."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from extractor import extract_notice
from extractor.output.show import CJK_FONT_STACK, render_html
from fixtures import SEEDS


class _Marks(HTMLParser):
    """The directive marks of a page: (classes, text inside)."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[list] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "mark" and dict(attrs).get("id", "").startswith("d"):
            self.marks.append([dict(attrs)["class"].split(), ""])
            self._depth = 1
        elif self._depth and tag == "b":
            self._depth += 1

    def handle_endtag(self, tag):
        if tag == "mark":
            self._depth = 0
        elif tag == "b" and self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth == 1:
            self.marks[-1][1] += data


@pytest.fixture(scope="module")
def notice():
    return extract_notice(SEEDS["003"].path)


@pytest.fixture(scope="module")
def page(notice) -> str:
    return render_html(notice)


def test_every_directive_is_one_mark_and_neighbours_alternate(notice, page):
    parser = _Marks()
    parser.feed(page)
    assert [text for _, text in parser.marks] == [d.text for d in notice.directives]
    assert [c[1] for c, _ in parser.marks] == [d.kind for d in notice.directives]
    shades = [c[2] for c, _ in parser.marks]
    assert shades == ["odd", "even"] * (len(shades) // 2) + ["odd"] * (len(shades) % 2)
    # two shades and a left rule for each kind
    for kind in ("numbered", "unnumbered", "parallel"):
        assert f"mark.{kind}.odd{{background:" in page and f"mark.{kind}.even{{background:" in page
    assert re.search(r"mark\{[^}]*border-left:3px solid", page)


def test_evidence_is_shown_as_tables(notice, page):
    assert "←" not in page  # no raw evidence strings
    fields = re.search(r'<table class="fields">(.*?)</table>', page, re.S).group(1)
    assert "<tr><th>meeting_date</th><td>2021-12-11</td><td class='ev'>meeting sentence:12月11日</td></tr>" in fields
    first = notice.directives[0]
    theme, terms = first.theme_terms.split("|")[0].split(":")
    assert f"<tr><td>{theme}</td><td>{terms.replace(',', '、')}</td></tr>" in page


def test_a_cjk_font_stack_ends_in_the_embedded_subset(page):
    assert f"font-family:{CJK_FONT_STACK}" in page
    assert CJK_FONT_STACK.index('"Noto Sans CJK SC"') < CJK_FONT_STACK.index('"Embedded CJK"')
    face = re.search(r'@font-face\{font-family:"Embedded CJK";[^}]*base64,([A-Za-z0-9+/=]+)\)', page)
    assert face and 20_000 < len(face.group(1)) < 1_000_000
    assert "@font-face" not in render_html(extract_notice("会议强调,要加强核酸检测。"), embed_font=False)


def test_the_embedded_font_has_the_glyphs_of_the_page(notice, page):
    import base64
    import io

    from fontTools.ttLib import TTFont

    data = re.search(r"base64,([A-Za-z0-9+/=]+)\)", page).group(1)
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    cmap = font.getBestCmap()
    used = {ch for ch in notice.document.text + notice.document.title if not ch.isspace()}
    assert used and all(ord(ch) in cmap for ch in used)


@pytest.mark.skipif(not shutil.which("chromium"), reason="headless Chromium is not installed")
def test_headless_chromium_draws_the_marks(tmp_path: Path):
    import matplotlib.image

    out, shot = tmp_path / "show.html", tmp_path / "show.png"
    from extractor.output.show import write_html

    write_html(extract_notice(SEEDS["003"].path), out)
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=1000,1400", f"--screenshot={shot}", out.as_uri()],
                   check=True, capture_output=True, timeout=120)
    pixels = (matplotlib.image.imread(shot)[..., :3] * 255).round().astype(int)
    colours = {tuple(p) for p in pixels.reshape(-1, 3)[::7]}
    # both shades of the parallel directives, and the numbered one, are painted
    for hex_colour in ("#f5e4f7", "#e8c8ed", "#dff1fb"):
        rgb = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        assert any(all(abs(a - b) <= 2 for a, b in zip(rgb, c)) for c in colours), hex_colour
