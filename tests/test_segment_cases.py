"""Case tables for segmentation (tests/cases/segment.yaml), one test per case."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from extractor.stages.clean import fold_width
from extractor.pipeline import Extractor
from extractor.stages.segment import Segmenter

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


# -- the examples of the segment rules that open a directive in a frame ------------------------------
SEGMENTER = Segmenter.default()
RULES = SEGMENTER.rules


def _pairs(examples):
    return [(t, True) for t in examples.match] + [(t, False) for t in examples.no_match]


@pytest.mark.parametrize(("text", "hit"), _pairs(RULES.actor.comma_subject_examples))
def test_comma_subject_examples(text, hit):
    assert (re.match(RULES.actor.comma_subject, text) is not None) is hit


@pytest.mark.parametrize(("text", "hit"), _pairs(RULES.actor.topic_subject_examples))
def test_topic_subject_examples(text, hit):
    found = SEGMENTER.directive_start(text, 0, len(text))
    assert (found is not None) is hit
    if hit:  # the subject holds none of the actor nouns: the topic rule found it
        assert SEGMENTER._actor_noun.search(text[: found[0]]) is None


@pytest.mark.parametrize(("text", "hit"), _pairs(RULES.lead_examples))
def test_lead_examples(text, hit):
    found = SEGMENTER.sentence_start(text, 0, len(text), is_open=True)
    assert (found is not None) is hit
    if hit:
        assert text[found[1]:].startswith(found[2])  # the marker is where it says


@pytest.mark.parametrize(("text", "hit"), _pairs(RULES.request_examples))
def test_request_examples(text, hit):
    assert (re.match(RULES.request_start, text) is not None) is hit


@pytest.mark.parametrize(("text", "hit"), _pairs(RULES.topic_examples))
def test_topic_examples(text, hit):
    assert (re.match(RULES.topic_start, text) is not None) is hit


def test_topic_start_only_where_no_directive_is_open():
    text = "对返乡人员要逐一登记。"
    assert SEGMENTER.sentence_start(text, 0, len(text), is_open=False) == (0, 5, "要")
    assert SEGMENTER.sentence_start(text, 0, len(text), is_open=True) is None


@pytest.mark.parametrize(("text", "hit"), _pairs(RULES.agenda_item_examples))
def test_agenda_item_examples(text, hit):
    found = re.search(RULES.agenda_item, text) is not None and re.search(RULES.modal, text) is None
    assert found is hit


@pytest.mark.parametrize(("text", "hit"), _pairs(RULES.bullets_examples))
def test_bullet_examples(text, hit):
    skipped = SEGMENTER._skip_bullets(text, 0, len(text))
    assert (skipped > 0) is hit
    if hit:
        assert text[skipped:] == "要加强监测。"


@pytest.mark.parametrize(("text", "hit"), _pairs(RULES.trailing_byline_examples))
def test_trailing_byline_examples(text, hit):
    assert (re.search(RULES.trailing_byline, text) is not None) is hit


@pytest.mark.parametrize(("text", "hit"), _pairs(RULES.attendance_examples) + _pairs(RULES.narrative_examples))
def test_narrative_sentence_examples(text, hit):
    assert SEGMENTER.is_narrative(text, 0, len(text)) is hit
