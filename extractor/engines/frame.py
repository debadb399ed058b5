"""frame: the pipeline as a DataFrame function — pandas in, pandas out.

``extract_frame`` takes a pandas DataFrame with a column of notice texts (or of file paths) and
returns the directive table (or the document table) as a pandas DataFrame whose columns and dtypes
come from the models and do not depend on the data: an empty input, or one where no notice has a
directive, gives the same dtypes as a full one. That makes it a partition function as it stands::

    ddf.map_partitions(extract_frame, meta=extract_frame(ddf._meta))            # Dask
    sdf.mapInPandas(lambda it: (extract_frame(p) for p in it), schema=spark_schema())  # Spark

Each worker process builds the rules once (``pipeline.shared_extractor``), not once per partition.

Dtypes: text columns ``string[pyarrow]``, dates ``date32[pyarrow]`` (missing: ``<NA>``), counts and
offsets ``int64``, ``numbered`` ``bool``.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from extractor.models import TABLE_MODELS as _MODELS
from extractor.models import DocumentRow, Notice, Table, column_kinds, frame_dtypes, typed_frame  # noqa: F401 - the frame API
from extractor.pipeline import shared_extractor

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

log = logging.getLogger(__name__)

_SPARK_TYPES = {"int": "bigint", "bool": "boolean", "date": "date", "str": "string"}


def spark_schema(table: Table = "directives", id_col: str | None = None, id_type: str = "string") -> str:
    """The table's Spark schema as a DDL string (``doc_id string, …, published date, …``), for
    ``mapInPandas(..., schema=spark_schema())``. With ``id_col``, that column comes first."""
    cols = [(id_col, id_type)] if id_col else []
    cols += [(name, _SPARK_TYPES[kind]) for name, kind in column_kinds(table).items()]
    return ", ".join(f"`{name}` {typ}" for name, typ in cols)


def extract_frame(df: pd.DataFrame, text_col: str = "text", path_col: str | None = None,
                  source_col: str | None = "source_path", id_col: str | None = None,
                  table: Table = "directives", taxonomy: str | os.PathLike | None = None,
                  taxonomy_mode: str | None = None) -> pd.DataFrame:
    """Notices in a DataFrame → the directive (or document) table as a DataFrame.

    ``df`` holds one notice per row: its text (plain or HTML) in ``text_col``, or, when ``path_col``
    is given, the path of its file (read and decoded as ``directives extract`` does). Each row's
    ``source_path`` is taken from ``source_col`` when ``df`` has that column, else the path, else
    ``<row INDEX>``. With ``id_col``, that column of ``df`` is repeated on every output row, first,
    so results join back to the input. Rows come out in input order, directives in document order.

    A notice that cannot be read or processed gives no directive rows (and ``status=error`` in the
    document table); it never raises. Dtypes are fixed (see the module docstring), also for empty
    results, so ``extract_frame(ddf._meta)`` is the Dask ``meta``.
    """
    import pandas as pd

    if table not in _MODELS:
        raise ValueError(f"table must be 'directives' or 'documents', not {table!r}")
    col = path_col or text_col
    missing = [c for c in (col, id_col) if c and c not in df.columns]
    if missing:
        raise KeyError(f"extract_frame: no column {', '.join(map(repr, missing))} in the DataFrame "
                       f"(columns: {', '.join(map(str, df.columns))})")
    ex = shared_extractor(**({"taxonomy": str(taxonomy), "taxonomy_mode": taxonomy_mode} if taxonomy else {}))
    values = df[col].tolist()
    sources = df[source_col].tolist() if source_col and source_col in df.columns else None
    ids = df[id_col].tolist() if id_col else None
    rows: list[list[Any]] = []
    row_ids: list[Any] = []
    for i, (index, value) in enumerate(zip(df.index, values)):
        notice = _extract_one(ex, value, sources[i] if sources else None, index, is_path=bool(path_col))
        found = notice.directives if table == "directives" else [notice.document]
        rows.extend([getattr(r, name) for name in _MODELS[table].model_fields] for r in found)
        if ids is not None:
            row_ids.extend([ids[i]] * len(found))
    out = typed_frame(rows, table)
    if id_col:
        out.insert(0, id_col, pd.Series(row_ids, dtype=df[id_col].dtype, index=out.index))
    return out


def _extract_one(ex, value: Any, source: Any, index: Any, is_path: bool) -> Notice:
    if is_path:
        path = os.fspath(value) if value is not None and value == value else ""
        if not path:
            return Notice(document=DocumentRow(source_path=str(source or f"<row {index}>"), status="error",
                                               error="no path"))
        notice = ex.extract_path(path)
        if source is not None and source != path:
            notice = _with_source(notice, str(source))
        return notice
    source_path = str(source) if source is not None and source == source else f"<row {index}>"
    if not isinstance(value, str) or not value.strip():
        return Notice(document=DocumentRow(source_path=source_path, status="error", error="empty text"))
    try:
        return ex.extract_text(value, source_path)
    except Exception as exc:  # noqa: BLE001 - one bad notice must not stop a partition
        log.exception("%s: extraction failed", source_path)
        return Notice(document=DocumentRow(source_path=source_path, status="error",
                                           error=f"extraction failed: {type(exc).__name__}: {exc}"))


def _with_source(notice: Notice, source: str) -> Notice:
    return Notice(document=notice.document.model_copy(update={"source_path": source}),
                  directives=[d.model_copy(update={"source_path": source}) for d in notice.directives])
