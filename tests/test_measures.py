"""Modality, scope and tracker codes: rule examples, case tables, the seeds, and rule-file checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from extractor.stages.measures import (CORONANET_TYPES, OXCGRT_CODES, Crosswalk, MeasureRules, Measurer,
                                load_crosswalk, load_measure_rules)
from extractor.rules import RuleFileError, packaged_rule_text, validate_file
from extractor.stages.tag import load_taxonomy

RULES = load_measure_rules()
CROSSWALK = load_crosswalk()
MEASURER = Measurer()
CASES = yaml.safe_load((Path(__file__).parent / "cases" / "measures.yaml").read_text(encoding="utf-8"))


def _family_examples():
    for axis in ("modality", "scope"):
        for fam in getattr(RULES, axis):
            for text in fam.examples.match:
                yield pytest.param(fam, text, True, id=f"{axis}:{fam.id}:match:{text[:10]}")
            for text in fam.examples.no_match:
                yield pytest.param(fam, text, False, id=f"{axis}:{fam.id}:no_match:{text[:10]}")


@pytest.mark.parametrize(("family", "text", "hit"), list(_family_examples()))
def test_cue_family_examples(family, text, hit):
    assert (family.find(text) is not None) is hit


def _cue_examples():
    for entry in CROSSWALK.themes:
        for cue in entry.cues:
            for text in cue.examples.match:
                yield pytest.param(cue, text, True, id=f"{entry.theme}:{cue.id}:match:{text[:10]}")
            for text in cue.examples.no_match:
                yield pytest.param(cue, text, False, id=f"{entry.theme}:{cue.id}:no_match:{text[:10]}")


@pytest.mark.parametrize(("cue", "text", "hit"), list(_cue_examples()))
def test_crosswalk_cue_examples(cue, text, hit):
    assert (cue.find(text) is not None) is hit


@pytest.mark.parametrize("case", CASES["modality"], ids=lambda c: c["text"][:12])
def test_modality_cases(case):
    m = MEASURER.measure(case["text"], [])
    assert (m.modality, m.modality_term) == (case["value"], case["term"])


@pytest.mark.parametrize("case", CASES["scope"], ids=lambda c: c["text"][:12])
def test_scope_cases(case):
    m = MEASURER.measure(case["text"], [])
    assert (m.scope, m.scope_term) == (case["value"], case["term"])


@pytest.mark.parametrize("case", CASES["crosswalk"], ids=lambda c: c["text"][:12])
def test_crosswalk_cases(case):
    m = MEASURER.measure(case["text"], case["themes"])
    assert (m.oxcgrt.split("|") if m.oxcgrt else []) == case["oxcgrt"]
    assert (m.coronanet.split("|") if m.coronanet else []) == case["coronanet"]
    if case["oxcgrt"] or case["coronanet"]:
        assert m.crosswalk_terms  # every code has its evidence


def test_crosswalk_evidence_names_the_cue_and_the_term():
    m = MEASURER.measure("要暂停举办展会,减少人员聚集。", ["gatherings"])
    assert m.crosswalk_terms == "gatherings:public_events=展会,gatherings=聚集"
    m = MEASURER.measure("要保障交通运输畅通。", ["travel_transport"])
    assert m.crosswalk_terms == "travel_transport:default"
    m = MEASURER.measure("要开展核酸检测。", ["testing", "accountability"])
    assert m.crosswalk_terms == "testing"


def test_crosswalk_themes_are_builtin_themes():
    builtin = {t.id for t in load_taxonomy().themes}
    assert {t.theme for t in CROSSWALK.themes} <= builtin
    # the codebook's mapped themes are all in the crosswalk
    for theme in ("import_prevention", "testing", "contact_tracing", "schools", "key_venues", "gatherings",
                  "travel_transport", "vaccination", "public_communication", "hygiene_protection"):
        assert theme in {t.theme for t in CROSSWALK.themes}


def test_code_lists_are_the_trackers_own():
    assert {"C1", "C8", "H2", "H8", "E3", "V4"} <= OXCGRT_CODES and "C9" not in OXCGRT_CODES
    assert "External Border Restrictions" in CORONANET_TYPES


# -- the seeds -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_rows():
    from fixtures import SEEDS

    from extractor.pipeline import Extractor

    ex = Extractor()
    return [row for seed in SEEDS.values() for row in ex.extract_text(seed.text(), seed.name).directives]


def test_seed_rows_carry_measures(seed_rows):
    assert len(seed_rows) == 70
    assert all(r.modality in ("require", "prohibit", "recommend") and r.modality_term for r in seed_rows)
    assert all(r.modality_term in r.text for r in seed_rows)
    assert all(r.scope_term in r.text for r in seed_rows if r.scope)
    import_rows = [r for r in seed_rows if "import_prevention" in r.themes.split("|")]
    testing_rows = [r for r in seed_rows if "testing" in r.themes.split("|")]
    assert import_rows and all("C8" in r.oxcgrt.split("|") for r in import_rows)
    assert testing_rows and all("H2" in r.oxcgrt.split("|") for r in testing_rows)
    assert all(r.coronanet for r in import_rows + testing_rows)
    ban = [r for r in seed_rows if r.text.startswith("要严禁聚集活动")]
    assert len(ban) == 1 and (ban[0].modality, ban[0].modality_term) == ("prohibit", "严禁")
    assert {"C4"} <= set(ban[0].oxcgrt.split("|"))


def test_seed_rows_without_a_mapped_theme_have_no_codes(seed_rows):
    mapped = {t.theme for t in CROSSWALK.themes}
    for r in seed_rows:
        if not set(r.themes.split("|")) & mapped:
            assert (r.oxcgrt, r.coronanet, r.crosswalk_terms) == ("", "", "")


# -- rule files that do not validate ----------------------------------------------------------------------
def test_bad_measure_rules_name_the_family_and_key():
    data = yaml.safe_load(packaged_rule_text("measures.yaml"))
    data["modality"][0]["value"] = "forbid"
    with pytest.raises(RuleFileError, match="prohibit.*forbid|forbid"):
        validate_file(MeasureRules, "measures.yaml", data)
    data = yaml.safe_load(packaged_rule_text("measures.yaml"))
    data["scope"][1]["patterns"].append("(学校")
    with pytest.raises(RuleFileError, match=r"scope\[targeted\]\.patterns.*invalid regular expression"):
        validate_file(MeasureRules, "measures.yaml", data)
    data = yaml.safe_load(packaged_rule_text("measures.yaml"))
    data["scope"][1]["patterns"].append("[来返]人员")  # would make the family's scan try every position
    with pytest.raises(RuleFileError, match="opens with a group, class or escape"):
        validate_file(MeasureRules, "measures.yaml", data)


@pytest.mark.parametrize(("edit", "needle"), [
    (lambda d: d["themes"][0]["codes"]["oxcgrt"].append("C9"), "unknown OxCGRT indicator 'C9'"),
    (lambda d: d["themes"][0]["codes"]["coronanet"].append("Border Closure"), "unknown CoronaNet policy type"),
    (lambda d: d["themes"].append(dict(d["themes"][0])), "mapped twice"),
    (lambda d: d["themes"].append({"theme": "schools2"}), "maps to no code"),
])
def test_bad_crosswalk_is_rejected(edit, needle):
    data = yaml.safe_load(packaged_rule_text("crosswalk.yaml"))
    edit(data)
    with pytest.raises(RuleFileError, match=needle):
        validate_file(Crosswalk, "crosswalk.yaml", data)


# -- compare --scheme ------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", [".csv", ".xlsx", ".parquet", ".jsonl"])
def test_compare_by_indicator_on_every_output_format(tmp_path, fmt, seed_rows):
    import pandas as pd

    from extractor.cli import main

    out = tmp_path / f"d{fmt}"
    assert main(["extract", "seeds", "-o", str(out), "-q", "--jobs", "1"]) == 0
    table = tmp_path / "by_indicator.csv"
    assert main(["compare", str(out), "--scheme", "oxcgrt", "--by", "province", "-o", str(table)]) == 0
    got = pd.read_csv(table, encoding="utf-8-sig")
    c8 = got[got["theme"] == "C8"]
    assert set(c8["label"]) == {"International travel controls"}
    # per province, the count is the number of directives whose oxcgrt column holds C8
    expected: dict[str, int] = {}
    for r in seed_rows:
        expected[r.province] = expected.get(r.province, 0) + ("C8" in r.oxcgrt.split("|"))
    assert dict(zip(c8["province"], c8["n_directives"])) == expected
    assert set(got["theme"]) <= OXCGRT_CODES


def test_compare_by_coronanet_type_and_a_table_without_the_columns():
    import pandas as pd

    from extractor.analysis.compare import compare_themes

    df = pd.DataFrame({"doc_id": ["a", "a", "b"], "city": ["甲市"] * 3, "province": ["乙省"] * 3,
                       "admin_level": ["city"] * 3, "themes": ["testing", "gatherings", ""],
                       "oxcgrt": ["H2", "C3|C4", ""], "coronanet": ["Health Testing", "Restrictions of Mass Gatherings", ""]})
    t = compare_themes(df, "city", scheme="coronanet").set_index("theme")
    assert t.loc["Health Testing", "n_directives"] == 1 and t.loc["Health Testing", "n_notices"] == 1
    t = compare_themes(df, "city", scheme="oxcgrt").set_index("theme")
    assert t.loc["C4", "group_directives"] == 3 and t.loc["C4", "label"] == "Restrictions on gatherings"
    with pytest.raises(ValueError, match="no column 'oxcgrt'"):
        compare_themes(df.drop(columns=["oxcgrt"]), "city", scheme="oxcgrt")
