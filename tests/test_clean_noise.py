"""Forum anti-scraping noise (random ASCII tokens inside lines) is removed in cleaning; ASCII that
reads as words or numbers is kept."""

from __future__ import annotations

import pytest

from extractor.clean import clean_text, strip_ascii_noise


@pytest.mark.parametrize(("text", "expected"), [
    ("返程人员疫情防控。4 U* k K! l6 h8 J5 }3 Y9 B", "返程人员疫情防控。"),
    ("; e k6 r$ D7 l( W要分类指导错峰返程。", "要分类指导错峰返程。"),
    (". m0 A3 Q9 m\" |3 c7 x31日,会议召开", "31日,会议召开"),
    ("编辑 \" B: {7 w% E: V' J1 n2 d: P- k", "编辑 "),
])
def test_noise_runs_are_removed(text, expected):
    assert strip_ascii_noise(text) == expected


@pytest.mark.parametrize("text", [
    "to be or not to be", "第 1 2 3 4 名", "http://www.a.com a b c", "CO2 H2O 和 O2", "No. 1 2 3",
    "扫码 App 登记", "A 级 B 级 C 级景区",
])
def test_words_and_numbers_are_kept(text):
    assert strip_ascii_noise(text) == text


def test_a_noise_only_line_leaves_no_line():
    cleaned = clean_text("会议强调:\n_\" n\" L5 ~; Q' B' R\n要加强健康监测。")
    assert cleaned.text.split("\n") == ["会议强调:", "要加强健康监测。"]
