"""manifest: a user's CSV of what they know about each page (``--manifest``)."""

from __future__ import annotations

import csv
from pathlib import Path

MANIFEST_FIELDS = ("province", "city", "county", "admin_level", "published", "meeting_date", "url",
                   "source", "title", "issuer")


def read_manifest(path: Path) -> dict[str, dict[str, str]]:
    """``source_path`` → known fields. Keys are the path as written and its file name."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "source_path" not in reader.fieldnames:
                raise ValueError(f"{path}: manifest needs a 'source_path' column "
                                 f"(and any of {', '.join(MANIFEST_FIELDS)})")
            unknown = set(reader.fieldnames) - {"source_path", *MANIFEST_FIELDS}
            if unknown:
                raise ValueError(f"{path}: unknown manifest columns {sorted(unknown)}; "
                                 f"known: source_path, {', '.join(MANIFEST_FIELDS)}")
            out: dict[str, dict[str, str]] = {}
            for row in reader:
                key = (row.pop("source_path") or "").strip()
                if key:
                    out[key] = {k: (v or "").strip() for k, v in row.items()}
            return out
    except UnicodeDecodeError:
        raise ValueError(f"{path}: manifest is not UTF-8 text") from None
