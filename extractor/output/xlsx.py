"""xlsx: workbooks that open ready to filter, written with xlsxwriter in constant-memory mode.

Every table sheet gets a frozen, bold header row and an autofilter over its rows; dates are real
date cells (``yyyy-mm-dd``), counts numbers, shares percentages (``38.9%``, the value stays
0.3889), text cells text (never formulas, whatever they start with: a cell written as a string is
not evaluated). Column widths follow the content, counting a Chinese character as two, capped at
``WIDTH_MAX``; longer text wraps, and each row is made tall enough for its longest cell up to
``MAX_LINES`` lines (the rest of the cell is there, a click away).

Rows stream to disk as they are appended, so a workbook of a large corpus does not sit in memory;
widths and the autofilter range are set when the sheet is finished. The file is written beside
the target and renamed over it by the caller (``table``), or by ``write_frames`` itself.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

WIDTH_MIN = 6  # characters
WIDTH_MAX = 60  # characters (a Chinese character counts two): about 30 characters a line
MAX_LINES = 6  # a wrapped row grows up to this many lines
LINE_HEIGHT = 15  # points per line of the default 11-point font
CELL_MAX = 32_000  # Excel's cell limit is 32,767 characters
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"

Kind = str  # 'str' | 'int' | 'float' | 'share' | 'bool' | 'date'


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: two for a CJK (3-byte UTF-8) character, one for ASCII.

    Counted from the UTF-8 length, so without a Python step per character."""
    n = len(text)
    return n + (len(text.encode("utf-8", "surrogatepass")) - n) // 2


def open_workbook(path: Path) -> Any:
    """A constant-memory workbook at ``path``. Its rows stream to files in a scratch folder of its
    own beside ``path`` (same file system, removed by ``close_workbook`` or ``discard_workbook``
    whatever happens, so a failed run on a full disk leaves nothing behind)."""
    import tempfile

    import xlsxwriter

    scratch = tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".parts", dir=path.parent)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": scratch})
    book.scratch_dir = scratch
    return book


def close_workbook(book: Any) -> None:
    """Write the workbook out and remove its scratch folder, also when writing fails."""
    try:
        book.close()
    finally:
        discard_workbook(book)


def discard_workbook(book: Any) -> None:
    """Remove the workbook's scratch folder (its half-written rows); the target file is the caller's."""
    import shutil

    shutil.rmtree(getattr(book, "scratch_dir", ""), ignore_errors=True)


class Sheet:
    """One table sheet: a header, then rows of values whose kinds are known per column."""

    def __init__(self, book: Any, name: str, columns: list[str], kinds: list[Kind]) -> None:
        self.book = book
        self.ws = book.add_worksheet(name[:31])
        self.columns = columns
        self.kinds = kinds
        self._formats = _formats(book)
        self.widths = [display_width(str(c)) + 3 for c in columns]  # room for the filter arrow
        self.n_rows = 0
        for j, c in enumerate(columns):
            self.ws.write_string(0, j, str(c), self._formats["header"])
        self._writers = [self._writer(k) for k in kinds]

    def _writer(self, kind: Kind) -> Callable[[int, int, Any], None]:
        ws, fmt = self.ws, self._formats
        if kind == "date":
            def write(r, j, v):
                if isinstance(v, str):
                    v = dt.date.fromisoformat(v[:10]) if v else None
                if _missing(v):
                    ws.write_blank(r, j, None)
                else:
                    ws.write_datetime(r, j, v, fmt["date"])
        elif kind in ("int", "float", "share"):
            cell_format = fmt.get(kind)

            def write(r, j, v):
                if _missing(v) or (isinstance(v, float) and math.isinf(v)):
                    ws.write_blank(r, j, None)
                else:
                    ws.write_number(r, j, v, cell_format)
        elif kind == "bool":
            def write(r, j, v):
                ws.write_boolean(r, j, bool(v))
        else:
            def write(r, j, v):
                ws.write_string(r, j, v, fmt["text"])
        return write

    def append(self, values: Iterable[Any]) -> None:
        values = list(values)
        r = self.n_rows + 1
        widths, lines = self.widths, 1
        for j, v in enumerate(values):
            kind = self.kinds[j]
            if kind == "str":
                v = "" if _missing(v) else str(v)
                if len(v) > CELL_MAX:
                    v = v[:CELL_MAX] + "…[truncated]"
                values[j] = v
                w = display_width(v)
                if w > widths[j]:
                    widths[j] = w
                if w > WIDTH_MAX or "\n" in v:
                    lines = max(lines, -(-w // WIDTH_MAX) + v.count("\n"))
            elif kind == "date":
                if widths[j] < 12:
                    widths[j] = 12
            elif kind in ("int", "float", "share"):
                w = 8 if kind != "int" else len(str(v))
                if w > widths[j]:
                    widths[j] = w
        if lines > 1:
            self.ws.set_row(r, LINE_HEIGHT * min(lines, MAX_LINES))
        for j, v in enumerate(values):
            self._writers[j](r, j, v)
        self.n_rows = r

    def finish(self) -> None:
        """Widths sized to the content, the header frozen, an autofilter over every row."""
        for j, w in enumerate(self.widths):
            self.ws.set_column(j, j, max(WIDTH_MIN, min(WIDTH_MAX, w + 1)))
        self.ws.freeze_panes(1, 0)
        self.ws.autofilter(0, 0, max(self.n_rows, 1), len(self.columns) - 1)


def _missing(value: Any) -> bool:
    """None, NaN, pandas' NA and NaT."""
    return value is None or (isinstance(value, float) and value != value) or \
        type(value).__name__ in ("NAType", "NaTType")


def _formats(book: Any) -> dict[str, Any]:
    cached = getattr(book, "_table_formats", None)
    if cached is None:
        cached = {"header": book.add_format({"bold": True, "bottom": 1, "valign": "top", "bg_color": "#F2F2F2"}),
                  "text": book.add_format({"text_wrap": True, "valign": "top"}),
                  "date": book.add_format({"num_format": DATE_FORMAT, "valign": "top"}),
                  "share": book.add_format({"num_format": PERCENT_FORMAT, "valign": "top"}),
                  "float": book.add_format({"num_format": "0.00", "valign": "top"}),
                  "int": book.add_format({"valign": "top"})}
        book._table_formats = cached
    return cached


def frame_kinds(df: Any, percent: Callable[[str], bool] = lambda col: False) -> list[Kind]:
    """The kind of each column of a DataFrame, from its dtype (``percent(col)``: a share)."""
    import pandas as pd

    kinds = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s):
            kinds.append("bool")
        elif pd.api.types.is_integer_dtype(s):
            kinds.append("int")
        elif pd.api.types.is_float_dtype(s):
            kinds.append("share" if percent(str(col)) else "float")
        elif pd.api.types.is_datetime64_any_dtype(s) or "date" in str(s.dtype):
            kinds.append("date")
        else:
            kinds.append("str")
    return kinds


def add_frame(book: Any, name: str, df: Any, percent: Callable[[str], bool] = lambda col: False) -> Sheet:
    """Write a DataFrame as one finished table sheet."""
    sheet = Sheet(book, name, [str(c) for c in df.columns], frame_kinds(df, percent))
    for row in df.itertuples(index=False, name=None):
        sheet.append(row)
    sheet.finish()
    return sheet


def is_share(col: str) -> bool:
    """Comparison columns shown as percentages: ``share_…`` and their interval bounds."""
    return col.startswith("share_")


def write_frames(out: Path, sheets: Mapping[str, Any], percent: Callable[[str], bool] = is_share) -> Path:
    """Write DataFrames as named table sheets of one workbook, atomically."""
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        book = open_workbook(tmp)
        try:
            for name, df in sheets.items():
                add_frame(book, name, df, percent)
        except BaseException:
            discard_workbook(book)
            raise
        close_workbook(book)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
