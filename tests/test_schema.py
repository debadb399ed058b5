"""schemas/*.json are generated from the models; this fails when the two drift apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.models import DirectiveRow, DocumentRow
from extractor.output.schema import SCHEMA_FILES, render
from extractor.output.table import directive_columns, document_columns

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_committed_schema_matches_models(name):
    committed = (SCHEMAS / name).read_text(encoding="utf-8")
    assert committed == render(SCHEMA_FILES[name]), (
        f"schemas/{name} is stale: run 'directives schema --out schemas'")


def test_directive_columns_are_the_contract():
    contract = ["doc_id", "source_path", "title", "source", "published", "meeting_date", "province", "city",
                "county", "admin_level", "issuer", "speaker", "directive_no", "kind", "numbered", "marker",
                "heading", "text", "primary_theme", "themes", "theme_terms", "start", "end", "modality", "modality_term",
                "scope", "scope_term", "oxcgrt", "coronanet", "crosswalk_terms"]
    assert directive_columns() == contract
    assert list(DirectiveRow.model_json_schema()["properties"]) == contract


def test_document_columns_include_the_contract():
    contract = ["doc_id", "source_path", "status", "error", "title", "source", "published", "meeting_date",
                "province", "city", "county", "admin_level", "issuer", "leaders", "n_directives", "script",
                "duplicate_of", "text"]
    cols = document_columns()
    assert [c for c in cols if c in contract] == contract
    assert list(DocumentRow.model_json_schema()["properties"]) == cols
