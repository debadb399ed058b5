"""Hostile and damaged inputs: no notice lost to one bad byte, no batch lost to one bad file.

Each case is what a real user's corpus or command line does to the tool; each asserts the outcome
(a result, or an error that names what is wrong), that every good file's rows are written, and that
nothing is left half-written."""

from __future__ import annotations

import csv
import errno
import gc
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor import extract_notice
from extractor.cli import main
from extractor.stages.load import LoadError, decode_bytes, loaded_from_bytes
from extractor.engines.manifest import read_manifest
from extractor.models import DocumentRow, Notice
from extractor.pipeline import Extractor, iter_input_files
from extractor.rules import RuleFileError, backtracking_risk
from extractor.output.table import TableWriter, read_directives
from extractor.stages.tag import Tagger
from fixtures import SEEDS, portal_html

ROOT = Path(__file__).resolve().parents[1]
GOLD = Path(__file__).parent / "data" / "seeds_gold.json"


@pytest.fixture(scope="module")
def ex() -> Extractor:
    return Extractor()


def texts(notice) -> list[str]:
    return [d.text for d in notice.directives]


def run(*args: str, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extractor", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, **kw)


def rows_of(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- 1. damaged bytes --------------------------------------------------------------------------------

def _flip(data: bytes, rng: random.Random, n: int) -> bytes:
    b = bytearray(data)
    for _ in range(n):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


@pytest.mark.parametrize("flips", [1, 5])
def test_utf8_notice_with_flipped_bits_is_read_not_rejected(ex, flips):
    data = SEEDS["000"].text().encode("utf-8")
    clean = ex.extract_loaded(loaded_from_bytes(data, "x.txt"))
    rng = random.Random(flips)
    same = 0
    for _ in range(40):
        loaded = loaded_from_bytes(_flip(data, rng, flips), "x.txt")  # raises LoadError if rejected
        assert loaded.encoding == "utf-8" or loaded.encoding.startswith("utf-8 (")
        notice = ex.extract_loaded(loaded)
        assert notice.document.status == "ok"
        same += len(notice.directives) == len(clean.directives)
    assert same >= 30  # a flip may land on a marker (一要 → 一要); most cannot change the count


def test_replaced_bytes_are_counted_in_the_encoding(ex):
    text = SEEDS["000"].text()
    data = text.encode("utf-8")
    at = data.index("深刻吸取".encode())
    damaged = data[:at] + b"\xff\xfe\xff" + data[at:]
    loaded = loaded_from_bytes(damaged, "x.txt")
    assert loaded.encoding == "utf-8 (3 bytes replaced)"
    assert loaded.text.count("\ufffd") == 3
    assert texts(ex.extract_loaded(loaded)) == texts(ex.extract_loaded(loaded_from_bytes(data, "x.txt")))


def test_one_stray_nul_is_dropped_not_binary(ex):
    data = SEEDS["003"].text().encode("utf-8")
    at = len(data) // 2
    loaded = loaded_from_bytes(data[:at] + b"\x00" + data[at:], "x.txt")
    assert loaded.encoding == "utf-8 (1 NUL byte removed)" and "\x00" not in loaded.text
    assert texts(ex.extract_loaded(loaded)) == texts(ex.extract_loaded(loaded_from_bytes(data, "x.txt")))


def test_many_nul_bytes_stay_binary():
    data = SEEDS["003"].text().encode("utf-8")
    with pytest.raises(LoadError, match=r"^binary file \(contains NUL bytes\)"):
        loaded_from_bytes(data.replace("。".encode(), b"\x00\x00"), "x.txt")


def test_utf8_page_with_a_gbk_footer(ex):
    text = SEEDS["004"].text()
    footer = "\n主办:双鸭山市人民政府办公室 版权所有 未经许可不得转载\n".encode("gbk")
    loaded = loaded_from_bytes(text.encode("utf-8") + footer, "x.txt")
    assert loaded.encoding.startswith("utf-8 (") and loaded.encoding.endswith(" bytes replaced)")
    assert texts(ex.extract_loaded(loaded)) == texts(ex.extract_text(text))


@pytest.mark.parametrize("encoding", ["gbk", "big5"])
def test_a_legacy_text_is_not_taken_for_damaged_utf8(encoding):
    text = SEEDS["002"].text() if encoding == "big5" else SEEDS["000"].text()
    data = text.encode(encoding, errors="ignore")
    _, enc = decode_bytes(data)
    assert enc in ("gb18030", "big5hkscs")


def test_damaged_file_is_read_and_warned_about_on_the_command_line(tmp_path):
    data = SEEDS["000"].text().encode("utf-8")
    (tmp_path / "damaged.txt").write_bytes(data[:400] + b"\xff" + data[400:])
    out = tmp_path / "d.csv"
    proc = run("extract", str(tmp_path / "damaged.txt"), "-o", str(out), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    assert "warning:" in proc.stderr and "damaged.txt" in proc.stderr and "utf-8 (1 byte replaced)" in proc.stderr
    (doc,) = rows_of(tmp_path / "d.documents.csv")
    assert doc["status"] == "ok" and doc["encoding"] == "utf-8 (1 byte replaced)"


# -- 2. one bad file, any stage ----------------------------------------------------------------------

def _good_files(folder: Path) -> dict[str, int]:
    """Two seeds copied into ``folder``: file name → directives it must give."""
    want = {}
    for key in ("000", "004"):
        path = folder / SEEDS[key].name
        path.write_text(SEEDS[key].text(), encoding="utf-8")
        want[path.name] = len(Extractor().extract_path(path).directives)
    return want


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_deeply_nested_brackets_do_not_stop_the_batch(tmp_path, jobs):
    want = _good_files(tmp_path)
    (tmp_path / "brackets.txt").write_text("[" * 1000 + "\n会议强调,一要加强核酸检测。二要落实隔离措施。", encoding="utf-8")
    out = tmp_path / "d.csv"
    proc = run("extract", str(tmp_path), "-o", str(out), "--jobs", jobs)
    assert "Traceback" not in proc.stderr and "RecursionError" not in proc.stderr
    docs = {Path(d["source_path"]).name: d for d in rows_of(tmp_path / "d.documents.csv")}
    assert docs["brackets.txt"]["status"] in ("ok", "no_directives")
    got = {name: sum(Path(r["source_path"]).name == name for r in rows_of(out)) for name in want}
    assert got == want


_STAGES = {
    "loading": ("extractor.stages.load.load_path", None),
    "cleaning": ("extractor.stages.clean.clean_text", None),
    "locating": ("extractor.stages.locate.locate", None),
    "segmenting": ("segmenter", "segment"),
    "tagging": ("tagger", "tag_spans"),
}


@pytest.mark.parametrize("stage", list(_STAGES))
def test_an_exception_in_any_stage_is_that_file_s_error(tmp_path, monkeypatch, stage):
    want = _good_files(tmp_path)
    bad = tmp_path / "bad.txt"
    bad.write_text(SEEDS["003"].text(), encoding="utf-8")
    ex = Extractor()
    target, method = _STAGES[stage]

    def failing(real):
        def wrapper(*args, **kwargs):
            text = " ".join(str(a) for a in args)
            if "bad.txt" in text or "楼阳生" in text:  # the path, or seed 003's text
                raise RecursionError("maximum recursion depth exceeded")
            return real(*args, **kwargs)
        return wrapper

    if method is None:
        module, name = target.rsplit(".", 1)
        monkeypatch.setattr(f"{module}.{name}", failing(getattr(sys.modules[module], name)))
    else:
        obj = getattr(ex, target)
        monkeypatch.setattr(obj, method, failing(getattr(obj, method)))
    out = tmp_path / "d.csv"
    from extractor.engines.batch import write_notices
    summary = write_notices(ex.iter_notices([tmp_path]), out)
    docs = {Path(d["source_path"]).name: d for d in rows_of(tmp_path / "d.documents.csv")}
    assert docs["bad.txt"]["status"] == "error"
    assert "RecursionError" in docs["bad.txt"]["error"] and "failed" in docs["bad.txt"]["error"]
    assert [Path(p).name for p, _ in summary.errors] == ["bad.txt"]
    got = {name: sum(Path(r["source_path"]).name == name for r in rows_of(out)) for name in want}
    assert got == want
    assert not leftovers(tmp_path)


# -- 3. manifest values ------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["2020年5月25日", "2020/5/25", "2020.05.25", "20200525", "2020-5-25", "2020年05月25号"])
def test_manifest_dates_as_people_type_them(tmp_path, typed):
    notice = tmp_path / "a.txt"
    notice.write_text(SEEDS["003"].text(), encoding="utf-8")
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"source_path,published,admin_level\na.txt,{typed},县级\n", encoding="utf-8")
    doc = Extractor(manifest=read_manifest(manifest)).extract_path(notice).document
    assert str(doc.published) == "2020-05-25" and doc.admin_level == "county" and doc.status == "ok"


@pytest.mark.parametrize(("body", "needle"), [
    ("source_path,published\na.txt,2020-05-25\nb.txt,5月25日\n", "line 3, column published: not a date: '5月25日'"),
    ("source_path,meeting_date\na.txt,2020-02-30\n", "line 2, column meeting_date: not a date"),
    ("source_path,admin_level\na.txt,town\n", "line 2, column admin_level: not a level: 'town'"),
    ("source_path,city\na.txt,宁波市\nb.txt,周口市,沈丘县\n", "line 3: 3 values for 2 columns"),
])
def test_bad_manifest_values_stop_the_run_before_any_work(tmp_path, body, needle):
    (tmp_path / "a.txt").write_text(SEEDS["003"].text(), encoding="utf-8")
    manifest = tmp_path / "m.csv"
    manifest.write_text(body, encoding="utf-8")
    out = tmp_path / "d.csv"
    proc = run("extract", str(tmp_path / "a.txt"), "-o", str(out), "--manifest", str(manifest), "--jobs", "1")
    assert proc.returncode == 2
    assert f"{manifest}: {needle}" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists() and not leftovers(tmp_path)


def test_gbk_manifest_from_excel(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_bytes("source_path,province,city\r\na.txt,浙江省,宁波市\r\n".encode("gbk"))
    assert read_manifest(manifest) == {"a.txt": {"province": "浙江省", "city": "宁波市"}}


# -- 4. extract_notice's argument --------------------------------------------------------------------

def test_extract_notice_reads_a_file_named_by_a_str(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    name = f"seeds/{SEEDS['004'].name}"
    from_str, from_path = extract_notice(name), extract_notice(Path(name))
    assert from_str.document.source_path == name and len(from_str.directives) == 25
    assert texts(from_str) == texts(from_path)
    missing = extract_notice("seeds/no_such_notice.txt")
    assert missing.document.status == "error" and missing.document.error == "no such file"
    assert extract_notice("会议强调,一要加强核酸检测。").document.status in ("ok", "no_directives")
    assert extract_notice("会议强调,一要加强核酸检测。").document.source_path == "<text>"


# -- 5. user taxonomies ------------------------------------------------------------------------------

_THEME = """\
themes:
  - id: {id}
    label: 测试
    {lexicon}
    examples:
      match: [{match}]
"""


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(?:[^,。]*人员)*检测", r"(\\d|x{0,3})+!", r"(?:(?:核酸)+检测)+"])
def test_nested_quantifier_is_refused_with_theme_and_file(tmp_path, pattern):
    path = tmp_path / "bomb.yaml"
    path.write_text(_THEME.format(id="bomb", lexicon=f"patterns: ['{pattern}']", match="aaa"), encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        Tagger.from_files(path)
    assert str(path) in str(err.value) and "themes[bomb].patterns" in str(err.value)
    assert "nested quantifier" in str(err.value)


@pytest.mark.parametrize("pattern", [r"(?:核酸|核酸检测)+人员", r"(?:防控|防控工作)*会议"])
def test_unbounded_repetition_of_a_variable_width_group_is_refused(tmp_path, pattern):
    path = tmp_path / "slow.yaml"
    path.write_text(_THEME.format(id="slow", lexicon=f"patterns: ['{pattern}']", match="x"), encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"themes\[slow\]\.patterns: .* matches texts of different lengths"):
        Tagger.from_files(path)


@pytest.mark.parametrize("pattern", [r"\d+\d*号", r".*.*通知", r"[^,。]*[^;]+人员"])
def test_adjacent_overlapping_repeats_are_refused(tmp_path, pattern):
    path = tmp_path / "slow.yaml"
    path.write_text(_THEME.format(id="slow", lexicon=f"patterns: ['{pattern}']", match="x"), encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        Tagger.from_files(path)
    assert str(path) in str(err.value) and "themes[slow].patterns" in str(err.value)
    assert "two unbounded repeats in a row" in str(err.value)


@pytest.mark.parametrize("pattern", [r"(?:风险|疫区)+人员", r"[来返入][^,。;]{0,10}人员", r"(?>a+)+b", r"(?:ab){2,}",
                                     r"\s*\d+", r"[^,。]*[,。]+", r"会议.*强调.*要", r"\w+\s+\w+"])
def test_patterns_that_cannot_backtrack_for_ever_are_accepted(pattern):
    assert backtracking_risk(pattern) == ""


def test_regex_bomb_does_not_hang_the_run_or_lose_the_good_files(tmp_path):
    _good_files(tmp_path)
    (tmp_path / "long.txt").write_text("会议强调," + "a" * 50_000 + "!\n", encoding="utf-8")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_THEME.format(id="bomb", lexicon="patterns: ['(a+)+$']", match="aaa"), encoding="utf-8")
    out = tmp_path / "d.csv"
    start = time.monotonic()
    proc = run("extract", str(tmp_path), "-o", str(out), "--taxonomy", str(bomb), "--jobs", "1", timeout=60)
    assert time.monotonic() - start < 30
    assert proc.returncode == 2 and "themes[bomb]" in proc.stderr and str(bomb) in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize(("examples", "needle"), [
    ("match: [加强心理援助]", "themes[mental_health].examples.match: '加强心理援助' is not tagged mental_health"),
    ("match: [心理疏导]\n      no_match: [做好心理疏导工作]",
     "themes[mental_health].examples.no_match: '做好心理疏导工作' is tagged mental_health"),
])
def test_user_theme_examples_are_run_on_load(tmp_path, examples, needle):
    path = tmp_path / "mine.yaml"
    path.write_text("themes:\n  - id: mental_health\n    label: 心理健康\n    terms: [心理疏导]\n"
                    f"    examples:\n      {examples}\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        Tagger.from_files(path)
    assert str(err.value) == f"{path}: {needle}"


def test_pdf_as_taxonomy_is_named(tmp_path):
    path = tmp_path / "themes.pdf"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    proc = run("extract", str(ROOT / "seeds"), "-o", str(tmp_path / "d.csv"), "--taxonomy", str(path))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"Error: {path}: not a YAML file (PDF document)"


# -- 6. silent losses --------------------------------------------------------------------------------

def test_unreadable_subfolder_is_named_and_fails_the_run(tmp_path, monkeypatch):
    want = _good_files(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text(SEEDS["003"].text(), encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)  # root reads every folder: deny this one by hand
    out = tmp_path / "d.csv"
    assert main(["extract", str(tmp_path), "-o", str(out), "--jobs", "1", "-q"]) == 1
    docs = {d["source_path"]: d for d in rows_of(tmp_path / "d.documents.csv")}
    assert docs[str(locked)]["status"] == "error"
    assert docs[str(locked)]["error"].startswith("folder cannot be read (Permission denied)")
    got = {name: sum(Path(r["source_path"]).name == name for r in rows_of(out)) for name in want}
    assert got == want


def test_linked_folder_is_followed_once_without_looping(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.txt").write_text(SEEDS["003"].text(), encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "b.txt").write_text(SEEDS["004"].text(), encoding="utf-8")
    (corpus / "linked").symlink_to(real, target_is_directory=True)
    (real / "back").symlink_to(corpus, target_is_directory=True)  # a loop: corpus → linked → back → corpus
    files = [str(p.relative_to(corpus)) for p in iter_input_files([corpus])]
    assert files == ["b.txt", "linked/a.txt"]
    from extractor.pipeline import skipped_in_folders
    assert skipped_in_folders([corpus]) == {}


@pytest.mark.parametrize("depth", [254, 300, 1500])
def test_deeply_nested_page_keeps_its_article(ex, tmp_path, depth):
    body = "".join(f"<p>{line}</p>" for line in SEEDS["004"].text().split("\n") if line.strip())
    page = "<html><head><title>t</title></head><body>" + "<div>" * depth + body + "</div>" * depth + "</body></html>"
    path = tmp_path / "deep.html"
    path.write_text(page, encoding="utf-8")
    notice = ex.extract_path(path)
    assert notice.document.status == "ok" and len(notice.directives) >= 20


def test_page_nested_past_the_parser_limit_is_an_error_with_a_reason(ex, tmp_path):
    page = "<html><body>" + "<div>" * 3000 + "<p>会议强调,一要加强核酸检测。二要落实隔离措施。</p>" + "</div>" * 3000
    path = tmp_path / "deeper.html"
    path.write_text(page, encoding="utf-8")
    doc = ex.extract_path(path).document
    assert doc.status == "error" and doc.error.startswith("page nested too deeply")


# -- 7. disk full ------------------------------------------------------------------------------------

def _notices() -> list[Notice]:
    ex = Extractor()
    return [ex.extract_path(SEEDS[k].path) for k in ("000", "004")]


class _FullDisk:
    """A file that accepts ``room`` characters and then fails as a full disk does, also on close."""

    def __init__(self, fh, room: int) -> None:
        self._fh, self._room = fh, room

    def write(self, s):
        self._room -= len(s)
        if self._room < 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._fh.write(s)

    def close(self):
        self._fh.close()
        if self._room < 0:
            raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._fh, name)


# a half-saved workbook may fail again when collected; the test collects it here, not later
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("fmt", [".csv", ".jsonl", ".xlsx", ".parquet"])
@pytest.mark.parametrize("when", ["writing", "committing"])
def test_disk_full_leaves_the_previous_output_and_no_temporary_file(tmp_path, monkeypatch, fmt, when):
    out = tmp_path / f"d{fmt}"
    with TableWriter(out) as w:  # the previous run's output
        for n in _notices()[:1]:
            w.add(n)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    import extractor.output.table as table

    full = OSError(errno.ENOSPC, "No space left on device")
    if fmt in (".csv", ".jsonl"):
        real_open = open
        room = 1000 if when == "writing" else 10**9
        monkeypatch.setattr(table, "open", lambda *a, **k: _FullDisk(real_open(*a, **k), room), raising=False)
        if when == "committing":
            monkeypatch.setattr(_FullDisk, "close", lambda self: (self._fh.close(), (_ for _ in ()).throw(full)))
    elif fmt == ".xlsx":
        def close(self):  # xlsxwriter writes the whole archive on close
            Path(self.filename).write_bytes(b"PK\x03\x04 half an archive")
            raise full
        monkeypatch.setattr("xlsxwriter.Workbook.close", close)
    else:
        import pyarrow.parquet as pq

        real_write = pq.ParquetWriter.write_table

        def write_table(self, table_, *a, **k):
            real_write(self, table_, *a, **k)
            raise full
        monkeypatch.setattr(pq.ParquetWriter, "write_table", write_table)
        if when == "writing":
            monkeypatch.setattr(table.TableWriter, "add", _flushing_add(table.TableWriter.add))
    with pytest.raises(OSError) as err:
        with TableWriter(out) as w:
            for n in _notices():
                w.add(n)
    assert err.value.errno == errno.ENOSPC
    assert not leftovers(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    del err
    gc.collect()


def _flushing_add(real):
    def add(self, notice):
        real(self, notice)
        self._flush_parquet()  # as a run of 5,000 rows does
    return add


_HUNG_POOL = """
import os, struct, sys, threading
from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp
from extractor.engines.batch import _stop

pool = ProcessPoolExecutor(2, mp_context=mp.get_context("fork"))
assert pool.submit(int, "1").result() == 1
manager = pool._executor_manager_thread
# what a worker killed while sending its notices leaves: the length of a message, half of it
os.write(pool._result_queue._writer.fileno(), struct.pack("!i", 1 << 20) + b"x" * 100)
_stop(pool)
print("manager alive:", manager.is_alive(), flush=True)
"""


def test_a_pool_stopped_while_a_result_is_half_sent_does_not_hang_the_exit():
    proc = subprocess.run([sys.executable, "-c", _HUNG_POOL], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "manager alive: False" in proc.stdout


# -- 8. formulas ---------------------------------------------------------------------------------------

def _formula_notice() -> Notice:
    notice = Extractor().extract_text(SEEDS["004"].text(), "=cmd|' /C calc'!A0.txt")
    doc = notice.document.model_copy(update={"city": "=HYPERLINK(\"http://x\",\"市\")", "title": "+标题",
                                             "province": "'黑龙江省"})
    rows = [r.model_copy(update={"city": doc.city, "title": doc.title, "province": doc.province})
            for r in notice.directives]
    return Notice(document=doc, directives=rows)


def test_xlsx_has_no_live_formula_in_any_sheet(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "d.xlsx"
    with TableWriter(out) as w:
        w.add(_formula_notice())
    wb = load_workbook(out)
    assert {"directives", "documents", "themes_by_city", "codebook"} <= set(wb.sheetnames)
    cities = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith("=HYPERLINK"):
                    cities.add(ws.title)
    assert {"directives", "documents", "themes_by_city"} <= cities  # as given, no apostrophe
    df = read_directives(out)
    assert set(df["city"]) == {"=HYPERLINK(\"http://x\",\"市\")"} and set(df["title"]) == {"+标题"}


def test_csv_keeps_the_apostrophe_and_the_reader_takes_it_off(tmp_path):
    out = tmp_path / "d.csv"
    with TableWriter(out) as w:
        w.add(_formula_notice())
    raw = rows_of(out)
    assert raw[0]["city"].startswith("'=HYPERLINK") and raw[0]["title"] == "'+标题"
    assert raw[0]["province"] == "''黑龙江省"  # a leading apostrophe is doubled, so reading is exact
    df = read_directives(out)
    assert set(df["city"]) == {"=HYPERLINK(\"http://x\",\"市\")"}
    assert set(df["title"]) == {"+标题"} and set(df["province"]) == {"'黑龙江省"}
    assert set(df["source_path"]) == {"=cmd|' /C calc'!A0.txt"}


def test_comparison_sheet_written_by_write_frame_has_no_formula(tmp_path):
    import pandas as pd
    from openpyxl import load_workbook

    from extractor.output.table import write_frame

    out = tmp_path / "c.xlsx"
    write_frame(pd.DataFrame({"city": ["=1+1", "宁波市"], "n": [1, 2], "share": [0.5, float("nan")]}), out)
    ws = load_workbook(out).active
    assert [(c.value, c.data_type) for c in ws["A"]] == [("city", "s"), ("=1+1", "s"), ("宁波市", "s")]
    assert ws["C3"].value is None


# -- 9. small ones -----------------------------------------------------------------------------------

def test_closed_pipe_ends_quietly():
    cmd = f"{sys.executable} -m extractor extract {SEEDS['004'].path} --jobs 1 | head -1"
    proc = subprocess.run(["bash", "-c", f"set -o pipefail; {cmd}"], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert proc.stdout.startswith("doc_id,source_path")
    assert proc.stderr == ""
    assert proc.returncode == 141


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    from importlib.metadata import version
    assert capsys.readouterr().out.strip() == f"directives {version('policy-directives')}"


@pytest.mark.parametrize("jobs", ["0", "-3", "two"])
def test_jobs_must_be_a_positive_number(capsys, jobs):
    with pytest.raises(SystemExit) as exit_:
        main(["extract", "seeds", "--jobs", jobs])
    assert exit_.value.code == 2
    assert "argument --jobs" in capsys.readouterr().err


def test_evaluate_on_an_empty_prediction_says_n_a(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    with TableWriter(empty):
        pass
    assert main(["evaluate", "--gold", str(GOLD), "--pred", str(empty)]) == 0
    out = capsys.readouterr().out
    assert "directive_f1: 0.000" in out and "theme_f1: n/a" in out and "primary_accuracy: n/a" in out
    assert main(["evaluate", "--gold", str(GOLD), "--pred", str(empty), "--require", "theme_f1=0.5"]) == 1
    assert "theme_f1 n/a < 0.500" in capsys.readouterr().out


def test_an_error_row_is_a_valid_document_row():
    doc = DocumentRow(source_path="x", status="error", error="loading failed: RecursionError")
    assert DocumentRow.model_validate(doc.model_dump()) == doc


def test_extract_path_with_a_page_record_list_is_an_error_not_an_exception(ex, tmp_path):
    path = tmp_path / "records.json"
    path.write_text('[{"content": "会议强调"}, {"content": "一要"}]', encoding="utf-8")
    doc = ex.extract_path(path).document
    assert doc.status == "error" and "a list of 2 records" in doc.error


def test_portal_page_with_damaged_utf8_bytes(ex):
    page = portal_html(SEEDS["000"].text(), title=SEEDS["000"].title, site="中国宁波网", published="2020-05-25")
    data = page.encode("utf-8")
    at = data.index("深刻吸取".encode())
    loaded = loaded_from_bytes(data[:at + 1] + data[at + 2:], "p.html")  # one byte of 深 lost
    assert loaded.encoding.startswith("utf-8 (")
    assert ex.extract_loaded(loaded).document.status == "ok"


def test_a_stage_failure_prints_its_reason_not_a_traceback(tmp_path):
    """What a user sees for a bug in a stage: the file and the reason, no traceback, exit 1."""
    good = tmp_path / SEEDS["004"].name
    good.write_text(SEEDS["004"].text(), encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text(SEEDS["003"].text(), encoding="utf-8")
    script = (
        "import sys, extractor.stages.clean as c\n"
        "real = c.clean_text\n"
        "def clean_text(text, **kw):\n"
        "    if '楼阳生' in text:\n"
        "        raise RecursionError('maximum recursion depth exceeded')\n"
        "    return real(text, **kw)\n"
        "c.clean_text = clean_text\n"
        "from extractor.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n")
    out = tmp_path / "d.csv"
    proc = subprocess.run([sys.executable, "-c", script, "extract", str(tmp_path), "-o", str(out), "--jobs", "1"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{bad}: extraction failed: RecursionError: maximum recursion depth exceeded" in proc.stderr
    assert {Path(r["source_path"]).name for r in rows_of(out)} == {good.name}
