"""The workbooks open ready to filter: real date cells, a frozen header, an autofilter over every
table sheet, widths that follow the content (capped), percentages, named sheets, the codebook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from extractor.cli import main
from extractor.models import DirectiveRow, DocumentRow, Notice
from extractor.output.table import TableWriter, read_directives
from extractor.stages.tag import load_taxonomy
from extractor.output.xlsx import WIDTH_MAX, display_width
from fixtures import SEEDS

SEEDS_DIR = SEEDS["000"].path.parent


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("xlsx")
    extract, compared = folder / "d.xlsx", folder / "x.xlsx"
    assert main(["extract", str(SEEDS_DIR), "-o", str(extract), "-q", "--jobs", "1"]) == 0
    assert main(["compare", str(extract), "-o", str(compared)]) == 0
    assert main(["compare", str(extract), "--by", "month", "-o", str(folder / "m.xlsx"), "--terms", "3"]) == 0
    return {"extract": extract, "compare": compared, "month": folder / "m.xlsx"}


def _header(ws) -> list[str]:
    return [c.value for c in ws[1]]


def _column(ws, name: str) -> list:
    j = _header(ws).index(name)
    return [row[j] for row in ws.iter_rows(min_row=2)]


def test_sheets_are_named_never_sheet1(workbooks):
    assert load_workbook(workbooks["extract"]).sheetnames == ["directives", "documents", "themes_by_city",
                                                              "codebook"]
    assert load_workbook(workbooks["compare"]).sheetnames == ["themes_by_city"]
    assert load_workbook(workbooks["month"]).sheetnames == ["themes_by_month", "terms_by_month"]


def test_every_table_sheet_has_a_frozen_header_and_an_autofilter(workbooks):
    for path in workbooks.values():
        for ws in load_workbook(path).worksheets:
            assert ws.freeze_panes == "A2", (path.name, ws.title)
            last = ws.cell(1, ws.max_column).column_letter
            assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}", (path.name, ws.title)
            assert ws.max_row > 1 and all(c.font.b for c in ws[1])


def test_dates_are_date_cells(workbooks):
    wb = load_workbook(workbooks["extract"])
    for sheet in ("directives", "documents"):
        cells = [c for c in _column(wb[sheet], "published") if c.value is not None]
        assert cells, sheet
        assert all(c.is_date and c.number_format == "yyyy-mm-dd" for c in cells), sheet
    # 000 (宁波) met on 2020-05-25; its rows carry that date as a date
    directives = wb["directives"]
    paths = [c.value for c in _column(directives, "source_path")]
    meeting = [c.value for c in _column(directives, "meeting_date")]
    first = next(m for p, m in zip(paths, meeting) if p.endswith(SEEDS["000"].path.name))
    assert first.date() == dt.date(2020, 5, 25)
    # and read back as the ISO text the other formats give
    df = read_directives(workbooks["extract"])
    assert "2020-05-25" in set(df["meeting_date"])


def test_counts_are_numbers_and_shares_percentages(workbooks):
    for path, sheet in ((workbooks["extract"], "themes_by_city"), (workbooks["compare"], "themes_by_city")):
        ws = load_workbook(path)[sheet]
        for name in ("share_directives", "share_notices_low", "share_notices_high"):
            cells = _column(ws, name)
            assert all(isinstance(c.value, (int, float)) and c.number_format == "0.0%" for c in cells), name
            assert all(0 <= c.value <= 1 for c in cells)
        assert all(isinstance(c.value, int) and c.number_format == "General" for c in _column(ws, "n_notices"))
    ws = load_workbook(workbooks["extract"])["directives"]
    assert all(isinstance(c.value, int) for c in _column(ws, "start"))
    assert {c.value for c in _column(ws, "numbered")} == {True, False}


def test_widths_follow_the_content_and_long_text_wraps(workbooks):
    ws = load_workbook(workbooks["extract"])["directives"]
    header = _header(ws)

    def width(name):  # equal neighbours share one <col min max> entry
        j = header.index(name) + 1
        return next(d.width for d in ws.column_dimensions.values() if d.min <= j <= d.max)

    # a long Chinese text column is capped, and wraps
    assert width("text") == pytest.approx(WIDTH_MAX, abs=1)
    assert all(c.alignment.wrap_text for c in _column(ws, "text"))
    # a short column is as wide as its longest value (or its header), not the default 8.43 nor the cap
    longest_city = max(display_width(c.value or "") for c in _column(ws, "city"))
    assert longest_city + 1 <= width("city") < 20
    assert width("doc_id") == pytest.approx(16 + 2, abs=1)  # 16 hex digits
    # rows holding long text are taller than one line, capped
    heights = [ws.row_dimensions[r].height for r in range(2, ws.max_row + 1)]
    assert all(h is not None and 15 < h <= 90 for h in heights)


def test_codebook_sheet_has_every_theme_with_its_label(workbooks):
    ws = load_workbook(workbooks["extract"])["codebook"]
    assert _header(ws)[:2] == ["id", "label"]
    rows = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2)}
    assert rows == {t.id: t.label for t in load_taxonomy().themes}
    assert rows["testing"] == "核酸检测与筛查"


def test_text_cells_are_text_even_when_they_look_like_formulas(tmp_path):
    doc = DocumentRow(doc_id="1", source_path="=1+1.txt", title="=HYPERLINK(\"http://x\")", text="+要加强",
                      published=dt.date(2021, 1, 4))
    row = DirectiveRow(doc_id="1", source_path="=1+1.txt", directive_no=1, kind="unnumbered", numbered=False,
                       marker="要", text="-要加强", start=0, end=3)
    out = tmp_path / "d.xlsx"
    with TableWriter(out) as w:
        w.add(Notice(document=doc, directives=[row]))
    wb = load_workbook(out)
    text = _column(wb["directives"], "text")[0]
    assert (text.value, text.data_type) == ("-要加强", "s")
    title = _column(wb["documents"], "title")[0]
    assert (title.value, title.data_type) == ("=HYPERLINK(\"http://x\")", "s")
    # no published date on the directive: an empty cell, not the text 'None'
    assert _column(wb["directives"], "published")[0].value is None
    assert _column(wb["documents"], "published")[0].value == dt.datetime(2021, 1, 4)
    assert not list(tmp_path.glob(".*.tmp"))


def test_an_aborted_workbook_leaves_the_previous_file(tmp_path):
    out = tmp_path / "d.xlsx"
    out.write_bytes(b"previous")
    with pytest.raises(RuntimeError), TableWriter(out) as w:
        w.add(Notice(document=DocumentRow(doc_id="1", source_path="a.txt")))
        raise RuntimeError("stop")
    assert out.read_bytes() == b"previous"
    assert not list(tmp_path.glob(".*.tmp"))
