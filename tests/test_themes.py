"""Themes: every guarded word's own examples, the guards themselves, primary theme, the
per-theme report, and the accuracy floors on the seeds (and on the development set when present)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from extractor.analysis.evaluate import evaluate, format_by_theme
from extractor.rules import RuleFileError
from extractor.stages.tag import Tagger, Taxonomy, load_taxonomy

THEMES = load_taxonomy().themes
TAGGER = Tagger(THEMES)
ROOT = Path(__file__).resolve().parents[1]


def _fired(text: str) -> dict[str, list[str]]:
    _, hits = TAGGER.tag(text)
    return {h.theme: h.terms for h in hits}


def _word_examples():
    for theme in THEMES:
        for w in theme.words:
            for text in w.examples.match:
                yield pytest.param(theme.id, w.term, text, True, id=f"{theme.id}:{w.term}:match:{text[:10]}")
            for text in w.examples.no_match:
                yield pytest.param(theme.id, w.term, text, False, id=f"{theme.id}:{w.term}:no_match:{text[:10]}")


@pytest.mark.parametrize(("theme", "term", "text", "hit"), list(_word_examples()))
def test_word_examples(theme, term, text, hit):
    """A word's match example fires its theme with that word as evidence; in its no_match example
    the word is not evidence for the theme."""
    assert (term in _fired(text).get(theme, [])) is hit


def test_every_word_has_both_kinds_of_example():
    for theme in THEMES:
        for w in theme.words:
            assert w.examples.match and w.examples.no_match, (theme.id, w.term)


def _taxonomy(words: str) -> Tagger:
    text = ("themes:\n  - id: t\n    label: 测试\n    words:\n" + words
            + "    examples: {match: ['x']}\n")
    return Tagger(Taxonomy.model_validate(yaml.safe_load(text)).themes)


def test_a_word_without_a_no_match_example_is_refused(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("themes:\n  - id: t\n    label: 测试\n    words:\n"
                    "      - {term: 排查, examples: {match: ['要排查。']}}\n"
                    "    examples: {match: ['要排查。']}\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="no_match"):
        Tagger.from_files(path, mode="replace")


def test_a_bad_guard_regex_names_the_key(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("themes:\n  - id: t\n    label: 测试\n    words:\n"
                    "      - {term: 排查, after: '(人员', examples: {match: ['a'], no_match: ['b']}}\n"
                    "    examples: {match: ['a']}\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"themes\[t\]\.words\[0\]\.after"):
        Tagger.from_files(path, mode="replace")


def test_a_guard_that_matches_nothing_at_all_is_refused(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("themes:\n  - id: t\n    label: 测试\n    words:\n"
                    "      - {term: 排查, not_after: '(?:人员)?', examples: {match: ['a'], no_match: ['b']}}\n"
                    "    examples: {match: ['a']}\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="empty string"):
        Tagger.from_files(path, mode="replace")


# Guard semantics, on made-up words of one test theme.
GUARD_CASES = [
    # (word entry, text, counts)
    ("{term: 民生, not_before: '[人居]'}", "保障民生。", True),
    ("{term: 民生, not_before: '[人居]'}", "人民生命安全。", False),
    ("{term: 民生, not_before: '[人居]'}", "居民生活。", False),
    ("{term: 小区, not_after: '域'}", "划小区域管理。", False),
    ("{term: 小区, not_after: '域'}", "小区封闭管理。", True),
    ("{term: 排查, before: '人员[^,。;]{0,4}'}", "返乡人员逐户排查。", True),
    ("{term: 排查, before: '人员[^,。;]{0,4}'}", "返乡人员,逐户排查。", False),
    ("{term: 排查, after: '[^,。;]{0,4}人员'}", "排查来返人员。", True),
    ("{term: 排查, before: '人员', after: '人员'}", "排查人员。", True),
    ("{term: 排查, before: '人员', after: '人员'}", "人员排查。", True),
    ("{term: 排查, before: '人员', after: '人员'}", "隐患排查。", False),
    ("{term: 高度重视, after: '(?:[,。;]|$)'}", "要高度重视", True),
    ("{term: 高度重视, after: '(?:[,。;]|$)'}", "要高度重视项目储备。", False),
]


@pytest.mark.parametrize(("entry", "text", "counts"), GUARD_CASES)
def test_guards(entry, text, counts):
    tagger = _taxonomy(f"      - {entry[:-1]}, examples: {{match: ['x'], no_match: ['y']}}}}\n")
    _, hits = tagger.tag(text)
    assert bool(hits) is counts


def test_a_word_that_does_not_lead_yields_the_primary_theme_only_to_other_evidence():
    text = ("themes:\n"
            "  - id: how\n    label: 方式\n    examples: {match: ['x']}\n"
            "    words: [{term: 下沉, lead: false, examples: {match: ['x'], no_match: ['y']}}]\n"
            "  - id: what\n    label: 内容\n    terms: [口罩]\n    examples: {match: ['x']}\n")
    tagger = Tagger(Taxonomy.model_validate(yaml.safe_load(text)).themes)
    primary, hits = tagger.tag("干部要下沉到村督促戴口罩,做好登记。")
    assert primary == "what" and {h.theme for h in hits} == {"how", "what"}
    # alone in the first clause, it still sets the primary theme, before a later clause's theme
    assert tagger.tag("干部要下沉到村,督促戴口罩。")[0] == "how"
    assert tagger.tag("要做好登记,干部下沉到村。")[0] == "how"


def test_a_guard_does_not_stop_another_theme_using_the_same_characters():
    # 卡口 at an estate gate is community control, at a city entry import prevention.
    assert "community_control" in _fired("要守好小区、村组卡口,严格出入登记。")
    assert "import_prevention" not in _fired("要守好小区、村组卡口,严格出入登记。")
    assert "import_prevention" in _fired("要严格城市入口卡口查验。")
    assert "community_control" not in _fired("要严格城市入口卡口查验。")


# -- case table ---------------------------------------------------------------------------------------
CASES = yaml.safe_load((ROOT / "tests" / "cases" / "themes.yaml").read_text(encoding="utf-8"))


def _cases(key):
    for case in CASES:
        for item in case.get(key, []):
            text = item[0] if isinstance(item, list) else item
            yield pytest.param(case, item, id=f"{case['family']}:{text[:12]}")


@pytest.mark.parametrize(("case", "text"), list(_cases("fires")))
def test_family_fires(case, text):
    assert case["theme"] in _fired(text), text


@pytest.mark.parametrize(("case", "text"), list(_cases("silent")))
def test_family_silent(case, text):
    fired = _fired(text)
    assert case["theme"] not in fired, fired.get(case["theme"])


@pytest.mark.parametrize(("case", "item"), list(_cases("primary")))
def test_family_primary(case, item):
    text, heading, primary = item
    assert TAGGER.tag(text, heading)[0] == primary


def test_every_family_has_cases():
    for case in CASES:
        assert case.get("fires") or case.get("silent") or case.get("primary"), case["family"]
        if case.get("fires") or case.get("silent"):
            assert case["theme"] in {t.id for t in THEMES}, case["family"]


# -- per-theme report -------------------------------------------------------------------------------
def test_by_theme_counts_and_false_positive_terms():
    gold = [{"file": "a.txt", "province": None, "city": None, "published": None, "meeting_date": None,
             "directives": [
                 {"kind": "unnumbered", "marker": "要", "anchor": "要加强交通", "primary": "travel_transport",
                  "themes": ["travel_transport"]},
                 {"kind": "unnumbered", "marker": "要", "anchor": "要严格排查", "primary": "contact_tracing",
                  "themes": ["contact_tracing", "testing"]},
             ]}]
    rows = [
        {"source_path": "/x/a.txt", "text": "要加强交通管理,落实消杀。", "primary_theme": "travel_transport",
         "themes": "travel_transport|hygiene_protection",
         "theme_terms": "travel_transport:交通|hygiene_protection:消杀"},
        {"source_path": "/x/a.txt", "text": "要严格排查来返人员。", "primary_theme": "contact_tracing",
         "themes": "contact_tracing", "theme_terms": "contact_tracing:排查"},
    ]
    by = evaluate(gold, rows).by_theme
    assert (by["travel_transport"].tp, by["travel_transport"].n_pred, by["travel_transport"].n_gold) == (1, 1, 1)
    assert (by["hygiene_protection"].tp, by["hygiene_protection"].n_pred) == (0, 1)
    assert by["hygiene_protection"].fp_terms == {"消杀": 1}
    assert by["testing"].recall == 0.0 and by["testing"].n_gold == 1
    report = format_by_theme(evaluate(gold, rows))
    line = next(x for x in report.splitlines() if x.startswith("hygiene_protection"))
    assert "0.00" in line and "消杀" in line


def test_cli_evaluate_by_theme(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "extractor", "evaluate", "--gold",
                           str(ROOT / "tests" / "data" / "seeds_gold.json"), str(ROOT / "seeds"), "--by-theme"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout.split("false-positive terms", 1)[1]
    assert "testing" in table and "party_mobilization" in table


# -- floors -----------------------------------------------------------------------------------------
def _figures(gold_path: Path, raw: Path) -> dict[str, float]:
    from extractor.analysis.evaluate import evaluate_paths
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["documents"]
    return evaluate_paths(gold, [str(raw)]).summary


def test_seed_theme_floors():
    figures = _figures(ROOT / "tests" / "data" / "seeds_gold.json", ROOT / "seeds")
    assert figures["theme_f1"] >= 0.95, figures["theme_f1"]
    assert figures["primary_accuracy"] >= 0.95, figures["primary_accuracy"]


DEV = ROOT.parent / "shared" / "dev"


@pytest.mark.skipif(not (DEV / "gold.json").is_file(), reason="development set not present")
def test_dev_theme_floors():
    figures = _figures(DEV / "gold.json", DEV / "raw")
    assert figures["theme_f1"] >= 0.85, figures["theme_f1"]
    assert figures["primary_accuracy"] >= 0.80, figures["primary_accuracy"]
