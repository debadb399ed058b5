"""trackers: directive counts by province, month and indicator, beside OxCGRT's provincial values.

OxCGRT codes China by province (``RegionCode`` CHN_ZJ …). ``province_series`` turns a directive
table into counts of directives per province, month and OxCGRT indicator (the ``oxcgrt`` column);
``read_oxcgrt`` reads an OxCGRT file in either of its published layouts; ``join_oxcgrt`` puts the
province's monthly mean OxCGRT value beside each count.

Layouts read: the ``timeseries`` files (one row per jurisdiction, one column per day: ``01Jan2020``
…, the variable named by the caller) and the ``compact`` files (one row per jurisdiction and day:
``RegionCode``, ``Date`` as YYYYMMDD, one column per indicator: ``C8EV_International travel
controls``, ``H2_Testing policy``, ``StringencyIndex_Average`` …).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# Provinces as OxCGRT codes them (RegionCode), by their full Chinese names.
PROVINCE_CODES = {
    "安徽省": "CHN_AH", "北京市": "CHN_BJ", "重庆市": "CHN_CQ", "福建省": "CHN_FJ", "广东省": "CHN_GD", "甘肃省": "CHN_GS",
    "广西壮族自治区": "CHN_GX", "贵州省": "CHN_GZ", "河南省": "CHN_HA", "湖北省": "CHN_HB", "河北省": "CHN_HE",
    "海南省": "CHN_HI", "黑龙江省": "CHN_HL", "湖南省": "CHN_HN", "吉林省": "CHN_JL", "江苏省": "CHN_JS", "江西省": "CHN_JX",
    "辽宁省": "CHN_LN", "内蒙古自治区": "CHN_NM", "宁夏回族自治区": "CHN_NX", "青海省": "CHN_QH", "四川省": "CHN_SC",
    "山东省": "CHN_SD", "上海市": "CHN_SH", "陕西省": "CHN_SN", "山西省": "CHN_SX", "天津市": "CHN_TJ",
    "新疆维吾尔自治区": "CHN_XJ", "西藏自治区": "CHN_XZ", "云南省": "CHN_YN", "浙江省": "CHN_ZJ"}
_DAY = re.compile(r"^\d{2}[A-Z][a-z]{2}\d{4}$")  # 01Jan2020


def province_series(df: Any, scheme: str = "oxcgrt") -> Any:
    """Directives per province, month and code: columns ``province``, ``region_code``, ``month``
    (YYYY-MM of the meeting date, else the publication date), ``code``, ``n_directives``, and
    ``n_month`` (the province's directives that month, with or without a code)."""
    import pandas as pd

    from extractor.analysis.compare import SCHEMES, group_labels

    months = group_labels(df, "month")
    column = SCHEMES[scheme]
    rows = []
    for province, month, codes in zip(df["province"].fillna(""), months, df[column].fillna("")):
        for code in dict.fromkeys(c for c in str(codes).split("|") if c) or [""]:
            rows.append((province, PROVINCE_CODES.get(province, ""), month, code))
    long = pd.DataFrame(rows, columns=["province", "region_code", "month", "code"])
    per_month = pd.DataFrame({"province": df["province"].fillna("").to_numpy(), "month": months.to_numpy()})
    totals = per_month.groupby(["province", "month"]).size().rename("n_month").reset_index()
    out = (long[long["code"] != ""].groupby(["province", "region_code", "month", "code"]).size()
           .rename("n_directives").reset_index())
    return out.merge(totals, on=["province", "month"], how="left")


def read_oxcgrt(path: str | Path, variable: str = "value") -> Any:
    """An OxCGRT file as long rows ``region_code``, ``date``, ``variable``, ``value``.

    A ``timeseries`` file holds one variable (its name is not in the file: give it as
    ``variable``); a ``compact`` file holds many, each column one variable."""
    import pandas as pd

    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "RegionCode" not in raw:
        raise ValueError(f"{path}: not an OxCGRT file (no RegionCode column)")
    days = [c for c in raw.columns if _DAY.match(c)]
    if days:
        long = raw.melt(id_vars=["RegionCode"], value_vars=days, var_name="date", value_name="value")
        long["date"] = pd.to_datetime(long["date"], format="%d%b%Y")
        long["variable"] = variable
    elif "Date" in raw:
        values = [c for c in raw.columns if re.match(r"^(?:[CEHV]\d|StringencyIndex|GovernmentResponseIndex|"
                                                     r"ContainmentHealthIndex|EconomicSupportIndex)", c)]
        long = raw.melt(id_vars=["RegionCode", "Date"], value_vars=values, var_name="variable", value_name="value")
        long["date"] = pd.to_datetime(long.pop("Date"), format="%Y%m%d")
    else:
        raise ValueError(f"{path}: neither a timeseries (day columns) nor a compact (Date column) OxCGRT file")
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    return long.rename(columns={"RegionCode": "region_code"})[["region_code", "date", "variable", "value"]]


def indicator_of(variable: str) -> str:
    """``C8EV_International travel controls`` → ``C8``; an index keeps its own name."""
    m = re.match(r"^([CEHV]\d)", variable)
    return m.group(1) if m else variable


def join_oxcgrt(series: Any, oxcgrt: Any, by_indicator: bool = True) -> Any:
    """``province_series`` with ``oxcgrt_mean``: the province's mean OxCGRT value over the month.

    ``by_indicator``: each code is joined to its own indicator (C8 to C8); otherwise every row gets
    the one variable of ``oxcgrt`` (a stringency index)."""
    ox = oxcgrt.dropna(subset=["value"]).copy()
    ox["month"] = ox["date"].dt.strftime("%Y-%m")
    if by_indicator:
        ox["code"] = ox["variable"].map(indicator_of)
        keys = ["region_code", "month", "code"]
    else:
        keys = ["region_code", "month"]
    monthly = ox.groupby(keys)["value"].mean().rename("oxcgrt_mean").reset_index()
    return series.merge(monthly, on=keys, how="left")
