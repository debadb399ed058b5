"""Segmentation floors (issue 10): directive F1 and numbered recall on the seeds, and on the
development set of real notices when it is present beside the project (``../shared/dev``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.evaluate import evaluate
from extractor.pipeline import Extractor
from extractor.table import row_values

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SEED_GOLD = Path(__file__).parent / "data" / "seeds_gold.json"
DEV = ROOT.parent / "shared" / "dev"

SEED_FLOORS = {"directive_f1": 0.98, "numbered_recall": 1.0}
DEV_FLOORS = {"directive_f1": 0.93, "numbered_recall": 0.97}


def _figures(paths: list[Path], gold_path: Path) -> dict[str, float]:
    ex = Extractor()
    rows = [dict(zip(type(d).model_fields, row_values(d))) for p in paths for d in ex.extract_path(p).directives]
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["documents"]
    return evaluate(gold, rows).summary


def test_seed_segmentation_floors():
    figures = _figures(SEEDS, SEED_GOLD)
    for name, floor in SEED_FLOORS.items():
        assert figures[name] >= floor, (name, figures[name])


@pytest.mark.skipif(not (DEV / "gold.json").is_file(), reason="development set not present at ../shared/dev")
def test_dev_segmentation_floors():
    gold = json.loads((DEV / "gold.json").read_text(encoding="utf-8"))["documents"]
    paths = [DEV / "raw" / doc["file"] for doc in gold]
    assert all(p.is_file() for p in paths)
    figures = _figures(paths, DEV / "gold.json")
    for name, floor in DEV_FLOORS.items():
        assert figures[name] >= floor, (name, figures[name])
