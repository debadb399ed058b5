"""table: rows → DataFrames and output files (.csv, .xlsx, .parquet, .jsonl), written atomically.

Columns come from the pydantic models in ``models.py``; nothing here lists them by hand.
Writers stream: rows go to a temporary file beside the target as notices arrive, and the
temporary files are renamed over the targets only when the run completes, so an interrupted run
leaves the previous output (or none), never a truncated one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sys
from collections.abc import Iterable
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any

from extractor.models import DirectiveRow, DocumentRow, Notice

FORMATS = (".csv", ".xlsx", ".parquet", ".jsonl", ".qdpx")
_BUFFER = 1 << 20  # bytes: fewer, larger writes than the 8 KiB default
# CSV text a spreadsheet would run as a formula gets a leading apostrophe, and so does text that
# starts with one, so that ``read_directives`` can take exactly one off every value that has it.
# XLSX needs none: its text is written as string cells, which a spreadsheet never evaluates.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def directive_columns() -> list[str]:
    return list(DirectiveRow.model_fields)


def document_columns() -> list[str]:
    return list(DocumentRow.model_fields)


def _cell(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@lru_cache(maxsize=None)
def _fields_of(model: type) -> attrgetter:
    return attrgetter(*model.model_fields)


def row_values(row: DirectiveRow | DocumentRow) -> list[Any]:
    return [_cell(v) for v in _fields_of(type(row))(row)]


def safe_row_values(row: DirectiveRow | DocumentRow) -> list[Any]:
    """``row_values`` with ``formula_safe`` applied, in one pass (it runs for every row written)."""
    out = []
    for v in _fields_of(type(row))(row):
        if isinstance(v, str):
            if v.startswith(_FORMULA_START):
                v = "'" + v
        elif isinstance(v, (dt.date, dt.datetime)):
            v = v.isoformat()
        out.append(v)
    return out


def formula_safe(value: Any) -> Any:
    """A CSV text cell a spreadsheet would run as a formula (or that starts with ``'``) gets a
    leading apostrophe; ``csv_text`` takes it off."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(series: Any) -> Any:
    """A text column read from a CSV this module wrote, with the apostrophe ``formula_safe`` put
    before formula-like text taken off (``'=SUM(A1)`` → ``=SUM(A1)``)."""
    marked = series.str.startswith("'", na=False)
    if marked.any():
        series = series.copy()
        series[marked] = series[marked].str[1:]
    return series


def directives_frame(rows: Iterable[DirectiveRow]) -> Any:
    """The directive table as a DataFrame, columns in contract order, dtypes of ``models.frame_dtypes``
    (the same as ``extract_frame``'s)."""
    from extractor.models import typed_frame

    return typed_frame(list(map(_fields_of(DirectiveRow), rows)), "directives")


def documents_frame(rows: Iterable[DocumentRow]) -> Any:
    from extractor.models import typed_frame

    return typed_frame(list(map(_fields_of(DocumentRow), rows)), "documents")


def companion_path(out: Path, what: str = "documents") -> Path:
    """``out.csv`` → ``out.documents.csv``."""
    return out.with_name(f"{out.stem}.{what}{out.suffix}")


def check_output_path(out: Path) -> None:
    """Fail before any work when the output cannot be written."""
    if out.suffix.lower() not in FORMATS:
        raise ValueError(f"{out}: unsupported output format {out.suffix!r}; use one of {', '.join(FORMATS)}")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ValueError(f"{out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise ValueError(f"{out}: folder {parent} is not writable")
    if out.is_dir():
        raise ValueError(f"{out}: is a folder")


def remove_stale_tmp(target: Path) -> None:
    """Remove temporary files that a killed run (its process is gone) left beside ``target``."""
    import glob

    prefix = f".{target.name}."
    for tmp in target.parent.glob(f"{glob.escape(prefix)}*.tmp"):
        pid = tmp.name[len(prefix):-len(".tmp")]
        if pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class TableWriter:
    """Streams notices into one output (or CSV on standard output), committed by ``close``."""

    def __init__(self, out: Path | None, stdout: Any = None) -> None:
        self.out = out
        self.fmt = out.suffix.lower() if out else ".csv"
        self._targets: list[tuple[Path, Path]] = []
        self._stdout = stdout if stdout is not None else sys.stdout
        self._closed = False
        self.n_documents = 0
        self.n_directives = 0
        self._summary: list[tuple[str, str, str]] = []  # (city group, doc_id, themes): themes_by_city
        if out is None:
            self._dir_csv = csv.writer(self._stdout)
            self._dir_csv.writerow(directive_columns())
            return
        check_output_path(out)
        getattr(self, f"_open_{self.fmt[1:]}")()

    # -- temporary files ----------------------------------------------------------------------
    def _tmp(self, target: Path) -> Path:
        remove_stale_tmp(target)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        self._targets.append((tmp, target))
        return tmp

    def _open_csv(self) -> None:
        self._fh = [open(self._tmp(self.out), "w", newline="", encoding="utf-8-sig", buffering=_BUFFER),
                    open(self._tmp(companion_path(self.out)), "w", newline="", encoding="utf-8-sig",
                         buffering=_BUFFER)]
        self._dir_csv, self._doc_csv = (csv.writer(f) for f in self._fh)
        self._dir_csv.writerow(directive_columns())
        self._doc_csv.writerow(document_columns())

    def _open_jsonl(self) -> None:
        self._fh = [open(self._tmp(self.out), "w", encoding="utf-8")]

    def _open_parquet(self) -> None:
        self._buffers: dict[str, list[list[Any]]] = {"dir": [], "doc": []}
        self._pq_writers: dict[str, Any] = {}
        self._pq_paths = {"dir": self._tmp(self.out), "doc": self._tmp(companion_path(self.out))}

    def _open_qdpx(self) -> None:
        from extractor.output.qda import ProjectWriter

        self._qdpx = ProjectWriter(self._tmp(self.out))

    def _open_xlsx(self) -> None:
        from extractor.models import column_kinds
        from extractor.output.xlsx import Sheet, open_workbook

        self._wb = open_workbook(self._tmp(self.out))
        self._ws_dir = Sheet(self._wb, "directives", directive_columns(), list(column_kinds("directives").values()))
        self._ws_doc = Sheet(self._wb, "documents", document_columns(), list(column_kinds("documents").values()))

    # -- rows -----------------------------------------------------------------------------------
    def add(self, notice: Notice) -> None:
        self.n_documents += 1
        self.n_directives += len(notice.directives)
        if self.out is None:
            for row in notice.directives:
                self._dir_csv.writerow(safe_row_values(row))
            return
        doc = notice.document
        if self.fmt == ".xlsx":
            from extractor.shares import city_group

            self._summary.extend((city_group(r.city, r.province, r.admin_level), r.doc_id, r.themes)
                                 for r in notice.directives)
        if self.fmt == ".csv":
            self._dir_csv.writerows(map(safe_row_values, notice.directives))
            self._doc_csv.writerow(safe_row_values(doc))
        elif self.fmt == ".jsonl":
            self._fh[0].write(notice.model_dump_json() + "\n")
        elif self.fmt == ".parquet":
            self._buffers["dir"].extend(row_values(r) for r in notice.directives)
            self._buffers["doc"].append(row_values(doc))
            if len(self._buffers["dir"]) >= 5000 or len(self._buffers["doc"]) >= 5000:
                self._flush_parquet()
        elif self.fmt == ".qdpx":
            self._qdpx.add(notice)
        elif self.fmt == ".xlsx":  # typed cells: dates as dates; text cells are never formulas
            fields = _fields_of(DirectiveRow)
            for row in notice.directives:
                self._ws_dir.append(fields(row))
            self._ws_doc.append(_fields_of(DocumentRow)(doc))

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        for key, model in (("dir", DirectiveRow), ("doc", DocumentRow)):
            rows = self._buffers[key]
            if not rows and key in self._pq_writers:
                continue
            schema = _arrow_schema(model)
            cols = list(zip(*rows)) if rows else [[] for _ in model.model_fields]
            arrays = [pa.array([_arrow_value(v, f.type) for v in col], type=f.type)
                      for col, f in zip(cols, schema)]
            table = pa.Table.from_arrays(arrays, schema=schema)
            if key not in self._pq_writers:
                self._pq_writers[key] = pq.ParquetWriter(self._pq_paths[key], schema)
            self._pq_writers[key].write_table(table)
            self._buffers[key] = []

    # -- commit or abandon ------------------------------------------------------------------------
    def close(self) -> None:
        """Finish the temporary files and rename them over the targets. On any error (a full
        disk) the temporary files are removed and the previous outputs stay as they were."""
        if self._closed:
            return
        if self.out is None:
            self._closed = True
            self._stdout.flush()
            return
        try:
            if self.fmt in (".csv", ".jsonl"):
                for f in self._fh:
                    f.close()
            elif self.fmt == ".parquet":
                self._flush_parquet()
                for w in self._pq_writers.values():
                    w.close()
            elif self.fmt == ".xlsx":
                self._finish_xlsx()
            elif self.fmt == ".qdpx":
                self._qdpx.close()
            for tmp, target in self._targets:
                os.replace(tmp, target)
        except BaseException:
            self.abort()
            raise
        self._closed = True

    def abort(self) -> None:
        """Remove the temporary files; the previous outputs stay as they were. Closing a file on
        a full disk fails too: every file is closed and removed whatever happens to the others."""
        self._closed = True
        for f in getattr(self, "_fh", []):
            try:
                f.close()
            except OSError:
                pass
        if hasattr(self, "_qdpx"):
            try:
                self._qdpx.abort()
            except Exception:  # noqa: BLE001 - a zip archive on a full disk fails to close too
                pass
        for w in getattr(self, "_pq_writers", {}).values():
            try:
                w.close()
            except Exception:  # noqa: BLE001 - pyarrow raises its own errors for a failed stream
                w.is_open = False  # else its __del__ tries again and prints the error at exit
        if hasattr(self, "_wb"):
            from extractor.output.xlsx import discard_workbook

            discard_workbook(self._wb)
        for tmp, _ in self._targets:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def _finish_xlsx(self) -> None:
        from extractor.output.xlsx import add_frame, close_workbook, is_share

        self._ws_dir.finish()
        self._ws_doc.finish()
        add_frame(self._wb, "themes_by_city", themes_by_city_frame(self._summary), is_share)
        add_frame(self._wb, "codebook", codebook_frame())
        close_workbook(self._wb)


def themes_by_city_frame(summary: list[tuple[str, str, str]]) -> Any:
    """The ``themes_by_city`` sheet: ``compare --by city`` over the ``(city group, doc_id, themes)``
    records the writer kept (``shares.compare_records``), shares rounded to 4 digits."""
    from extractor.shares import compare_records, round_shares

    return round_shares(compare_records(summary, "city"))


def codebook_frame() -> Any:
    """The ``codebook`` sheet: each theme's id, label, nearest theme, terms (the guarded words
    included) and patterns."""
    import pandas as pd

    from extractor.stages.tag import load_taxonomy

    return pd.DataFrame([[t.id, t.label, t.nearest, "、".join(t.lexicon), " | ".join(t.patterns)]
                         for t in load_taxonomy().themes],
                        columns=["id", "label", "nearest", "terms", "patterns"])


def _arrow_schema(model: type) -> Any:
    import pyarrow as pa

    fields = []
    for name, info in model.model_fields.items():
        ann = str(info.annotation)
        if info.annotation is int:
            typ = pa.int64()
        elif info.annotation is bool:
            typ = pa.bool_()
        elif "date" in ann:
            typ = pa.date32()
        else:
            typ = pa.string()
        fields.append(pa.field(name, typ))
    return pa.schema(fields)


def _arrow_value(value: Any, typ: Any) -> Any:
    import pyarrow as pa

    if typ == pa.date32() and isinstance(value, str):
        return dt.date.fromisoformat(value) if value else None
    return value


def write_frame(df: Any, out: Path, sheet: str = "table") -> None:
    """Write a DataFrame (e.g. a comparison) atomically as .csv, .xlsx (one sheet named ``sheet``)
    or .jsonl."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        if out.suffix.lower() == ".csv":
            buf = io.StringIO()
            df.map(formula_safe).to_csv(buf, index=False)
            tmp.write_text(buf.getvalue(), encoding="utf-8-sig")
        elif out.suffix.lower() == ".xlsx":
            from extractor.output.xlsx import add_frame, close_workbook, discard_workbook, is_share, open_workbook

            book = open_workbook(tmp)
            try:
                add_frame(book, sheet, df, is_share)
            except BaseException:
                discard_workbook(book)
                raise
            close_workbook(book)
        elif out.suffix.lower() == ".jsonl":
            tmp.write_text("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n"
                                   for r in df.to_dict("records")), encoding="utf-8")
        else:
            raise ValueError(f"{out}: unsupported output format {out.suffix!r}")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def read_directives(path: Path) -> Any:
    """Read a directive table written by ``extract`` (.csv, .xlsx, .parquet or .jsonl)."""
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix == ".csv":
        df = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        df = df.apply(csv_text)
    elif suffix == ".xlsx":
        df = pd.read_excel(path, sheet_name="directives", dtype=str, keep_default_na=False)
        for col in ("published", "meeting_date"):  # date cells read as '2020-05-25 00:00:00'
            if col in df:
                df[col] = df[col].str.slice(0, 10)
    elif suffix == ".parquet":
        df = pd.read_parquet(path)
    elif suffix == ".qdpx":
        from extractor.output.qda import project_frame

        df = project_frame(path)
    elif suffix == ".jsonl":
        rows = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rows.extend(json.loads(line).get("directives", []))
        df = pd.DataFrame(rows, columns=directive_columns())
    else:
        raise ValueError(f"{path}: unsupported format {suffix!r}; use one of {', '.join(FORMATS)}")
    for col in ("directive_no", "start", "end"):
        if col in df:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    return df
