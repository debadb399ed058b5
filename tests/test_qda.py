"""REFI-QDA export, read-back and agreement: the seeds as a project, its structure, and κ.

The project is checked structurally against the REFI-QDA Project Exchange schema (element order,
required attributes, GUID form, references); set REFI_QDA_XSD (and REFI_QDC_XSD) to the schema files
to validate against the XSD as well.
"""

from __future__ import annotations

import os
import re
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
from lxml import etree

from extractor.cli import main
from extractor.analysis.evaluate import cohen_kappa, evaluate, evaluate_project, extracted_rows, theme_agreement
from extractor.output.qda import CODEBOOK_NS, PROJECT_NS, code_guid, read_project

ROOT = Path(__file__).resolve().parents[1]
Q = f"{{{PROJECT_NS}}}"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Child order of the REFI-QDA types this project uses (Project-mrt2019.xsd), and required attributes.
ORDER = {"Project": ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs",
                     "Description", "NoteRef"],
         "TextSource": ["Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef",
                        "VariableValue"],
         "PlainTextSelection": ["Description", "Coding", "NoteRef"], "Coding": ["CodeRef", "NoteRef"],
         "Code": ["Description", "NoteRef", "Code"]}
REQUIRED = {"Project": ["name"], "User": ["guid"], "Code": ["guid", "name", "isCodable"], "TextSource": ["guid"],
            "PlainTextSelection": ["guid", "startPosition", "endPosition"], "Coding": ["guid"],
            "CodeRef": ["targetGUID"]}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    out = tmp_path_factory.mktemp("qda") / "seeds.qdpx"
    assert main(["extract", str(ROOT / "seeds"), "-o", str(out), "-q", "--jobs", "1"]) == 0
    return out


@pytest.fixture(scope="module")
def rows():
    return extracted_rows([str(ROOT / "seeds")])


def _local(tag: str) -> str:
    return tag.split("}", 1)[1]


def check_structure(root) -> None:
    """The REFI-QDA constraints this writer must meet, checked element by element."""
    assert root.tag == f"{Q}Project"
    guids = []
    for el in root.iter():
        assert el.tag.startswith(Q), el.tag  # every element in the project namespace
        name = _local(el.tag)
        for attr in REQUIRED.get(name, []):
            assert el.get(attr), (name, attr)
        for attr in ("guid", "targetGUID", "creatingUser", "creatingUserGUID"):
            if el.get(attr) is not None:
                assert GUID.match(el.get(attr)), (name, attr, el.get(attr))
        if el.get("guid"):
            guids.append(el.get("guid"))
        if name in ORDER:
            positions = [ORDER[name].index(_local(c.tag)) for c in el]
            assert positions == sorted(positions), (name, [_local(c.tag) for c in el])
        if name == "Code":
            assert el.get("isCodable") in ("true", "false")
            assert el.get("color") is None or re.fullmatch(r"#[0-9A-Fa-f]{6}", el.get("color"))
    assert len(guids) == len(set(guids)), "GUIDs repeat"
    codes = {c.get("guid") for c in root.iter(f"{Q}Code")}
    for ref in root.iter(f"{Q}CodeRef"):
        assert ref.get("targetGUID") in codes


def test_seed_project_is_a_zip_with_sources_codes_and_selections(project, rows):
    with zipfile.ZipFile(project) as zf:
        assert "project.qde" in zf.namelist()
        root = etree.fromstring(zf.read("project.qde"))
        check_structure(root)
        sources = root.findall(f"{Q}Sources/{Q}TextSource")
        assert len(sources) == 5
        codable = [c for c in root.iter(f"{Q}Code") if c.get("isCodable") == "true"]
        assert len(codable) >= 23
        assert {c.get("name") for c in codable} >= {"testing", "import_prevention", "numbered", "prohibit"}
        selections = root.findall(f"{Q}Sources/{Q}TextSource/{Q}PlainTextSelection")
        assert len(selections) == len(rows) == 70
        by_name = {Path(r["source_path"]).name: [] for r in rows}
        for r in rows:
            by_name[Path(r["source_path"]).name].append(r)
        for source in sources:
            path = source.get("plainTextPath")
            assert path.startswith("internal://")
            text = zf.read("sources/" + path[len("internal://"):]).decode("utf-8")
            expected = by_name[source.get("name")]
            sels = source.findall(f"{Q}PlainTextSelection")
            assert len(sels) == len(expected)
            for sel, row in zip(sels, expected):
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                assert 0 <= start < end <= len(text)
                assert text[start:end] == row["text"]
                coded = {ref.get("targetGUID") for ref in sel.iter(f"{Q}CodeRef")}
                want = {code_guid("themes", t) for t in row["themes"].split("|") if t}
                want |= {code_guid("kind", row["kind"]), code_guid("modality", row["modality"])}
                assert coded == want


@pytest.mark.skipif(not os.environ.get("REFI_QDA_XSD"), reason="set REFI_QDA_XSD to the REFI-QDA Project.xsd")
def test_seed_project_validates_against_the_refi_schema(project):
    schema = etree.XMLSchema(etree.parse(os.environ["REFI_QDA_XSD"]))
    with zipfile.ZipFile(project) as zf:
        assert schema.validate(etree.fromstring(zf.read("project.qde"))), schema.error_log


def test_codebook_file(tmp_path):
    out = tmp_path / "codebook.qdc"
    assert main(["themes", "--qdc", str(out)]) == 0
    root = etree.parse(str(out)).getroot()
    assert root.tag == f"{{{CODEBOOK_NS}}}CodeBook"
    trees = root.findall(f"{{{CODEBOOK_NS}}}Codes/{{{CODEBOOK_NS}}}Code")
    assert [t.get("name") for t in trees] == ["themes", "kind", "modality"]
    assert len(trees[0]) - 1 == 23  # a description, then one code per theme
    if os.environ.get("REFI_QDC_XSD"):
        schema = etree.XMLSchema(etree.parse(os.environ["REFI_QDC_XSD"]))
        assert schema.validate(root), schema.error_log


# -- round trip and agreement -------------------------------------------------------------------------
def test_project_read_back_agrees_with_itself(project, rows):
    reference = read_project(project)
    assert len(reference) == 70
    figures = evaluate_project(reference, rows)
    s = figures.summary
    for name in ("directive_precision", "directive_recall", "directive_f1", "theme_precision", "theme_recall",
                 "theme_kappa", "kind_kappa", "modality_kappa"):
        assert s[name] == 1.0, name
    assert all(a["kappa"] == 1.0 for a in figures.agreement.values())


def _edit_project(src: Path, dst: Path, edit) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "project.qde":
                root = etree.fromstring(data)
                edit(root)
                data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
            zout.writestr(item, data)


def _kappa(a: int, b: int, c: int, d: int) -> Fraction:
    """κ of a 2×2 table, by the textbook formula: a both yes, b tool only, c reviewer only, d neither."""
    n = a + b + c + d
    p_o = Fraction(a + d, n)
    p_e = Fraction((a + b) * (a + c) + (c + d) * (b + d), n * n)
    return (p_o - p_e) / (1 - p_e)


def test_removing_one_code_lowers_kappa_by_the_expected_amount(project, rows, tmp_path):
    testing = code_guid("themes", "testing")

    def drop_first_testing_code(root):
        for coding in root.iter(f"{Q}Coding"):
            if coding[0].get("targetGUID") == testing:
                coding.getparent().remove(coding)
                return
        raise AssertionError("no testing code")

    edited = tmp_path / "reviewed.qdpx"
    _edit_project(project, edited, drop_first_testing_code)
    figures = evaluate_project(read_project(edited), rows)
    n = len(rows)
    counts = {}
    for r in rows:
        for t in r["themes"].split("|"):
            if t:
                counts[t] = counts.get(t, 0) + 1
    k = counts["testing"]
    # the reviewer took testing off one directive: k-1 agree yes, 1 tool only, n-k agree no
    expected = _kappa(k - 1, 1, 0, n - k)
    assert figures.agreement["testing"]["kappa"] == pytest.approx(float(expected), abs=1e-12)
    assert figures.agreement["testing"]["recall"] == 1.0
    assert figures.agreement["testing"]["precision"] == pytest.approx((k - 1) / k)
    # pooled over the themes used: the same one disagreement among n × (themes) cells
    total = sum(counts.values())
    pooled = _kappa(total - 1, 1, 0, n * len(counts) - total)
    assert figures.summary["theme_kappa"] == pytest.approx(float(pooled), abs=1e-12)
    assert figures.summary["theme_kappa"] < 1.0
    for theme, a in figures.agreement.items():
        if theme != "testing":
            assert a["kappa"] == 1.0
    assert figures.summary["directive_f1"] == 1.0


def test_a_selection_the_reviewer_deleted_and_one_moved(project, rows, tmp_path):
    def edit(root):
        sels = list(root.iter(f"{Q}PlainTextSelection"))
        sels[0].getparent().remove(sels[0])  # not a directive, says the reviewer
        moved = sels[1]  # the start moved a little: still the same directive
        moved.set("startPosition", str(int(moved.get("startPosition")) + 2))

    edited = tmp_path / "reviewed.qdpx"
    _edit_project(project, edited, edit)
    s = evaluate_project(read_project(edited), rows).summary
    assert s["directive_recall"] == 1.0
    assert s["directive_precision"] == pytest.approx(69 / 70)


def test_cohen_kappa_on_a_hand_computed_table():
    # 20 units: 8 both yes, 2 first only, 4 second only, 6 both no → p_o 0.7, p_e 0.5*0.6+0.5*0.4 = 0.5
    pairs = [(1, 1)] * 8 + [(1, 0)] * 2 + [(0, 1)] * 4 + [(0, 0)] * 6
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    assert cohen_kappa([("a", "a")] * 5) != cohen_kappa([("a", "a")] * 5)  # undefined: NaN
    assert cohen_kappa([]) != cohen_kappa([])


def test_theme_agreement_and_kappa_in_the_json_gold_evaluation():
    per_theme, pooled = theme_agreement([({"testing"}, {"testing"}), (set(), {"testing"}), ({"schools"}, {"schools"}),
                                         (set(), set())])
    assert per_theme["testing"]["kappa"] == pytest.approx(float(_kappa(1, 1, 0, 2)))
    assert per_theme["schools"]["kappa"] == 1.0
    assert pooled == pytest.approx(float(_kappa(2, 1, 0, 5)))
    gold = [{"file": "a.txt", "directives": [
        {"kind": "unnumbered", "anchor": "要加强核酸检测", "primary": "testing", "themes": ["testing"]},
        {"kind": "unnumbered", "anchor": "要关闭学校", "primary": "schools", "themes": ["schools"]}]}]
    pred = [{"source_path": "a.txt", "text": "要加强核酸检测。", "themes": "testing", "primary_theme": "testing"},
            {"source_path": "a.txt", "text": "要关闭学校。", "themes": "schools|testing", "primary_theme": "schools"}]
    figures = evaluate(gold, pred)
    # testing: yes/yes, no/yes → κ 0; schools: no/no, yes/yes → κ 1; pooled over both tables
    assert figures.agreement["testing"]["kappa"] == pytest.approx(float(_kappa(1, 1, 0, 0)))
    assert figures.agreement["schools"]["kappa"] == 1.0
    assert figures.summary["theme_kappa"] == pytest.approx(float(_kappa(2, 1, 0, 1)))


def test_evaluate_command_reads_a_project(project, tmp_path, capsys):
    assert main(["evaluate", "--gold", str(project), str(ROOT / "seeds")]) == 0
    out = capsys.readouterr().out
    assert "theme_kappa: 1.000" in out and "modality_kappa: 1.000" in out
    assert re.search(r"^testing\s+9\s+9\s+9", out, re.M)


def test_compare_reads_a_project(project, tmp_path):
    import pandas as pd

    from extractor.output.table import read_directives

    df = read_directives(project)
    assert len(df) == 70 and set(df["city"]) >= {"宁波市", "上海市"}
    assert main(["compare", str(project), "--scheme", "oxcgrt", "-o", str(tmp_path / "c.csv")]) == 0
    got = pd.read_csv(tmp_path / "c.csv", encoding="utf-8-sig")
    assert "C8" in set(got["theme"])
