"""Outputs are whole or absent: an interrupted run leaves the previous files, a bad output path is
refused before any work, and every format carries the same rows."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor.engines import batch
from extractor.cli import main
from extractor.models import DirectiveRow, DocumentRow, Notice
from extractor.output.table import TableWriter, check_output_path, read_directives
from fixtures import SEEDS, make_corpus

DIRECTIVES = [sys.executable, "-m", "extractor"]
SEEDS_DIR = SEEDS["000"].path.parent


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


# -- interrupted runs ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("big") / "corpus"
    make_corpus(folder, 400, html_every=3)
    return folder


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:  # state, ppid, …
            kids.append(int(stat.parent.name))
    return kids


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return any(line.startswith("State:") and "Z" in line.split()[1] for line in fh)
    except FileNotFoundError:
        return True


def _start_and_interrupt(corpus: Path, out: Path, sig: int) -> tuple[subprocess.Popen, str, list[int]]:
    """Start a 2-job run, wait until rows are being written, send ``sig``."""
    proc = subprocess.Popen(DIRECTIVES + ["extract", str(corpus), "-o", str(out), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    header = len(",".join(DirectiveRow.model_fields)) + 10
    while time.monotonic() < deadline:
        tmps = list(out.parent.glob(f".{out.name}.{proc.pid}.tmp"))
        if tmps and tmps[0].stat().st_size > header + 2000:  # mid-way: some rows are written
            break
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the run never started writing")
    workers = _children(proc.pid)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    return proc, err, workers


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_keeps_previous_output_and_leaves_no_temporary_files(big_corpus, tmp_path, sig):
    out = tmp_path / "d.csv"
    out.write_text("previous directives\n", encoding="utf-8")
    (tmp_path / "d.documents.csv").write_text("previous documents\n", encoding="utf-8")
    proc, err, workers = _start_and_interrupt(big_corpus, out, sig)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == "Interrupted; no output was changed."
    assert out.read_text(encoding="utf-8") == "previous directives\n"
    assert (tmp_path / "d.documents.csv").read_text(encoding="utf-8") == "previous documents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "d.documents.csv"]
    assert len(workers) == 2 and all(_gone(w) for w in workers)


def test_kill_keeps_previous_output_and_the_next_run_cleans_up(big_corpus, tmp_path):
    out = tmp_path / "d.csv"
    proc, _, workers = _start_and_interrupt(big_corpus, out, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()  # a first run killed: no output at all, not a truncated one
    assert len(list(tmp_path.glob(f".d.csv.{proc.pid}.tmp"))) == 1
    deadline = time.monotonic() + 10  # orphaned workers notice and exit
    while not all(_gone(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(workers) == 2 and all(_gone(w) for w in workers)

    # the next run writes whole files and removes what the killed run left
    assert main(["extract", str(SEEDS_DIR), "-o", str(out), "-q", "--jobs", "1"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "d.documents.csv"]
    assert len(read_csv(out)) > 0 and len(read_csv(tmp_path / "d.documents.csv")) == 5


def test_crash_mid_run_keeps_previous_output(tmp_path, monkeypatch):
    out = tmp_path / "d.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    real = batch.iter_extract

    def crashing(*args, **kwargs):
        for i, notice in enumerate(real(*args, **kwargs)):
            if i == 3:
                raise MemoryError("simulated")
            yield notice

    monkeypatch.setattr(batch, "iter_extract", crashing)
    with pytest.raises(MemoryError):
        main(["extract", str(SEEDS_DIR), "-o", str(out), "-q", "--jobs", "1"])
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["d.jsonl"]


# -- bad output paths, refused before any work ----------------------------------------------------------

def _unwritable_dir(tmp_path: Path) -> Path:
    d = tmp_path / "read-only"
    d.mkdir()
    d.chmod(0o555)
    if os.access(d, os.W_OK):  # root writes anywhere permissions say no; /proc/1 refuses even root
        d = Path("/proc/1")
        if os.access(d, os.W_OK):
            pytest.skip("no unwritable folder available")
    return d


@pytest.mark.parametrize("case", ["missing folder", "unwritable folder", "a folder", "unknown format"])
def test_bad_output_path_is_refused_before_any_work(tmp_path, capsys, monkeypatch, case):
    out = {"missing folder": lambda: tmp_path / "no" / "such" / "d.csv",
           "unwritable folder": lambda: _unwritable_dir(tmp_path) / "d.csv",
           "a folder": lambda: tmp_path,
           "unknown format": lambda: tmp_path / "d.docx"}[case]()
    if case == "a folder":
        out = tmp_path / "x.csv"
        out.mkdir()
    monkeypatch.setattr(batch, "run_extract", lambda *a, **k: pytest.fail("work started"))
    assert main(["extract", str(SEEDS_DIR), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Error: {out}: ") and err.count("\n") == 1
    reason = {"missing folder": "folder .* does not exist", "unwritable folder": "folder .* is not writable",
              "a folder": "is a folder", "unknown format": "unsupported output format '.docx'"}[case]
    import re
    assert re.search(reason, err), err


def test_check_output_path_accepts_a_writable_target(tmp_path):
    for suffix in (".csv", ".xlsx", ".parquet", ".jsonl", ".CSV"):
        check_output_path(tmp_path / f"d{suffix}")


# -- formats ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_outputs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("formats")
    outs = {}
    for suffix in (".csv", ".jsonl", ".parquet", ".xlsx"):
        out = folder / f"d{suffix}"
        assert main(["extract", str(SEEDS_DIR), "-o", str(out), "-q", "--jobs", "1"]) == 0
        outs[suffix] = out
    return outs


def test_every_format_has_the_same_directive_rows(seed_outputs):
    frames = {s: read_directives(p) for s, p in seed_outputs.items()}
    ref = frames[".csv"]
    assert len(ref) >= 60
    for suffix, df in frames.items():
        assert list(df.columns) == list(DirectiveRow.model_fields), suffix
        assert df["text"].tolist() == ref["text"].tolist(), suffix
        assert df["start"].astype(int).tolist() == ref["start"].astype(int).tolist(), suffix


def test_jsonl_is_one_document_per_line_with_directives_nested(seed_outputs):
    lines = seed_outputs[".jsonl"].read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    for line in lines:
        notice = Notice.model_validate_json(line)
        for d in notice.directives:
            assert notice.document.text[d.start:d.end] == d.text


def test_documents_table_keeps_the_cleaned_text_exactly(seed_outputs):
    docs = read_csv(seed_outputs[".csv"].with_name("d.documents.csv"))
    rows = read_csv(seed_outputs[".csv"])
    by_id = {d["doc_id"]: d["text"] for d in docs}
    assert all("\n" in t for t in by_id.values())
    for r in rows:
        assert by_id[r["doc_id"]][int(r["start"]):int(r["end"])] == r["text"]
    raw = seed_outputs[".csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, for spreadsheet programs


def test_xlsx_sheets(seed_outputs):
    from openpyxl import load_workbook

    wb = load_workbook(seed_outputs[".xlsx"], read_only=True)
    assert wb.sheetnames[:2] == ["directives", "documents"]
    assert {"themes_by_city", "codebook"} <= set(wb.sheetnames)


def test_formula_like_cells_are_neutralised(tmp_path):
    doc = DocumentRow(doc_id="1", source_path="=1+1.txt", title="=HYPERLINK(\"http://x\")", text="+要加强")
    row = DirectiveRow(doc_id="1", source_path="=1+1.txt", directive_no=1, kind="unnumbered", numbered=False,
                       marker="要", text="-要加强", start=0, end=3)
    out = tmp_path / "d.csv"
    with TableWriter(out) as w:
        w.add(Notice(document=doc, directives=[row]))
    d = read_csv(out)[0]
    docs = read_csv(tmp_path / "d.documents.csv")[0]
    assert d["text"] == "'-要加强" and d["source_path"] == "'=1+1.txt"
    assert docs["title"].startswith("'=") and docs["text"] == "'+要加强"


def test_standard_output_carries_only_the_directive_table(tmp_path, capsys):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    rc = main(["extract", str(SEEDS["001"].path), str(bad)])
    captured = capsys.readouterr()
    assert rc == 1
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert list(rows[0]) == list(DirectiveRow.model_fields)
    assert {r["source_path"] for r in rows} == {str(SEEDS["001"].path)}
    assert captured.err.strip() == f"{bad}: empty file"


def test_jsonl_round_trips_through_the_models(seed_outputs):
    for line in seed_outputs[".jsonl"].read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        assert Notice.model_validate(data).model_dump(mode="json") == data
