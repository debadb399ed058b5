"""The five seed notices end to end: golden files, offsets, and the accuracy floors.

Golden files (tests/golden/*.yaml) were reviewed by reading each notice against them: one entry
per directive with its kind, marker, speaker, heading, first and last characters, and themes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from extractor.analysis.evaluate import evaluate
from extractor.pipeline import Extractor
from extractor.output.table import row_values

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
GOLDEN = Path(__file__).parent / "golden"
GOLD = json.loads((Path(__file__).parent / "data" / "seeds_gold.json").read_text(encoding="utf-8"))["documents"]


@pytest.fixture(scope="module")
def notices() -> dict[str, object]:
    ex = Extractor()
    return {p.name: ex.extract_path(p) for p in SEEDS}


def test_five_seeds_are_present():
    assert len(SEEDS) == 5


@pytest.mark.parametrize("seed", [p.name for p in SEEDS])
def test_seed_matches_golden_file(seed, notices):
    golden = yaml.safe_load((GOLDEN / seed.replace(".txt", ".yaml")).read_text(encoding="utf-8"))
    notice = notices[seed]
    assert notice.document.status == "ok"
    assert notice.document.title == golden["title"]
    assert notice.document.script == golden["script"]
    got = notice.directives
    assert len(got) == len(golden["directives"]), [d.text[:20] for d in got]
    for row, exp in zip(got, golden["directives"]):
        where = row.text[:20]
        assert row.kind == exp["kind"], where
        assert row.marker == exp["marker"], where
        assert row.speaker == exp["speaker"], where
        assert row.heading == exp["heading"], where
        assert row.text.startswith(exp["starts"]), where
        assert row.text.endswith(exp["ends"]), where
        assert row.primary_theme == exp["primary"], where
        assert (row.themes.split("|") if row.themes else []) == exp["themes"], where


@pytest.mark.parametrize("seed", [p.name for p in SEEDS])
def test_every_row_is_its_slice_of_the_cleaned_text(seed, notices):
    notice = notices[seed]
    cleaned = notice.document.text
    previous_end = 0
    for no, row in enumerate(notice.directives, start=1):
        assert row.text == cleaned[row.start:row.end]
        assert row.directive_no == no
        assert row.start >= previous_end, "directives overlap or are out of order"
        previous_end = row.end
        assert row.numbered == (row.kind == "numbered")
        assert row.doc_id == notice.document.doc_id


def test_output_is_simplified(notices):
    notice = notices["002_ab591247d2211865.txt"]
    assert notice.document.script == "traditional"
    text = notice.document.text
    for traditional in ("會議", "強調", "戰", "(zhàn)", "疫情防控工作領導小組"):
        assert traditional not in text
    assert "坚决打赢疫情防控阻击战" in text


def test_repeated_body_yields_each_directive_once(notices):
    for seed in ("000_1f447dccc34fc85d.txt", "001_1412db90bc7f81d3.txt"):
        texts = [d.text for d in notices[seed].directives]
        assert len(texts) == len(set(texts))


def test_nothing_outside_the_article_is_a_directive(notices):
    for notice in notices.values():
        for row in notice.directives:
            for outside in ("版权所有", "ICP备", "纠错", "相关推荐", "您当前的位置", "点击数", "原标题"):
                assert outside not in row.text


FLOORS = {"directive_f1": 0.95, "numbered_recall": 1.0, "theme_f1": 0.85, "primary_accuracy": 0.80}


def test_seed_scores_meet_the_floors(notices):
    rows = [dict(zip(type(d).model_fields, row_values(d))) for n in notices.values() for d in n.directives]
    figures = evaluate(GOLD, rows).summary
    for name, floor in FLOORS.items():
        assert figures[name] >= floor, (name, figures[name])
