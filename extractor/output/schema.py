"""schema: JSON Schema of the two tables, generated from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path

from extractor.models import DirectiveRow, DocumentRow

SCHEMA_FILES = {"directive.schema.json": DirectiveRow, "document.schema.json": DocumentRow}


def schemas() -> dict[str, dict]:
    return {name: model.model_json_schema() for name, model in SCHEMA_FILES.items()}


def render(model) -> str:
    return json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, model in SCHEMA_FILES.items():
        path = folder / name
        path.write_text(render(model), encoding="utf-8")
        out.append(path)
    return out
