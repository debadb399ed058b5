"""The walk-through notebook runs from top to bottom on the seeds, and is committed without outputs."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "compare_cities.ipynb"


def test_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)


def test_notebook_runs_on_the_seeds(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("COMPARE_CITIES_OUT", str(tmp_path))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # run from notebooks/, as Jupyter does: the notebook must find the repository root itself
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120,
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell

    texts, images = [], []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append(out["text"])
            data = out.get("data", {})
            texts.append(data.get("text/plain", ""))
            if "image/png" in data:
                images.append(base64.b64decode(data["image/png"]))
    text = "\n".join(texts)
    assert "directives from 5 notices" in text
    assert "spaCy spans and the directive table agree: 13 directives" in text
    for name in ("宁波市", "上海市", "双鸭山市", "河南省"):
        assert name in text
    assert len(images) == 1 and images[0][:8] == b"\x89PNG\r\n\x1a\n" and len(images[0]) > 50_000
    assert (tmp_path / "directives.csv").exists()
    assert (tmp_path / "themes_by_city.png").exists()
    assert (tmp_path / "by_month.xlsx").exists()
