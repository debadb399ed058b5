"""manifest: a user's CSV of what they know about each page (``--manifest``).

Every value is checked when the file is read, before any notice is: a date or a level that cannot
be used fails the run with the file, the line and the column named, instead of dropping the notice
later. The file is decoded as a notice is (Excel on Chinese Windows saves "CSV" in GBK).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

MANIFEST_FIELDS = ("province", "city", "county", "admin_level", "published", "meeting_date", "url",
                   "source", "title", "issuer")
DATE_FIELDS = ("published", "meeting_date")

# The forms people type: 2020-05-25, 2020/5/25, 2020.5.25, 2020年5月25日, 20200525
_DATE = re.compile(r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?)"
                   r"|(\d{4})(\d{2})(\d{2})")
_LEVELS = {"province": "province", "city": "city", "county": "county",
           "省": "province", "省级": "province", "市": "city", "市级": "city", "地级": "city", "地级市": "city",
           "县": "county", "县级": "county", "区": "county", "县区": "county", "区县": "county"}


def manifest_date(value: str) -> str:
    """A typed date as ISO ``YYYY-MM-DD``; raises ``ValueError`` for anything else."""
    m = _DATE.fullmatch(value.strip())
    if m:
        g = m.groups()
        y, mo, d = (g[0], g[1], g[2]) if g[1] else (g[0], g[3], g[4]) if g[0] else g[5:]
        try:
            return dt.date(int(y), int(mo), int(d)).isoformat()
        except ValueError:
            pass
    raise ValueError(f"not a date: {value!r} (write 2020-05-25, 2020/5/25 or 2020年5月25日)")


def manifest_level(value: str) -> str:
    """``province``/``city``/``county`` (or 省/市/县 and their 级 forms); raises ``ValueError`` otherwise."""
    level = _LEVELS.get(value.strip().lower())
    if level is None:
        raise ValueError(f"not a level: {value!r} (write province, city or county)")
    return level


def read_manifest(path: Path) -> dict[str, dict[str, str]]:
    """``source_path`` → known fields. Keys are the path as written and its file name.

    Raises ``ValueError`` naming the file (and the line and column) for a file that cannot be used."""
    from extractor.stages.load import LoadError, decode_bytes

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read manifest: {exc.strerror or exc}") from None
    if not data.strip():
        raise ValueError(f"{path}: manifest is empty")
    try:
        text, _ = decode_bytes(data)
    except LoadError as exc:
        raise ValueError(f"{path}: manifest is not text: {exc}") from None
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    fieldnames = [(f or "").strip() for f in reader.fieldnames or []]
    reader.fieldnames = fieldnames
    if "source_path" not in fieldnames:
        raise ValueError(f"{path}: manifest needs a 'source_path' column "
                         f"(and any of {', '.join(MANIFEST_FIELDS)})")
    unknown = set(fieldnames) - {"source_path", *MANIFEST_FIELDS}
    if unknown:
        raise ValueError(f"{path}: unknown manifest columns {sorted(unknown)}; "
                         f"known: source_path, {', '.join(MANIFEST_FIELDS)}")
    out: dict[str, dict[str, str]] = {}
    for row in reader:
        line = reader.line_num
        if None in row:  # more values than the header has columns
            raise ValueError(f"{path}: line {line}: {len(fieldnames) + len(row[None])} values for "
                             f"{len(fieldnames)} columns")
        key = (row.pop("source_path") or "").strip()
        if not key:
            continue
        values = {k: (v or "").strip() for k, v in row.items()}
        for column, value in values.items():
            if not value:
                continue
            try:
                if column in DATE_FIELDS:
                    values[column] = manifest_date(value)
                elif column == "admin_level":
                    values[column] = manifest_level(value)
            except ValueError as exc:
                raise ValueError(f"{path}: line {line}, column {column}: {exc}") from None
        out[key] = values
    return out
