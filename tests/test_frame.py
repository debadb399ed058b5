"""extract_frame: pandas in, pandas out, with dtypes that do not depend on the data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from extractor import extract_frame, extract_table
from extractor.engines.frame import frame_dtypes, spark_schema
from extractor.models import DirectiveRow, DocumentRow

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def paths_frame() -> pd.DataFrame:
    return pd.DataFrame({"path": [str(p) for p in SEEDS], "key": range(100, 100 + len(SEEDS))})


@pytest.fixture(scope="module")
def from_paths(paths_frame) -> pd.DataFrame:
    return extract_frame(paths_frame, path_col="path")


def _assert_typed(df: pd.DataFrame, table: str = "directives") -> None:
    assert list(df.columns) == list(frame_dtypes(table))
    assert df.dtypes.to_dict() == frame_dtypes(table)


# -- paths in -----------------------------------------------------------------------------------
def test_paths_in_give_the_rows_of_extract_table(from_paths):
    expected = extract_table([str(p) for p in SEEDS])
    assert len(from_paths) == len(expected) > 0
    _assert_typed(from_paths)
    for col in ("doc_id", "source_path", "speaker", "kind", "marker", "heading", "text", "themes",
                "theme_terms"):
        assert from_paths[col].tolist() == expected[col].astype(str).tolist(), col
    for col in ("directive_no", "start", "end"):
        assert from_paths[col].tolist() == expected[col].tolist(), col
    assert from_paths["numbered"].tolist() == expected["numbered"].tolist()


def test_rows_keep_input_order_and_document_order(from_paths):
    assert from_paths["source_path"].drop_duplicates().tolist() == [str(p) for p in SEEDS]
    for _, group in from_paths.groupby("doc_id", sort=False):
        assert group["directive_no"].tolist() == list(range(1, len(group) + 1))


def test_id_column_is_carried_first(paths_frame):
    df = extract_frame(paths_frame, path_col="path", id_col="key")
    assert df.columns[0] == "key" and df["key"].dtype == paths_frame["key"].dtype
    by_path = dict(zip(paths_frame["path"], paths_frame["key"]))
    assert (df["source_path"].map(by_path) == df["key"]).all()


# -- texts in -------------------------------------------------------------------------------------
def test_texts_in_give_the_same_rows_as_paths_in(from_paths):
    texts = pd.DataFrame({"text": [p.read_text(encoding="utf-8") for p in SEEDS],
                          "source_path": [str(p) for p in SEEDS]})
    df = extract_frame(texts)
    pd.testing.assert_frame_equal(df, from_paths)


def test_texts_without_a_source_column_are_named_by_row():
    df = extract_frame(pd.DataFrame({"body": [SEEDS[0].read_text(encoding="utf-8")]}, index=[7]),
                       text_col="body")
    assert set(df["source_path"]) == {"<row 7>"}


def test_offsets_index_the_cleaned_text(from_paths, paths_frame):
    docs = extract_frame(paths_frame, path_col="path", table="documents")
    cleaned = dict(zip(docs["doc_id"], docs["text"]))
    for row in from_paths.itertuples():
        assert cleaned[row.doc_id][row.start:row.end] == row.text


# -- empty and bad input ----------------------------------------------------------------------------
@pytest.mark.parametrize("table", ["directives", "documents"])
def test_empty_in_gives_typed_empty_out(table):
    df = extract_frame(pd.DataFrame({"text": pd.Series([], dtype=object)}), table=table)
    assert df.empty
    _assert_typed(df, table)


def test_no_directives_gives_typed_empty_directives_and_flagged_documents():
    texts = pd.DataFrame({"text": ["", "   ", None, "今天天气很好。"]})
    df = extract_frame(texts)
    assert df.empty
    _assert_typed(df)
    docs = extract_frame(texts, table="documents")
    _assert_typed(docs, "documents")
    assert docs["status"].tolist() == ["error", "error", "error", "no_directives"]


def test_unreadable_path_is_an_error_row_not_an_exception(tmp_path):
    df = pd.DataFrame({"path": [str(tmp_path / "missing.txt"), None]})
    assert extract_frame(df, path_col="path").empty
    docs = extract_frame(df, path_col="path", table="documents")
    assert docs["status"].tolist() == ["error", "error"]


def test_missing_column_is_named():
    with pytest.raises(KeyError, match="'text'"):
        extract_frame(pd.DataFrame({"body": ["x"]}))


# -- schemas for Dask and Spark ---------------------------------------------------------------------
def test_dtypes_and_spark_schema_follow_the_models():
    assert list(frame_dtypes("directives")) == list(DirectiveRow.model_fields)
    assert list(frame_dtypes("documents")) == list(DocumentRow.model_fields)
    ddl = spark_schema(id_col="key", id_type="bigint")
    assert ddl.startswith("`key` bigint, `doc_id` string")
    assert "`published` date" in ddl and "`numbered` boolean" in ddl and "`end` bigint" in ddl
