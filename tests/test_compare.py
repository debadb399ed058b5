"""compare, vocab, chart and the `directives compare` command, checked against numbers worked out by
hand for a small directive table built here."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from extractor.cli import main
from extractor.analysis.compare import (
    UNKNOWN,
    city_group,
    compare_records,
    compare_themes,
    group_labels,
    wilson_interval,
)
from extractor.models import DirectiveRow, DocumentRow, Notice
from extractor.output.table import TableWriter, directive_columns, read_directives

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


# -- the hand-built directive table --------------------------------------------------------------
# notice  city  province admin_level  meeting_date published   directives' themes
# a1      甲市  浙江省   city         2020-05-25   2020-05-26  testing|quarantine ; testing ; (none)
# a2      甲市  浙江省   city         (none)       2020-06-02  quarantine
# b1      乙市  江苏省   city         2020-05-03   2020-05-04  testing ; testing|schools ; schools ;
#                                                               accountability ; (none)
# c1      (none) 丙省    province     2020-06-10   2020-06-11  testing
# u1      (none) (none)  (none)       (none)       (none)      quarantine
# u2      (none) 丙省    county       2020-06-20   2020-06-21  schools
NOTICES = {
    "a1": ("甲市", "浙江省", "city", "2020-05-25", "2020-05-26", "甲市疫情防控例会"),
    "a2": ("甲市", "浙江省", "city", "", "2020-06-02", "甲市疫情防控例会"),
    "b1": ("乙市", "江苏省", "city", "2020-05-03", "2020-05-04", "乙市常委会"),
    "c1": ("", "丙省", "province", "2020-06-10", "2020-06-11", "省委专题会议"),
    "u1": ("", "", "", "", "", ""),
    "u2": ("", "丙省", "county", "2020-06-20", "2020-06-21", "县指挥部会议"),
}
DIRECTIVES = [  # (doc_id, themes, text)
    ("a1", "testing|quarantine", "要做好全员核酸检测,集中隔离人员应隔尽隔。"),
    ("a1", "testing", "要扩大核酸检测范围,提高核酸采样效率。"),
    ("a1", "", "要认真总结经验。"),
    ("a2", "quarantine", "要严格集中隔离点管理。"),
    ("b1", "testing", "要加快核酸检测速度。"),
    ("b1", "testing|schools", "要对学校师生开展核酸检测。"),
    ("b1", "schools", "要做好学校开学准备,校园封闭管理。"),
    ("b1", "accountability", "要压实属地责任,严肃追责问责。"),
    ("b1", "", "要加强学习。"),
    ("c1", "testing", "要做好核酸检测。"),
    ("u1", "quarantine", "要落实隔离措施。"),
    ("u2", "schools", "要做好校园防控。"),
]


def hand_table() -> pd.DataFrame:
    rows = []
    for no, (doc_id, themes, text) in enumerate(DIRECTIVES, 1):
        city, province, level, meeting, published, issuer = NOTICES[doc_id]
        row = dict.fromkeys(directive_columns(), "")
        row.update(doc_id=doc_id, source_path=f"{doc_id}.txt", city=city, province=province,
                   admin_level=level, meeting_date=meeting, published=published, issuer=issuer,
                   directive_no=str(no), kind="unnumbered", numbered="False", marker="要", text=text,
                   primary_theme=themes.split("|")[0], themes=themes, start="0", end=str(len(text)))
        rows.append(row)
    return pd.DataFrame(rows, columns=directive_columns())


@pytest.fixture
def table_csv(tmp_path: Path) -> Path:
    path = tmp_path / "directives.csv"
    hand_table().to_csv(path, index=False, encoding="utf-8-sig")
    return path


def cell(result: pd.DataFrame, by: str, group: str, theme: str) -> pd.Series:
    rows = result[(result[by] == group) & (result["theme"] == theme)]
    assert len(rows) == 1, (group, theme)
    return rows.iloc[0]


# -- Wilson score interval -----------------------------------------------------------------------
# z = 1.96, z² = 3.8415. For k of n: centre = (p + z²/2n) / (1 + z²/n),
# half = z·sqrt(p(1−p)/n + z²/4n²) / (1 + z²/n).
WILSON_CASES = [
    # k, n, low, high
    (2, 4, 0.1500, 0.8500),  # p=.5: centre .5, half 1.96·sqrt(.0625+.0600)/1.9604 = .3500
    (2, 5, 0.1176, 0.7693),  # p=.4: centre .78415/1.7683=.4435, half .57617/1.7683=.3258
    (0, 5, 0.0, 0.4345),     # high = (z²/n)/(1+z²/n) = .7683/1.7683
    (1, 1, 0.2065, 1.0),     # low = 1/(1+z²) = 1/4.8415
    (1, 2, 0.0945, 0.9055),  # p=.5: half 1.96·sqrt(.125+.2401)/2.9207 = .4055
    (2, 2, 0.3424, 1.0),     # centre 1.9604/2.9207=.6712, half .9604/2.9207=.3288
    (3, 5, 0.2307, 0.8824),  # p=.6: centre .98415/1.7683=.5565, half .3258
]


@pytest.mark.parametrize(("k", "n", "low", "high"), WILSON_CASES)
def test_wilson_interval_matches_hand_values(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_wilson_interval_of_no_trials_is_undefined():
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


def test_five_notices_each_cannot_separate_60_from_40_percent():
    # 3 of 5 notices against 2 of 5: the intervals overlap almost entirely
    a, b = wilson_interval(3, 5), wilson_interval(2, 5)
    assert a[0] < 0.4 < a[1] and b[0] < 0.6 < b[1]
    assert a[0] < b[1]


# -- counts and shares by city --------------------------------------------------------------------
# group     directives notices  testing(dir, notices)  quarantine    schools      accountability
# 甲市      4          2        2/4, 1/2 (a1)          2/4, 2/2      0/4, 0/2     0/4, 0/2
# 乙市      5          1        2/5, 1/1               0/5, 0/1      2/5, 1/1     1/5, 1/1
# 丙省      1          1        1/1, 1/1               0             0            0
# (unknown) 2 (u1, u2) 2        0/2, 0/2               1/2, 1/2      1/2, 1/2     0
#   u2 is a county body with no city: not filed under its province.
# overall weight: testing 5, quarantine 3, schools 3, accountability 1 → testing, quarantine, schools
#   (tie broken by id), accountability.
HAND_BY_CITY = [
    # group, theme, n_dir, group_dir, share_dir, n_notices, group_notices, share_notices
    ("甲市", "testing", 2, 4, 0.5, 1, 2, 0.5),
    ("甲市", "quarantine", 2, 4, 0.5, 2, 2, 1.0),
    ("甲市", "schools", 0, 4, 0.0, 0, 2, 0.0),
    ("甲市", "accountability", 0, 4, 0.0, 0, 2, 0.0),
    ("乙市", "testing", 2, 5, 0.4, 1, 1, 1.0),
    ("乙市", "quarantine", 0, 5, 0.0, 0, 1, 0.0),
    ("乙市", "schools", 2, 5, 0.4, 1, 1, 1.0),
    ("乙市", "accountability", 1, 5, 0.2, 1, 1, 1.0),
    ("丙省", "testing", 1, 1, 1.0, 1, 1, 1.0),
    ("丙省", "quarantine", 0, 1, 0.0, 0, 1, 0.0),
    (UNKNOWN, "quarantine", 1, 2, 0.5, 1, 2, 0.5),
    (UNKNOWN, "schools", 1, 2, 0.5, 1, 2, 0.5),
    (UNKNOWN, "testing", 0, 2, 0.0, 0, 2, 0.0),
]


def test_counts_and_shares_by_city_match_the_hand_table():
    result = compare_themes(hand_table(), "city")
    for group, theme, nd, gd, sd, nn, gn, sn in HAND_BY_CITY:
        r = cell(result, "city", group, theme)
        assert (r.n_directives, r.group_directives, r.n_notices, r.group_notices) == (nd, gd, nn, gn)
        assert r.share_directives == pytest.approx(sd)
        assert r.share_notices == pytest.approx(sn)
        assert (r.share_directives_low, r.share_directives_high) == pytest.approx(wilson_interval(nd, gd))
        assert (r.share_notices_low, r.share_notices_high) == pytest.approx(wilson_interval(nn, gn))
    # every group × every theme seen anywhere: 4 groups × 4 themes
    assert len(result) == 16


def test_intervals_in_the_hand_table():
    result = compare_themes(hand_table(), "city")
    r = cell(result, "city", "甲市", "testing")  # 2 of 4 directives, 1 of 2 notices
    assert (r.share_directives_low, r.share_directives_high) == pytest.approx((0.1500, 0.8500), abs=5e-5)
    assert (r.share_notices_low, r.share_notices_high) == pytest.approx((0.0945, 0.9055), abs=5e-5)
    r = cell(result, "city", "乙市", "quarantine")  # 0 of 5 directives, 0 of 1 notice
    assert (r.share_directives_low, r.share_directives_high) == pytest.approx((0.0, 0.4345), abs=5e-5)
    assert (r.share_notices_low, r.share_notices_high) == pytest.approx((0.0, 0.7935), abs=5e-5)


def test_group_and_theme_order():
    result = compare_themes(hand_table(), "city")
    # by notices (甲市 2; 乙市 1 with 5 directives before 丙省 1 with 1), (unknown) last
    assert list(dict.fromkeys(result["city"])) == ["甲市", "乙市", "丙省", UNKNOWN]
    # by overall weight, the same order in every group
    assert list(result[result["city"] == "乙市"]["theme"]) == ["testing", "quarantine", "schools",
                                                             "accountability"]
    assert cell(result, "city", "甲市", "testing").label == "核酸检测与筛查"


def test_province_level_notice_is_listed_under_its_province():
    assert city_group("", "河南省", "province") == "河南省"
    assert city_group("上海市", "上海市", "province") == "上海市"
    assert city_group("", "河南省", "") == "河南省"  # level unknown: the province is the best we know
    assert city_group("", "河南省", "county") == UNKNOWN  # a county body's city is not its province
    assert city_group("", "", "") == UNKNOWN
    assert city_group(float("nan"), None, pd.NA) == UNKNOWN


@pytest.mark.parametrize(("by", "expected"), [
    # a2 has no meeting date: its publication month; u1 has neither date
    ("month", ["2020-05", "2020-05", "2020-05", "2020-06", "2020-05", "2020-05", "2020-05", "2020-05",
               "2020-05", "2020-06", UNKNOWN, "2020-06"]),
    ("province", ["浙江省"] * 4 + ["江苏省"] * 5 + ["丙省", UNKNOWN, "丙省"]),
    ("admin_level", ["city"] * 9 + ["province", UNKNOWN, "county"]),
    ("issuer", ["甲市疫情防控例会"] * 4 + ["乙市常委会"] * 5 + ["省委专题会议", UNKNOWN, "县指挥部会议"]),
])
def test_group_labels(by, expected):
    assert list(group_labels(hand_table(), by)) == expected


def test_months_are_chronological():
    result = compare_themes(hand_table(), "month")
    assert list(dict.fromkeys(result["month"])) == ["2020-05", "2020-06", UNKNOWN]
    # 2020-05: a1 (met 05-25, 3 directives) and b1 (met 05-03, 5); a2 has no meeting date and was
    # published 06-02, so it is 2020-06. testing: 2 directives in a1 + 2 in b1
    r = cell(result, "month", "2020-05", "testing")
    assert (r.n_directives, r.group_directives, r.n_notices, r.group_notices) == (4, 8, 2, 2)


def test_month_works_on_date_objects_and_missing_columns():
    df = hand_table()
    df["meeting_date"] = pd.to_datetime(df["meeting_date"], errors="coerce").dt.date
    assert list(group_labels(df, "month"))[:4] == ["2020-05", "2020-05", "2020-05", "2020-06"]
    assert set(group_labels(df.drop(columns=["meeting_date", "published"]), "month")) == {UNKNOWN}


def test_unknown_grouping_and_missing_columns_are_errors():
    with pytest.raises(ValueError, match="cannot group by"):
        compare_themes(hand_table(), "county")
    with pytest.raises(ValueError, match="no column"):
        compare_themes(hand_table().drop(columns=["city"]), "city")


def test_a_theme_repeated_on_one_directive_counts_once():
    result = compare_records([("甲市", "a", "testing|testing"), ("甲市", "a", "")], "city")
    assert cell(result, "city", "甲市", "testing").n_directives == 1


# -- the themes_by_city sheet ---------------------------------------------------------------------
def _notice(doc_id: str) -> Notice:
    city, province, level, meeting, published, issuer = NOTICES[doc_id]
    meta = {"city": city, "province": province, "admin_level": level, "issuer": issuer,
            "meeting_date": meeting or None, "published": published or None}
    rows = [DirectiveRow(doc_id=doc_id, source_path=f"{doc_id}.txt", directive_no=i, kind="unnumbered",
                         numbered=False, marker="要", text=text, primary_theme=themes.split("|")[0],
                         themes=themes, start=0, end=len(text), **meta)
            for i, (d, themes, text) in enumerate(DIRECTIVES, 1) if d == doc_id]
    return Notice(document=DocumentRow(doc_id=doc_id, source_path=f"{doc_id}.txt", n_directives=len(rows),
                                       **meta), directives=rows)


def test_xlsx_sheet_is_compare_by_city(tmp_path: Path):
    out = tmp_path / "d.xlsx"
    with TableWriter(out) as writer:
        for doc_id in NOTICES:
            writer.add(_notice(doc_id))
    sheet = pd.read_excel(out, sheet_name="themes_by_city", keep_default_na=False)
    expected = compare_themes(read_directives(out), "city")
    assert list(sheet.columns) == list(expected.columns)
    assert list(sheet["city"]) == list(expected["city"])
    assert list(sheet["n_notices"]) == list(expected["n_notices"])
    pd.testing.assert_series_equal(sheet["share_directives_high"], expected["share_directives_high"].round(4))
    r = cell(sheet, "city", "丙省", "testing")
    assert (r.n_directives, r.group_notices) == (1, 1)
    r = cell(sheet, "city", "甲市", "testing")
    assert (r.share_directives_low, r.share_directives_high) == (0.15, 0.85)


# -- the command ----------------------------------------------------------------------------------
def test_cli_writes_the_hand_numbers_to_csv(table_csv: Path, tmp_path: Path):
    out = tmp_path / "by_city.csv"
    assert main(["compare", str(table_csv), "--by", "city", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for spreadsheet programs
    written = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    r = cell(written, "city", "乙市", "schools")
    assert (r.n_directives, r.group_directives, r.n_notices, r.group_notices) == (2, 5, 1, 1)
    assert (r.share_directives, r.share_directives_low, r.share_directives_high) == (0.4, 0.1176, 0.7693)
    assert (r.share_notices, r.share_notices_low, r.share_notices_high) == (1.0, 0.2065, 1.0)
    assert not list(tmp_path.glob(".*.tmp"))


def test_cli_prints_a_table_with_intervals(table_csv: Path, capsys):
    assert main(["compare", str(table_csv)]) == 0
    out = capsys.readouterr().out
    for name in ("甲市", "乙市", "丙省", UNKNOWN):
        assert name in out
    assert "50% (15–85)" in out  # 甲市 testing: 2 of 4 directives
    assert "2/4" in out and "1/2" in out


def test_cli_xlsx_with_terms_has_two_sheets(table_csv: Path, tmp_path: Path):
    out = tmp_path / "by_province.xlsx"
    assert main(["compare", str(table_csv), "--by", "province", "-o", str(out), "--terms", "3"]) == 0
    sheets = pd.read_excel(out, sheet_name=None, keep_default_na=False)
    assert list(sheets) == ["themes_by_province", "terms_by_province"]
    assert set(sheets["themes_by_province"]["province"]) == {"浙江省", "江苏省", "丙省", UNKNOWN}
    terms = sheets["terms_by_province"]
    assert list(terms.columns) == ["province", "rank", "term", "z", "delta", "count", "count_rest", "notices"]
    assert (terms.groupby("province")["rank"].max() <= 3).all()


def test_cli_csv_with_terms_writes_a_companion(table_csv: Path, tmp_path: Path):
    out = tmp_path / "c.csv"
    assert main(["compare", str(table_csv), "-o", str(out), "--terms", "2"]) == 0
    terms = pd.read_csv(tmp_path / "c.terms.csv", encoding="utf-8-sig")
    assert set(terms["city"]) <= {"甲市", "乙市", "丙省", UNKNOWN}
    # 学校 is said twice in 乙市 and nowhere else (丙省's county notice says 校园)
    assert terms[terms["city"] == "乙市"].iloc[0]["term"] == "学校"


@pytest.mark.parametrize(("option", "name"), [("-o", "x.parquet"), ("--chart", "x.pdf")])
def test_cli_rejects_unsupported_formats(table_csv: Path, tmp_path: Path, option, name, capsys):
    assert main(["compare", str(table_csv), option, str(tmp_path / name)]) == 2
    assert "unsupported" in capsys.readouterr().err
    assert not (tmp_path / name).exists()


def test_cli_rejects_an_unknown_grouping(table_csv: Path):
    with pytest.raises(SystemExit) as exc:
        main(["compare", str(table_csv), "--by", "county"])
    assert exc.value.code == 2


def test_cli_names_a_missing_input(tmp_path: Path, capsys):
    assert main(["compare", str(tmp_path / "none.csv")]) == 2
    assert "none.csv" in capsys.readouterr().err


# -- distinctive vocabulary -----------------------------------------------------------------------
def test_log_odds_z_matches_hand_computation():
    from collections import Counter

    from extractor.analysis.vocab import log_odds_z

    # group {x:3, y:1}, rest {x:1, y:3}, prior = pooled {x:4, y:4}: n_i = n_j = 4, a0 = 8
    # delta_x = log(7/(4+8-3-4)) - log(5/(4+8-1-4)) = log(7/5) - log(5/7) = 0.672944
    # var_x = 1/7 + 1/5 = 0.342857 → z_x = 0.672944 / 0.585540 = 1.149272; y mirrors x
    scores = log_odds_z(Counter(x=3, y=1), Counter(x=1, y=3), Counter(x=4, y=4))
    assert scores["x"] == pytest.approx((1.149272, 0.672944), abs=1e-6)
    assert scores["y"] == pytest.approx((-1.149272, -0.672944), abs=1e-6)


def test_content_words_drop_stopwords_boilerplate_numbers_and_single_characters():
    from extractor.analysis.vocab import boilerplate_terms, is_content_word, segment_words

    assert {"疫情", "防控", "工作", "做好", "加强"} <= boilerplate_terms()
    assert is_content_word("核酸") and is_content_word("冷链")
    for word in ("疫情", "防控", "要", "的", "我们", "2020", "5月", "十二", "一是", "第三", ",", "。", "人"):
        assert not is_content_word(word), word
    words = segment_words(["会议强调,要做好疫情防控工作,一是加强核酸检测,2020年5月完成。"])[0]
    assert "核酸" in words
    assert not {"疫情", "防控", "工作", "做好", "加强", "一是", "2020", ","} & set(words)


def test_distinctive_terms_find_each_groups_own_words():
    from extractor.analysis.vocab import distinctive_terms

    texts = {"甲市": ["要做好冷链物品消杀,冷链从业人员定期检测。", "要加强进口冷链食品监管。",
                     "要加强社区网格管理。"],
             "乙市": ["要加快疫苗接种,扩大疫苗覆盖面。", "要做好老年人疫苗接种。",
                     "要加强社区网格管理。"]}
    df = pd.DataFrame([{"city": c, "province": "", "admin_level": "city", "doc_id": f"{c}{i}", "text": t}
                       for c, ts in texts.items() for i, t in enumerate(ts)])
    terms = distinctive_terms(df, "city", n=3)
    top = terms.groupby("city")["term"].first().to_dict()
    assert top == {"甲市": "冷链", "乙市": "疫苗"}
    assert "社区" not in set(terms["term"])  # shared by both: not distinctive (z = 0)
    row = terms[(terms["city"] == "甲市") & (terms["term"] == "冷链")].iloc[0]
    assert (row["count"], row["count_rest"], row["notices"]) == (3, 0, 2)
    assert (terms["z"] > 0).all()
    assert list(terms.groupby("city")["z"].apply(lambda z: z.is_monotonic_decreasing)) == [True, True]


def test_distinctive_terms_need_two_groups():
    from extractor.analysis.vocab import distinctive_terms

    df = pd.DataFrame({"city": ["甲市"], "province": [""], "admin_level": ["city"], "doc_id": ["a"],
                       "text": ["要做好冷链物品消杀。"]})
    assert distinctive_terms(df, "city").empty


# -- chart ----------------------------------------------------------------------------------------
def test_chart_uses_the_bundled_cjk_font_and_has_every_glyph(table_csv: Path, tmp_path: Path):
    from matplotlib import font_manager

    from extractor.output.chart import cjk_font, write_chart

    family = cjk_font()
    assert family == "Noto Sans CJK SC"
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert "mplfonts" in path
    result = compare_themes(read_directives(table_csv), "city")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would be a warning
        png = write_chart(result, "city", tmp_path / "c.png")
        svg = write_chart(result, "city", tmp_path / "c.svg", value="share_notices")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:500]


def test_chart_grows_with_the_number_of_groups():
    from extractor.output.chart import theme_heatmap

    def records(n_groups: int) -> list[tuple[str, str, str]]:
        return [(f"城市{i:02d}", f"d{i}", "testing|schools" if i % 2 else "testing") for i in range(n_groups)]

    small = theme_heatmap(compare_records(records(4), "city"), "city")
    large = theme_heatmap(compare_records(records(40), "city"), "city")
    assert large.get_figheight() > small.get_figheight() * 2.5
    ax = large.axes[0]
    assert ax.get_yticklabels()[0].get_text().startswith("城市00")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["核酸检测与筛查", "校园防控"]


def _weighted_records() -> list[tuple[str, str, str]]:
    """甲市: 10 notices of 4 directives, 20 of the 40 on testing, 1 on schools; 乙市: 2 notices."""
    records = [("甲市", f"a{n}", "testing" if (4 * n + k) % 2 == 0 else "") for n in range(10) for k in range(4)]
    records[1] = ("甲市", "a0", "schools")
    records += [("乙市", "b1", "testing"), ("乙市", "b2", "schools")]
    return records


def test_cells_of_small_groups_or_wide_intervals_are_marked():
    from extractor.output.chart import uncertain_cells

    table = compare_records(_weighted_records(), "city")
    marked = uncertain_cells(table, "city")
    assert list(marked.index) == ["甲市", "乙市"] and list(marked.columns) == ["testing", "schools"]
    # 甲市 testing: 20 of 40 directives, 50% (35–65), 10 notices: read it; 乙市: 2 notices, marked
    r = cell(table, "city", "甲市", "testing")
    assert (r.n_directives, r.group_directives, r.group_notices) == (20, 40, 10)
    assert marked.loc["甲市"].tolist() == [False, False]
    assert marked.loc["乙市"].tolist() == [True, True]
    # of the notices: 甲市 testing is in 10 of 10 (72–100): narrow; with a stricter width, marked
    assert not uncertain_cells(table, "city", "share_notices").loc["甲市", "testing"]
    assert uncertain_cells(table, "city", "share_notices", wide=0.2).loc["甲市", "testing"]
    # a group of 10 notices is a weak basis when the floor is raised above it
    assert uncertain_cells(table, "city", min_notices=11).to_numpy().all()


def test_the_chart_hatches_the_marked_cells_and_says_why_in_a_legend():
    from extractor.output.chart import theme_heatmap

    fig = theme_heatmap(compare_records(_weighted_records(), "city"), "city")
    ax = fig.axes[0]
    hatched = [(p.get_x(), p.get_y()) for p in ax.patches if p.get_hatch()]
    assert sorted(hatched) == [(-0.5, 0.5), (0.5, 0.5)]  # row 1 (乙市), both themes
    (legend,) = fig.legends
    assert "fewer than 5 notices" in legend.get_texts()[0].get_text()
    assert "95% interval wider than 40%" in legend.get_texts()[0].get_text()
    # nothing to mark: no legend
    records = [(g, f"{g}{n}", "testing") for g in ("甲市", "乙市") for n in range(30)]
    fig = theme_heatmap(compare_records(records, "city"), "city")
    assert not fig.legends and not [p for p in fig.axes[0].patches if p.get_hatch()]


def test_cli_chart(table_csv: Path, tmp_path: Path, capsys):
    chart = tmp_path / "themes.png"
    assert main(["compare", str(table_csv), "--chart", str(chart), "--chart-value", "notices"]) == 0
    assert chart.stat().st_size > 10_000
    assert "甲市" in capsys.readouterr().out  # the table is still printed


# -- the seeds ------------------------------------------------------------------------------------
def test_compare_by_city_on_the_seeds_lists_the_four_jurisdictions(tmp_path: Path):
    out = tmp_path / "d.csv"
    done = subprocess.run([sys.executable, "-m", "extractor", "extract", str(SEEDS), "-o", str(out), "-q"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    result = compare_themes(read_directives(out), "city")
    # two 宁波 notices, 上海 (a municipality: city 上海市), 双鸭山, and 河南省's provincial meeting
    assert set(result["city"]) == {"宁波市", "上海市", "双鸭山市", "河南省"}
    assert cell(result, "city", "宁波市", "testing").group_notices == 2
