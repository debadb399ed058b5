"""data/leaders.csv: every term has a source, sane dates, no two holders of one post at once, and the
hand-overs that were once wrong in the table now read as the appointment records give them."""
import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from extractor.stages.locate.people import lookup_provincial, provincial_terms

CSV_PATH = Path(__file__).resolve().parent.parent / "extractor" / "data" / "leaders.csv"
URL = re.compile(r"https?://\S+")


def _rows() -> list[dict]:
    text = CSV_PATH.read_text(encoding="utf-8")
    body = "\n".join(ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))
    return list(csv.DictReader(io.StringIO(body)))


ROWS = _rows()


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def holders(province: str, post: str, day: str) -> list[str]:
    """Who held ``post`` in ``province`` on ``day``; a term covers start <= day < end."""
    when = dt.date.fromisoformat(day)
    return [r["name"] for r in ROWS
            if r["province"] == province and r["post"] == post
            and _date(r["start"]) <= when and (not r["end"] or when < _date(r["end"]))]


def test_header_names_the_source_column_last() -> None:
    assert list(ROWS[0]) == ["province", "post", "name", "start", "end", "source"]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f'{r["province"]}-{r["post"]}-{r["name"]}')
def test_every_row_has_http_sources(row: dict) -> None:
    urls = row["source"].split()
    assert urls, row
    assert all(URL.fullmatch(u) for u in urls), row["source"]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f'{r["province"]}-{r["post"]}-{r["name"]}')
def test_dates_parse_and_start_is_not_after_end(row: dict) -> None:
    start, end = _date(row["start"]), _date(row["end"])
    assert start is not None
    assert end is None or start <= end, row
    assert row["post"] in {"secretary", "governor"}


def test_no_two_terms_of_one_post_overlap() -> None:
    by_post: dict[tuple[str, str], list[dict]] = {}
    for r in ROWS:
        by_post.setdefault((r["province"], r["post"]), []).append(r)
    for key, terms in by_post.items():
        terms.sort(key=lambda r: r["start"])
        assert all(r["end"] for r in terms[:-1]), (key, "only the last term may be open")
        for prev, nxt in zip(terms, terms[1:]):
            assert _date(nxt["start"]) >= _date(prev["end"]), (key, prev["name"], nxt["name"])


def test_loader_reads_every_row() -> None:
    assert sum(len(ts) for ts in provincial_terms().values()) == len(ROWS)


# Hand-overs that a check against the appointment records found wrong in the earlier table.
KNOWN = [
    ("河南省", "secretary", "2021-05-15", "王国生"),   # 楼阳生 took over on 2021-06-01
    ("河南省", "secretary", "2021-06-15", "楼阳生"),
    ("山西省", "secretary", "2021-05-15", "楼阳生"),
    ("安徽省", "secretary", "2023-01-01", "郑栅洁"),   # until 2023-03-14
    ("安徽省", "secretary", "2023-03-20", "韩俊"),
    ("宁夏回族自治区", "secretary", "2022-03-01", "陈润儿"),  # left 2022-03-29
    ("宁夏回族自治区", "secretary", "2022-04-15", "梁言顺"),
    ("辽宁省", "governor", "2017-11-15", "唐一军"),   # acting from 2017-10-30
    ("陕西省", "governor", "2019-06-01", "刘国中"),
    ("陕西省", "governor", "2021-06-01", "赵一德"),   # 2020-08-02 to 2022-12-01
    ("陕西省", "governor", "2023-06-01", "赵刚"),
    ("天津市", "governor", "2022-05-10", None),      # vacancy: 廖国勋 died 2022-04-27, 张工 from 05-31
]


@pytest.mark.parametrize("province,post,day,name", KNOWN)
def test_known_hand_overs(province: str, post: str, day: str, name: str | None) -> None:
    assert holders(province, post, day) == ([name] if name else [])


def test_lookup_uses_the_corrected_terms() -> None:
    assert lookup_provincial("楼阳生", "省委书记", dt.date(2021, 5, 15)).province == "山西省"
    assert lookup_provincial("楼阳生", "省委书记", dt.date(2021, 6, 15)).province == "河南省"
    assert lookup_provincial("郑栅洁", "省委书记", dt.date(2023, 1, 1)).province == "安徽省"
    assert lookup_provincial("梁言顺", "自治区党委书记", dt.date(2022, 4, 15)).province == "宁夏回族自治区"
    assert lookup_provincial("唐一军", "省长", dt.date(2017, 11, 15)).province == "辽宁省"
    assert lookup_provincial("赵一德", "省长", dt.date(2021, 6, 1)).province == "陕西省"
    assert lookup_provincial("赵刚", "省长", dt.date(2021, 6, 1)) is None
