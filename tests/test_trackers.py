"""Directive counts by province, month and indicator beside OxCGRT's provincial values."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from extractor.analysis.trackers import PROVINCE_CODES, indicator_of, join_oxcgrt, province_series, read_oxcgrt

ROOT = Path(__file__).resolve().parents[1]
EXCERPT = Path(__file__).parent / "data" / "oxcgrt" / "OxCGRT_timeseries_StringencyIndex_v1_CHN_excerpt.csv"


@pytest.fixture(scope="module")
def seeds_table(tmp_path_factory):
    from extractor.cli import main
    from extractor.output.table import read_directives

    out = tmp_path_factory.mktemp("trk") / "d.csv"
    assert main(["extract", str(ROOT / "seeds"), "-o", str(out), "-q", "--jobs", "1"]) == 0
    return read_directives(out)


def test_series_counts_directives_per_province_month_and_indicator(seeds_table):
    series = province_series(seeds_table)
    zj = series[(series["region_code"] == "CHN_ZJ") & (series["month"] == "2020-05")].set_index("code")
    rows = seeds_table[(seeds_table["province"] == "浙江省") & seeds_table["meeting_date"].str.startswith("2020-05")]
    assert zj.loc["C8", "n_directives"] == sum("C8" in c.split("|") for c in rows["oxcgrt"])
    assert set(zj["n_month"]) == {len(rows)}


def test_join_with_the_shipped_oxcgrt_stringency_excerpt(seeds_table):
    oxcgrt = read_oxcgrt(EXCERPT, variable="StringencyIndex_Average")
    joined = join_oxcgrt(province_series(seeds_table), oxcgrt, by_indicator=False)
    # the expected mean straight from the file: 浙江, May 2020
    with open(EXCERPT, encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["RegionCode"] == "CHN_ZJ")
    may = [float(v) for k, v in row.items() if k.endswith("May2020") and v]
    got = joined[(joined["region_code"] == "CHN_ZJ") & (joined["month"] == "2020-05")]["oxcgrt_mean"]
    assert len(may) == 31 and set(got.round(6)) == {round(sum(may) / 31, 6)}
    # every seed province is in the excerpt, so every row has a value
    assert joined["oxcgrt_mean"].notna().all()


def test_join_by_indicator_on_a_frame_in_the_compact_layout(tmp_path, seeds_table):
    # OxCGRT's compact subnational layout; the values are made up for the test
    path = tmp_path / "compact.csv"
    pd.DataFrame({"CountryName": ["China"] * 3, "CountryCode": ["CHN"] * 3, "RegionName": ["Zhejiang"] * 3,
                  "RegionCode": ["CHN_ZJ"] * 3, "Jurisdiction": ["STATE_TOTAL"] * 3,
                  "Date": ["20200524", "20200525", "20200601"],
                  "C8EV_International travel controls": ["3", "4", "4"], "H2_Testing policy": ["2", "2", "3"],
                  "StringencyIndex_Average": ["40.1", "41.2", "42.0"]}).to_csv(path, index=False)
    oxcgrt = read_oxcgrt(path)
    joined = join_oxcgrt(province_series(seeds_table), oxcgrt).set_index(["region_code", "month", "code"])
    assert joined.loc[("CHN_ZJ", "2020-05", "C8"), "oxcgrt_mean"] == pytest.approx(3.5)
    assert joined.loc[("CHN_ZJ", "2020-05", "H2"), "oxcgrt_mean"] == pytest.approx(2.0)
    assert pd.isna(joined.loc[("CHN_SH", "2020-02", "C8"), "oxcgrt_mean"])  # no Shanghai rows in the frame


def test_codes_and_names():
    assert PROVINCE_CODES["黑龙江省"] == "CHN_HL" and len(PROVINCE_CODES) == 31
    assert indicator_of("C8EV_International travel controls") == "C8"
    assert indicator_of("StringencyIndex_Average") == "StringencyIndex_Average"
    with pytest.raises(ValueError, match="not an OxCGRT file"):
        read_oxcgrt(Path(__file__).parent / "data" / "seeds_gold.json")
