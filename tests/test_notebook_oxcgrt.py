"""The OxCGRT join notebook runs on the seeds and is committed without outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "oxcgrt_join.ipynb"


def test_notebook_runs_and_shows_the_province_beside_its_index(tmp_path, monkeypatch):
    monkeypatch.setenv("OXCGRT_JOIN_OUT", str(tmp_path))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120,
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    text = "\n".join(out.get("text", "") + out.get("data", {}).get("text/plain", "")
                     for cell in nb.cells for out in cell.get("outputs", []))
    assert "70 directives from 5 notices" in text
    assert "浙江省" in text and "2020-05" in text and "C8" in text
    assert "3.5" in text  # the made-up C8 values of 24 and 25 May, averaged
