"""The Dask engine on a real (small, in-process) LocalCluster: same rows, same order as a local run."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from extractor.cli import main

distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=":0") as c:
        yield c


def _read(path: Path) -> bytes:
    return path.read_bytes()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_dask_engine_writes_what_the_local_run_writes(cluster, tmp_path, suffix):
    local, remote = tmp_path / f"local{suffix}", tmp_path / f"dask{suffix}"
    assert main(["extract", str(SEEDS_DIR), "-o", str(local), "--jobs", "1", "-q"]) == 0
    assert main(["extract", str(SEEDS_DIR), "-o", str(remote), "-q", "--engine", "dask",
                 "--scheduler", cluster.scheduler_address]) == 0
    assert _read(remote) == _read(local)
    if suffix == ".csv":
        assert _read(tmp_path / "dask.documents.csv") == _read(tmp_path / "local.documents.csv")


def test_dask_engine_starts_its_own_local_cluster(tmp_path):
    """No --scheduler: a LocalCluster of --jobs worker processes, started and stopped by the command."""
    local, remote = tmp_path / "local.csv", tmp_path / "dask.csv"
    assert main(["extract", str(SEEDS_DIR), "-o", str(local), "--jobs", "1", "-q"]) == 0
    assert main(["extract", str(SEEDS_DIR), "-o", str(remote), "--jobs", "1", "-q", "--engine", "dask"]) == 0
    assert _read(remote) == _read(local)


def test_many_small_chunks_keep_the_order(cluster, monkeypatch):
    from extractor.engines import batch, dask_engine
    from extractor.engines.batch import iter_extract

    monkeypatch.setattr(batch, "MAX_CHUNK", 1)
    monkeypatch.setattr(batch, "WINDOW_PER_JOB", 1)
    got = list(dask_engine.iter_extract_dask([SEEDS_DIR, SEEDS_DIR / "000_1f447dccc34fc85d.txt"],
                                             scheduler=cluster.scheduler_address))
    want = list(iter_extract([SEEDS_DIR, SEEDS_DIR / "000_1f447dccc34fc85d.txt"], jobs=1))
    assert [n.model_dump() for n in got] == [n.model_dump() for n in want]


def test_extract_frame_runs_as_map_partitions(cluster):
    from extractor import extract_frame

    pdf = pd.DataFrame({"path": [str(p) for p in sorted(SEEDS_DIR.glob("*.txt"))]})
    ddf = dd.from_pandas(pdf, npartitions=3)
    with distributed.Client(cluster.scheduler_address):
        meta = extract_frame(ddf._meta, path_col="path")
        got = ddf.map_partitions(extract_frame, path_col="path", meta=meta).compute()
    pd.testing.assert_frame_equal(got.reset_index(drop=True), extract_frame(pdf, path_col="path"))


def test_missing_dask_is_a_clear_error(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)
    code = main(["extract", str(SEEDS_DIR), "-o", str(tmp_path / "d.csv"), "--engine", "dask"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Error: --engine dask needs Dask" in err and "pip install 'policy-directives[dask]'" in err
    assert not (tmp_path / "d.csv").exists()


def test_scheduler_without_dask_engine_is_a_usage_error(capsys):
    assert main(["extract", str(SEEDS_DIR), "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert "--scheduler needs --engine dask" in capsys.readouterr().err
