"""The command line as a user runs it: themes, schema, show, evaluate, extract to standard output."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GOLD = Path(__file__).parent / "data" / "seeds_gold.json"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extractor", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_help_lists_every_command():
    out = run("--help").stdout
    for command in ("extract", "compare", "show", "themes", "schema", "evaluate"):
        assert command in out


def test_extract_to_stdout_is_only_the_directive_csv():
    proc = run("extract", str(SEEDS / "004_e0210ab8d126b4d2.txt"), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert len(rows) == 25
    assert {r["source_path"] for r in rows} == {str(SEEDS / "004_e0210ab8d126b4d2.txt")}
    assert rows[0]["text"].startswith("要树立底线思维")


def test_themes_lists_the_codebook(capsys):
    assert main(["themes"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") >= 46
    assert "import_prevention" in out and "外防输入" in out


def test_themes_yaml_is_a_valid_taxonomy_template(tmp_path, capsys):
    assert main(["themes", "--yaml"]) == 0
    path = tmp_path / "mine.yaml"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["themes", "--taxonomy", str(path)]) == 0


def test_schema_prints_both_tables(capsys):
    assert main(["schema"]) == 0
    schemas = json.loads(capsys.readouterr().out)
    assert set(schemas) == {"directive.schema.json", "document.schema.json"}
    assert "theme_terms" in schemas["directive.schema.json"]["properties"]


def test_bad_taxonomy_is_a_clear_error_before_any_work(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes:\n  - id: x\n    label: X\n    examples: {match: [a]}\n", encoding="utf-8")
    out = tmp_path / "d.csv"
    proc = run("extract", str(SEEDS), "-o", str(out), "--taxonomy", str(bad))
    assert proc.returncode == 2
    assert "Error:" in proc.stderr and str(bad) in proc.stderr and "empty lexicon" in proc.stderr
    assert not out.exists()


def test_user_theme_appears_in_output(tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text("themes:\n  - id: border_port\n    label: 口岸\n    terms: [饶河口岸]\n"
                    "    examples: {match: ['饶河口岸是重要战线。']}\n", encoding="utf-8")
    out = tmp_path / "d.csv"
    proc = run("extract", str(SEEDS / "004_e0210ab8d126b4d2.txt"), "-o", str(out), "--taxonomy", str(mine))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(open(out, encoding="utf-8-sig")))
    tagged = [r for r in rows if "border_port" in r["themes"].split("|")]
    assert len(tagged) == 1 and tagged[0]["text"].startswith("要坚决守住国门")
    assert "border_port:饶河口岸" in tagged[0]["theme_terms"]


def test_evaluate_on_the_seeds_meets_the_floors():
    proc = run("evaluate", "--gold", str(GOLD), str(SEEDS), "--require", "directive_f1=0.95",
               "--require", "numbered_recall=1.0", "--require", "theme_f1=0.85", "--require", "primary_accuracy=0.8")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "directive_f1:" in proc.stdout


def test_evaluate_fails_below_a_floor(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("source_path,text,themes,primary_theme\n", encoding="utf-8")
    proc = run("evaluate", "--gold", str(GOLD), "--pred", str(empty), "--require", "directive_f1=0.5")
    assert proc.returncode == 1
    assert "below floor" in proc.stdout


def test_show_writes_html_with_every_directive_marked(tmp_path):
    out = tmp_path / "show.html"
    assert main(["show", str(SEEDS / "003_fa9ed41a6c031e20.txt"), "--html", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.count(' id="d') == 14
    assert 'class="d parallel ' in page and "最好的方法是" in page


@pytest.mark.parametrize("args", [["extract"], ["show"], ["nonsense"]])
def test_usage_errors_exit_2(args):
    assert run(*args).returncode == 2
