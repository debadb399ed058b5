"""Every rule's own examples run as tests, and bad rule files fail loudly with file, rule and key."""

from __future__ import annotations

import pytest

from extractor.rules import RuleFileError, load_page_rules, load_segment_rules
from extractor.stages.segment import Segmenter
from extractor.stages.tag import Tagger, load_taxonomy

PAGE = load_page_rules()
SEG = load_segment_rules()
SEGMENTER = Segmenter(SEG)
THEMES = load_taxonomy().themes
TAGGER = Tagger(THEMES)


def _examples(rules, kind):
    for rule in rules:
        for text in rule.examples.match:
            yield pytest.param(rule, text, True, id=f"{kind}:{rule.id}:match:{text[:12]}")
        for text in rule.examples.no_match:
            yield pytest.param(rule, text, False, id=f"{kind}:{rule.id}:no_match:{text[:12]}")


# -- page layout ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("rule", "text", "hit"), list(_examples(PAGE.boilerplate + PAGE.end_marker, "page")))
def test_page_rule_examples(rule, text, hit):
    assert rule.applies(text) is hit


@pytest.mark.parametrize("text", PAGE.dateline.examples.match)
def test_dateline_examples_match(text):
    assert PAGE.is_dateline(text) or PAGE.dateline_prefix(text) is not None


@pytest.mark.parametrize("text", PAGE.dateline.examples.no_match)
def test_dateline_examples_no_match(text):
    assert not PAGE.is_dateline(text)


# -- segmentation ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("rule", "text", "hit"), list(_examples(SEG.numbered, "numbered")))
def test_numbered_family_examples(rule, text, hit):
    assert (rule.regex.match(text) is not None) is hit


@pytest.mark.parametrize(("rule", "text", "hit"), list(_examples(SEG.parallel, "parallel")))
def test_parallel_family_examples(rule, text, hit):
    assert (rule.regex.match(text) is not None) is hit


@pytest.mark.parametrize("text", SEG.frame.examples.match)
def test_frame_examples_match(text):
    assert SEGMENTER.match_frame(text, 0) is not None


@pytest.mark.parametrize("text", SEG.frame.examples.no_match)
def test_frame_examples_no_match(text):
    assert SEGMENTER.match_frame(text, 0) is None


@pytest.mark.parametrize(("text", "hit"), [(t, True) for t in SEG.frame.announce_examples.match]
                         + [(t, False) for t in SEG.frame.announce_examples.no_match])
def test_announce_examples(text, hit):
    import re
    assert (re.search(SEG.frame.announce, text) is not None) is hit


def test_announce_sentence_is_a_frame_with_its_speaker():
    text = "县长李明主持会议。李明就抓好秋汛防御提出四点要求。"
    m, who = SEGMENTER.find_announce(text, 9, len(text), set())
    assert m is not None and who == "李明"
    text = "今年以来成效明显,全县提出四点要求。"  # no speaker named before the verb
    assert SEGMENTER.find_announce(text, 0, len(text), set())[0] is None


@pytest.mark.parametrize(("text", "hit"), [(t, True) for t in SEG.modal_examples.match]
                         + [(t, False) for t in SEG.modal_examples.no_match])
def test_modal_examples(text, hit):
    import re
    assert (re.match(SEG.modal, text) is not None) is hit


@pytest.mark.parametrize(("text", "hit"), [(t, True) for t in SEG.actor.examples.match]
                         + [(t, False) for t in SEG.actor.examples.no_match])
def test_actor_examples(text, hit):
    found = SEGMENTER.directive_start(text, 0, len(text))
    assert (found is not None) is hit
    if hit:
        assert found[0] > 0  # the actor comes before the modal


# -- themes ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("theme", "text", "hit"), list(_examples(THEMES, "theme")))
def test_theme_examples(theme, text, hit):
    _, hits = TAGGER.tag(text)
    assert (theme.id in {h.theme for h in hits}) is hit


def test_context_patterns_find_what_one_alternation_per_theme_finds():
    import re

    from fixtures import SEEDS

    text = "\n".join(seed.text() for seed in SEEDS.values())
    expected = []
    for theme in THEMES:
        if not theme.patterns:
            continue
        rx = re.compile("|".join(f"(?:{p})" for p in theme.patterns))
        pos = 0
        while (m := rx.search(text, pos)) is not None:
            expected.append((m.start(), m.end(), theme.id, m.group()))
            pos = m.start() + 1
    assert expected
    assert sorted(TAGGER.pattern_matches(text)) == sorted(expected)


def test_every_theme_has_a_positive_example():
    for theme in THEMES:
        assert theme.examples.match, theme.id


def test_builtin_theme_ids_are_the_codebook_set():
    assert {t.id for t in THEMES} == {
        "import_prevention", "community_control", "testing", "contact_tracing", "quarantine", "surveillance",
        "medical_treatment", "schools", "key_venues", "gatherings", "travel_transport", "cold_chain",
        "vaccination", "supplies_livelihood", "public_communication", "hygiene_protection", "digital_tech",
        "accountability", "party_mobilization", "frontline_care", "economy_development", "social_stability",
        "emergency_command"}


# -- validation of user files ----------------------------------------------------------------------------
GOOD = """\
themes:
  - id: mental_health
    label: 心理健康
    terms: [心理疏导, 心理援助]
    examples: {match: ['加强心理疏导。'], no_match: ['加强核酸检测。']}
"""


def _write(tmp_path, text):
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_user_taxonomy_extends(tmp_path):
    tagger = Tagger.from_files(_write(tmp_path, GOOD))
    assert len(tagger.themes) == len(THEMES) + 1
    primary, hits = tagger.tag("要加强心理疏导和核酸检测。")
    assert primary == "mental_health"
    assert [h.theme for h in hits] == ["mental_health", "testing"]
    assert hits[0].terms == ["心理疏导"]


def test_user_taxonomy_replaces(tmp_path):
    tagger = Tagger.from_files(_write(tmp_path, "mode: replace\n" + GOOD))
    assert [t.id for t in tagger.themes] == ["mental_health"]
    assert tagger.tag("要加强核酸检测。") == ("", [])


@pytest.mark.parametrize(("text", "needles"), [
    (GOOD.replace("    label:", "    colour: red\n    label:"), ["themes[mental_health].colour", "Extra inputs"]),
    (GOOD.replace("terms: [心理疏导, 心理援助]", "terms: []"), ["themes[mental_health]", "empty lexicon"]),
    (GOOD + GOOD.replace("themes:\n", ""), ["duplicate theme id 'mental_health'"]),
    (GOOD.replace("terms: [心理疏导, 心理援助]", "patterns: ['(心理']"), ["themes[mental_health].patterns",
                                                                     "invalid regular expression"]),
    (GOOD.replace("  - id: mental_health", "  - id: Mental-Health"), ["themes[Mental-Health].id"]),
    ("themes: [\n", ["not valid YAML"]),
])
def test_bad_user_taxonomy_names_file_theme_and_key(tmp_path, text, needles):
    path = _write(tmp_path, text)
    with pytest.raises(RuleFileError) as err:
        Tagger.from_files(path)
    message = str(err.value)
    assert str(path) in message
    for needle in needles:
        assert needle in message, message


@pytest.mark.parametrize(("pattern", "text", "hit"),
                         [(SEG.narrative_sentence, t, True) for t in SEG.narrative_examples.match]
                         + [(SEG.narrative_sentence, t, False) for t in SEG.narrative_examples.no_match]
                         + [(SEG.narrative_intro, t, True) for t in SEG.narrative_intro_examples.match]
                         + [(SEG.narrative_intro, t, False) for t in SEG.narrative_intro_examples.no_match])
def test_narrative_examples(pattern, text, hit):
    import re
    assert (re.search(pattern, text) is not None) is hit


@pytest.mark.parametrize(("text", "hit"), [(t, True) for t in SEG.narrative_item_examples.match]
                         + [(t, False) for t in SEG.narrative_item_examples.no_match])
def test_narrative_item_examples(text, hit):
    assert SEGMENTER.is_narrative_item(text) is hit


@pytest.mark.parametrize("text", PAGE.run_on.examples.match)
def test_run_on_examples_are_split(text):
    pieces = PAGE.run_on.split(text)
    assert len(pieces) > 1 and "".join(pieces).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("text", PAGE.run_on.examples.no_match)
def test_run_on_no_match_examples_stay_whole(text):
    assert PAGE.run_on.split(text) == [text]
