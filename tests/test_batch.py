"""batch: a folder of good and bad inputs, duplicates across files, deterministic order for any
number of jobs, bounded submission, and the progress bar."""

from __future__ import annotations

import builtins
import csv
import io
import os
import random
import re
import shutil
import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path

import pytest

from extractor.engines import batch

from extractor.stages import load
from extractor.engines.batch import Progress, chunk_size, list_inputs, write_notices
from extractor.cli import main
from extractor.models import DocumentRow, Notice
from extractor.pipeline import shared_extractor
from fixtures import BINARIES, NOVEL, SEEDS, big5_ready, make_corpus, seed_html

DIRECTIVES = [sys.executable, "-m", "extractor"]


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def plain():
    ex = shared_extractor()
    return {key: [d.text for d in ex.extract_text(seed.text(), seed.name).directives] for key, seed in SEEDS.items()}


# -- a folder of good notices and every kind of bad input -------------------------------------------

def build_mixed_folder(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Good notices (name → seed key) and bad inputs (name → expected reason pattern)."""
    root.mkdir()
    (root / "sub").mkdir()
    good = {}
    (root / "000_utf8.txt").write_text(SEEDS["000"].text(), encoding="utf-8")
    good["000_utf8.txt"] = "000"
    (root / "001_gbk.txt").write_bytes(SEEDS["001"].text().encode("gb18030"))
    good["001_gbk.txt"] = "001"
    (root / "002_big5.txt").write_bytes(big5_ready(SEEDS["002"].text()).encode("big5"))
    good["002_big5.txt"] = "002"
    (root / "003_portal.html").write_text(seed_html("003", layout="table"), encoding="utf-8")
    good["003_portal.html"] = "003"
    (root / "sub" / "004_utf16.htm").write_bytes(seed_html("004", layout="br", charset="utf-16").encode("utf-16"))
    good["sub/004_utf16.htm"] = "004"

    bad = {
        "empty.txt": r"empty file",
        "blank.txt": r"empty file \(only white space\)",
        "report.txt": r"binary file \(PDF document\), not a text notice",
        "photo.html": r"binary file \(PNG image\), not a text notice",
        "sub/archive.shtml": r"binary file \(ZIP archive, \.docx or \.xlsx\), not a text notice",
        "garbage.txt": r"cannot decode: .*",
        "secret.txt": r"permission denied",
        "moved.txt": r"broken link \(points to .*nowhere\.txt, which does not exist\)",
        "dump.txt": r"file too large \(50\.0 MB; the limit is 20 MB\)",
    }
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.txt").write_bytes(b"\r\n \t\r\n")
    (root / "report.txt").write_bytes(BINARIES["pdf"]())
    (root / "photo.html").write_bytes(BINARIES["png"]())
    (root / "sub" / "archive.shtml").write_bytes(BINARIES["zip"]())
    rng = random.Random(3)
    (root / "garbage.txt").write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(30_000)))
    (root / "secret.txt").write_text(SEEDS["000"].text(), encoding="utf-8")
    (root / "secret.txt").chmod(0)
    (root / "moved.txt").symlink_to(root / "nowhere.txt")
    with open(root / "dump.txt", "wb") as fh:
        fh.truncate(50 * 2**20)
    (root / "novel.txt").write_bytes(NOVEL.encode("gb18030"))
    (root / "notes.docx").write_bytes(BINARIES["zip"]())  # not a notice suffix: a folder scan passes it by
    return good, bad


@pytest.fixture
def deny_secret(monkeypatch):
    """As root, reading secret.txt succeeds despite mode 000: make it fail as it does for a user."""
    if os.geteuid() != 0:
        return
    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        if str(file).endswith("secret.txt"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(load, "open", guarded, raising=False)


def test_mixed_folder(tmp_path, capsys, plain, deny_secret):
    folder = tmp_path / "notices"
    good, bad = build_mixed_folder(folder)
    out = tmp_path / "out" / "d.csv"
    out.parent.mkdir()
    rc = main(["extract", str(folder), "-o", str(out), "--jobs", "1"])
    err = capsys.readouterr().err
    assert rc == 1

    docs = {Path(r["source_path"]).relative_to(folder).as_posix(): r for r in read_csv(out.with_name("d.documents.csv"))}
    assert set(docs) == set(good) | set(bad) | {"novel.txt"}  # notes.docx was not a notice file
    # each bad input: status=error with its reason, and one line on standard error naming it
    err_lines = err.strip().splitlines()
    for name, reason in bad.items():
        assert docs[name]["status"] == "error"
        assert re.fullmatch(reason, docs[name]["error"]), (name, docs[name]["error"])
        lines = [ln for ln in err_lines if ln.startswith(str(folder / name) + ": ")]
        assert len(lines) == 1, (name, err)
        assert lines[0] == f"{folder / name}: {docs[name]['error']}"
    assert docs["novel.txt"]["status"] == "no_directives" and docs["novel.txt"]["error"] == ""
    # every good notice: ok, and exactly the directives of its plain seed
    rows = read_csv(out)
    for name, key in good.items():
        assert docs[name]["status"] == "ok", (name, docs[name]["error"])
        texts = [r["text"] for r in rows if r["source_path"] == str(folder / name)]
        assert texts == plain[key], name
    assert docs["001_gbk.txt"]["encoding"] == "gb18030"
    assert docs["sub/004_utf16.htm"]["encoding"] == "utf-16"
    assert err_lines[-1].startswith(f"{len(docs)} notices, {len(rows)} directives")
    assert f"{len(bad)} failed" in err_lines[-1] and "1 with no directives" in err_lines[-1]


def test_folder_without_notices(tmp_path, capsys):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(BINARIES["pdf"]())
    rc = main(["extract", str(folder), "-o", str(tmp_path / "d.csv")])
    err = capsys.readouterr().err
    assert rc == 1
    assert "Error: no notice files" in err and str(folder) in err
    assert "not read, by suffix: 1 .pdf" in err  # nothing in the folder is passed over silently
    assert not (tmp_path / "d.csv").exists()


def test_missing_path_is_named_and_the_rest_processed(tmp_path, capsys, plain):
    good = tmp_path / "a.txt"
    good.write_text(SEEDS["000"].text(), encoding="utf-8")
    out = tmp_path / "d.csv"
    rc = main(["extract", str(tmp_path / "nope.txt"), str(good), "-o", str(out), "-q"])
    assert rc == 1
    assert f"{tmp_path / 'nope.txt'}: no such file or folder" in capsys.readouterr().err
    assert [r["text"] for r in read_csv(out)] == plain["000"]


def test_explicit_file_with_any_suffix_is_read(tmp_path, plain):
    # a folder scan keeps to notice suffixes (server page names like .php included), but a file named
    # on the command line is always read
    page = tmp_path / "article.php"
    page.write_text(seed_html("000"), encoding="utf-8")
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(BINARIES["pdf"]())
    assert list_inputs([tmp_path]) == [str(page)]
    out = tmp_path / "d.csv"
    assert main(["extract", str(page), str(pdf), "-o", str(out), "-q"]) == 1
    docs = {r["source_path"]: r for r in read_csv(tmp_path / "d.documents.csv")}
    assert docs[str(page)]["status"] == "ok"
    assert docs[str(pdf)]["status"] == "error" and "PDF" in docs[str(pdf)]["error"]
    assert [r["text"] for r in read_csv(out)] == plain["000"]


def test_list_inputs_sorted_once_each_with_broken_links(tmp_path):
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "z.html").write_text("x")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    files = list_inputs([tmp_path, tmp_path / "b.txt"])
    assert files == [str(tmp_path / "a" / "z.html"), str(tmp_path / "b.txt"), str(tmp_path / "gone.txt")]


# -- duplicates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dedupe", [False, True])
def test_duplicates_across_files(tmp_path, plain, dedupe):
    folder = tmp_path / "in"
    folder.mkdir()
    text = SEEDS["000"].text()
    (folder / "a_first.txt").write_text(text, encoding="utf-8")
    (folder / "b_saved_again.txt").write_bytes(text.encode("gb18030"))  # same notice, other encoding
    (folder / "c_repost.html").write_text(seed_html("000", layout="p"), encoding="utf-8")  # another site
    (folder / "d_other.txt").write_text(SEEDS["001"].text(), encoding="utf-8")
    out = tmp_path / "d.csv"
    assert main(["extract", str(folder), "-o", str(out), "-q", "--jobs", "1"] + (["--dedupe"] if dedupe else [])) == 0
    docs = {Path(r["source_path"]).name: r for r in read_csv(tmp_path / "d.documents.csv")}
    first = str(folder / "a_first.txt")
    assert docs["a_first.txt"]["doc_id"] == docs["b_saved_again.txt"]["doc_id"] == docs["c_repost.html"]["doc_id"]
    assert docs["d_other.txt"]["doc_id"] != docs["a_first.txt"]["doc_id"]
    assert [docs[n]["duplicate_of"] for n in sorted(docs)] == ["", first, first, ""]
    rows = read_csv(out)
    by_file = {n: [r["text"] for r in rows if Path(r["source_path"]).name == n] for n in docs}
    assert by_file["a_first.txt"] == plain["000"] and by_file["d_other.txt"] == plain["001"]
    expected_copies = [] if dedupe else plain["000"]
    assert by_file["b_saved_again.txt"] == expected_copies and by_file["c_repost.html"] == expected_copies


def test_write_notices_marks_duplicates_and_streams(monkeypatch):
    def notice(path: str, doc_id: str, n: int) -> Notice:
        from extractor.models import DirectiveRow
        rows = [DirectiveRow(doc_id=doc_id, source_path=path, directive_no=i + 1, kind="numbered", numbered=True,
                             text=f"{i}要", start=0, end=2) for i in range(n)]
        return Notice(document=DocumentRow(doc_id=doc_id, source_path=path, n_directives=n), directives=rows)

    buf = io.StringIO()
    written_before_end = []

    def stream():
        yield notice("a", "x", 2)
        yield notice("b", "y", 1)
        written_before_end.append(buf.getvalue().count("\n"))  # rows are out before the input ends
        yield notice("c", "x", 2)
        yield Notice(document=DocumentRow(source_path="d", status="error", error="empty file"))

    monkeypatch.setattr(sys, "stdout", buf)  # no output file: CSV on standard output
    summary = write_notices(stream(), None, dedupe=True)
    assert written_before_end == [1 + 3]  # header + a's two rows + b's row
    assert summary.duplicates == [("c", "a")]
    assert summary.errors == [("d", "empty file")]
    assert summary.n_documents == 4 and summary.n_directives == 3


# -- jobs: identical output, bounded submission ---------------------------------------------------------

def test_jobs_1_and_2_give_byte_identical_outputs(tmp_path):
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 60, html_every=4)
    (corpus / "zz_empty.txt").write_bytes(b"")
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"j{jobs}" / "d.jsonl"
        out.parent.mkdir()
        csv_out = out.with_suffix(".csv")
        for o in (out, csv_out):
            proc = subprocess.run(DIRECTIVES + ["extract", str(corpus), "-o", str(o), "--jobs", str(jobs), "-q"],
                                  capture_output=True, text=True, timeout=180)
            assert proc.returncode == 1, proc.stderr  # zz_empty.txt
            assert proc.stderr.strip() == f"{corpus / 'zz_empty.txt'}: empty file"
        outs.append([p.read_bytes() for p in (out, csv_out, csv_out.with_name("d.documents.csv"))])
    assert outs[0] == outs[1]
    rows = read_csv(tmp_path / "j2" / "d.documents.csv")
    assert [r["source_path"] for r in rows] == sorted(r["source_path"] for r in rows)
    assert sum(r["status"] == "ok" for r in rows) == 60


def test_the_default_runs_a_small_batch_in_one_process(tmp_path, monkeypatch):
    assert [batch.auto_jobs(n, cores=2, busy=0) for n in (0, 5, 199, 200, 3000)] == [1, 1, 1, 2, 2]
    assert batch.auto_jobs(450, cores=8, busy=0) == 4
    # cores that other programs keep busy are not counted
    assert [batch.auto_jobs(3000, cores=2, busy=b) for b in (0, 1, 2, 5)] == [2, 1, 1, 1]
    assert batch.auto_jobs(3000, cores=8, busy=3) == 5
    assert batch.busy_elsewhere(samples=2, interval=0) >= 0
    files = make_corpus(tmp_path / "c", 12)

    def no_pool(*args, **kwargs):
        raise AssertionError("a process pool was started for 12 files")

    monkeypatch.setattr(batch, "ProcessPoolExecutor", no_pool)
    summary = batch.run_extract([tmp_path / "c"], tmp_path / "d.csv", progress=False)
    assert summary.n_documents == len(files) and not summary.errors


def test_the_readers_are_loaded_before_the_workers_are_forked():
    # a worker that imports trafilatura or a codec on its first page pays for it once per worker
    code = ("import sys; from extractor.engines import batch; batch._warm({}); "
            "print(all(m in sys.modules for m in ('trafilatura', 'opencc', '_codecs_cn', '_codecs_hk')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


class _RecordingPool:
    """A stand-in for ProcessPoolExecutor that runs tasks when submitted and records how many were
    submitted and not yet taken by the consumer."""

    max_outstanding = 0

    def __init__(self, *args, initializer=None, initargs=(), **kwargs):
        self.outstanding = 0

    def submit(self, fn, *args):
        fut = Future()
        fut.set_result(fn(*args))
        self.outstanding += 1
        type(self).max_outstanding = max(type(self).max_outstanding, self.outstanding)
        real_result = fut.result

        def result(timeout=None):
            self.outstanding -= 1
            return real_result(timeout)

        fut.result = result
        return fut

    def shutdown(self, wait=True, cancel_futures=False):
        pass


def test_submission_is_bounded(tmp_path, monkeypatch):
    files = [str(p) for p in make_corpus(tmp_path, 40)]
    monkeypatch.setattr(batch, "ProcessPoolExecutor", _RecordingPool)
    monkeypatch.setattr(batch, "_pool_context", lambda: None)
    monkeypatch.setattr(batch, "MAX_CHUNK", 1)
    jobs = 2
    notices = list(batch.iter_extract([], jobs=jobs, files=files))
    assert [n.document.source_path for n in notices] == files
    assert chunk_size(len(files), jobs) == 1
    assert _RecordingPool.max_outstanding == jobs * batch.WINDOW_PER_JOB < len(files)


# -- progress -----------------------------------------------------------------------------------------

class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_appears_on_a_terminal_after_the_delay(monkeypatch):
    stream = _Tty()
    monkeypatch.setattr(batch, "PROGRESS_DELAY", 0.0)
    with Progress(10, stream=stream) as bar:
        for _ in range(10):
            bar.advance()
    assert "extracting" in stream.getvalue() and "10/10" in stream.getvalue()


def test_progress_bar_silent_for_short_runs_pipes_and_quiet(monkeypatch):
    tty, pipe, quiet = _Tty(), io.StringIO(), _Tty()
    with Progress(10, stream=tty) as bar:  # the run ends before the delay
        bar.advance(10)
    monkeypatch.setattr(batch, "PROGRESS_DELAY", 0.0)
    with Progress(10, stream=pipe) as bar:
        bar.advance(10)
    with Progress(10, enabled=False, stream=quiet) as bar:
        bar.advance(10)
    assert tty.getvalue() == pipe.getvalue() == quiet.getvalue() == ""


def test_cli_progress_stays_off_standard_error_when_not_a_terminal(tmp_path):
    for key in ("000", "001"):
        shutil.copy(SEEDS[key].path, tmp_path / f"{key}.txt")
    proc = subprocess.run(DIRECTIVES + ["extract", str(tmp_path), "-o", str(tmp_path / "d.csv")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert proc.stderr.splitlines() == [f"2 notices, {len(read_csv(tmp_path / 'd.csv'))} directives → {tmp_path / 'd.csv'}"]


def test_a_file_that_kills_its_worker_is_an_error_and_the_rest_go_on(tmp_path, monkeypatch):
    from extractor.pipeline import Extractor

    if not sys.platform.startswith("linux"):
        pytest.skip("workers inherit the patch only when forked")
    files = [str(p) for p in make_corpus(tmp_path, 12)]
    killer = tmp_path / "000005_killer.txt"
    killer.write_text(SEEDS["000"].text(), encoding="utf-8")
    files.insert(6, str(killer))
    real = Extractor.extract_path

    def extract_path(self, path):
        if "killer" in str(path):
            os._exit(9)  # as the kernel's OOM killer or a segfault would end the worker
        return real(self, path)

    monkeypatch.setattr(Extractor, "extract_path", extract_path)
    monkeypatch.setattr(batch, "MAX_CHUNK", 2)
    notices = list(batch.iter_extract([], jobs=2, files=files))
    assert [n.document.source_path for n in notices] == files
    statuses = {n.document.source_path: n.document.status for n in notices}
    assert statuses.pop(str(killer)) == "error"
    assert set(statuses.values()) == {"ok"}
    error = next(n.document.error for n in notices if n.document.source_path == str(killer))
    assert error.startswith("extraction failed: the worker process died")
