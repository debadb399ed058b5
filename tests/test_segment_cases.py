"""Case tables for segmentation (tests/cases/segment.yaml), one test per case."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from extractor.clean import fold_width
from extractor.pipeline import Extractor

_KEYS = {"kind", "marker", "starts", "ends", "heading", "speaker"}
CASES = yaml.safe_load((Path(__file__).parent / "cases" / "segment.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_segment_case(case: dict, extractor: Extractor) -> None:
    if case.get("xfail"):
        pytest.xfail(case["xfail"])
    notice = extractor.extract_text(case["text"], source_path=f"{case['name']}.txt")
    got = notice.directives
    expect = case["expect"]
    for exp in expect:  # a key the table misspells, or a value YAML cut at a comma, fails here
        assert set(exp) <= _KEYS and all(isinstance(v, str) and v for v in exp.values()), exp
    assert len(got) == len(expect), [d.text for d in got]
    for row, exp in zip(got, expect):
        assert row.text.startswith(fold_width(exp["starts"])), (row.text, exp)
        if "ends" in exp:
            assert row.text.endswith(fold_width(exp["ends"])), (row.text, exp)
        for key in ("kind", "marker", "heading", "speaker"):
            if key in exp:
                assert getattr(row, key) == fold_width(str(exp[key])), (key, row.text, getattr(row, key))
        assert notice.document.text[row.start:row.end] == row.text
