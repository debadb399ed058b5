"""The two public verbs, as a notebook user calls them."""

from __future__ import annotations

from pathlib import Path

import extractor
from extractor import Extractor, extract_notice, extract_table

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_extract_notice_from_a_path_and_from_text():
    path = SEEDS / "000_1f447dccc34fc85d.txt"
    from_path = extract_notice(path)
    from_text = extract_notice(path.read_text(encoding="utf-8"))
    assert [d.text for d in from_path.directives] == [d.text for d in from_text.directives]
    assert len(from_path.directives) == 7
    assert from_path.document.doc_id == from_text.document.doc_id


def test_extract_table_gives_the_contract_columns_and_types():
    df = extract_table(SEEDS)
    assert len(df) == 70
    assert list(df.columns)[:3] == ["doc_id", "source_path", "title"]
    assert df["directive_no"].dtype == "int64" and df["numbered"].dtype == "bool"
    assert df.groupby("source_path").size().to_dict()[str(SEEDS / "004_e0210ab8d126b4d2.txt")] == 25


def test_extract_table_and_extract_frame_give_one_table_with_one_set_of_dtypes():
    import pandas as pd

    from extractor import extract_frame
    from extractor.engines.frame import frame_dtypes

    paths = sorted(str(p) for p in SEEDS.glob("*.txt"))
    table = extract_table(paths)
    frame = extract_frame(pd.DataFrame({"path": paths}), path_col="path")
    assert table.dtypes.to_dict() == frame_dtypes("directives")
    assert str(table["text"].dtype) == "string" and str(table["published"].dtype) == "date32[day][pyarrow]"
    pd.testing.assert_frame_equal(table, frame)
    # an empty result has the same columns and dtypes
    empty = extract_table([])
    assert empty.empty and empty.dtypes.to_dict() == frame_dtypes("directives")


def test_an_extractor_is_reusable():
    ex = Extractor()
    first = ex.extract_text("会议强调，要加强核酸检测。")
    second = ex.extract_text("会议强调，要加强核酸检测。")
    assert first == second
    assert extractor.__all__ == ["Extractor", "extract_frame", "extract_notice", "extract_table"]
