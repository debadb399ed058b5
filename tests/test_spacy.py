"""The spaCy component: registered by entry point, and giving the directives extract_notice gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from extractor import extract_notice
from extractor.stages.clean import normalize_text
from fixtures import SEEDS

SEED_PATHS = sorted(SEEDS["000"].path.parent.glob("*.txt"))


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("zh")
    nlp.add_pipe("policy_directives")
    return nlp


def test_the_factory_is_found_through_the_entry_point_in_a_fresh_interpreter():
    # nothing of the package imported first: spaCy finds the factory by its spacy_factories entry point
    code = ("import spacy, sys; nlp = spacy.blank('zh'); nlp.add_pipe('policy_directives'); "
            "doc = nlp('会议强调,一要加强核酸检测。二要落实隔离措施。'); "
            "print([(s.text, s._.marker, s._.themes) for s in doc.spans['directives']]); "
            "print('extractor' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    spans, imported = out.strip().splitlines()
    assert spans == ("[('一要加强核酸检测。', '一要', ['testing']), "
                     "('二要落实隔离措施。', '二要', ['quarantine'])]")
    assert imported == "True"


@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.name[:3])
def test_every_seed_gives_the_directives_of_extract_notice(nlp, path: Path):
    raw = path.read_text(encoding="utf-8")
    doc = nlp(raw)
    notice = extract_notice(path)
    spans = list(doc.spans["directives"])
    assert len(spans) == len(notice.directives) > 0
    assert doc._.notice["n_unplaced"] == 0
    for span, d in zip(spans, notice.directives):
        assert (span._.text, span._.start, span._.end) == (d.text, d.start, d.end)
        assert (span._.kind, span._.marker, span._.heading, span._.speaker, span._.primary_theme) == \
            (d.kind, d.marker, d.heading, d.speaker, d.primary_theme)
        assert span.label_ == d.kind
        assert span._.themes == (d.themes.split("|") if d.themes else [])
        assert "|".join(f"{t}:{','.join(terms)}" for t, terms in span._.theme_terms.items()) == d.theme_terms
        # the span is the stretch of the raw text the directive came from: cleaned, it is the directive
        assert normalize_text(span.text)[0] == d.text
    document = extract_notice(raw).document.model_dump(mode="json")  # the text given, as nlp was
    assert doc._.notice["source_path"] == "<doc>"
    assert {k: doc._.notice[k] for k in document if k != "source_path"} == \
        {k: v for k, v in document.items() if k != "source_path"}
    assert (doc._.notice["doc_id"], doc._.notice["city"]) == (notice.document.doc_id, notice.document.city)
    assert doc._.notice["text"] == notice.document.text
    assert [r["text"] for r in doc._.directives] == [d.text for d in notice.directives]


def test_the_cleaned_text_passes_through_unchanged(nlp):
    notice = extract_notice(SEEDS["004"].path)
    doc = nlp(notice.document.text)
    assert doc._.notice["text"] == doc.text
    assert [(s.start_char, s.end_char) for s in doc.spans["directives"]] == \
        [(d.start, d.end) for d in notice.directives]
    assert all(s.text == s._.text for s in doc.spans["directives"])


# Raw texts that differ from the cleaned text inside a directive: each family three times.
ALIGNMENT_CASES = {
    # pinyin glosses dropped, traditional script simplified
    "gloss, traditional": ("會議強調,一要加強社區(qū)防控。二要做好醫(yī)學觀察。", ["一要加强社区防控。", "二要做好医学观察。"]),
    "gloss at the end": ("會議要求,要落實聯(lián)防聯(lián)控。", ["要落实联防联控。"]),
    "gloss at the start": ("會議指出,要(yào)嚴格執行隔離規定。", ["要严格执行隔离规定。"]),
    # replacement characters from a bad transcoding dropped
    "mojibake inside": ("会议强调,一要加强核酸\ufffd检测。二要落实隔离措施。", ["一要加强核酸检测。", "二要落实隔离措施。"]),
    "mojibake run": ("会议强调,要做好\ufffd\ufffd校园防控。", ["要做好校园防控。"]),
    "question marks": ("会议强调,要严格落实??疫苗接种工作。", ["要严格落实疫苗接种工作。"]),
    # full-width punctuation folded, repeated spaces collapsed
    "full width": ("会议强调，一要加强核酸检测（重点人群）。二要落实隔离措施。", ["一要加强核酸检测(重点人群)。", "二要落实隔离措施。"]),
    "double spaces": ("会议强调,要加强  物资保障。", ["要加强 物资保障。"]),
    "ideographic space": ("会议强调,要加强\u3000\u3000冷链管控。", ["要加强 冷链管控。"]),
}


@pytest.mark.parametrize("raw, expected", ALIGNMENT_CASES.values(), ids=ALIGNMENT_CASES.keys())
def test_spans_are_placed_over_the_raw_text_they_came_from(nlp, raw: str, expected: list[str]):
    doc = nlp(raw)
    spans = list(doc.spans["directives"])
    assert [s._.text for s in spans] == expected == [d.text for d in extract_notice(raw).directives]
    for span in spans:
        assert normalize_text(span.text)[0].replace("  ", " ") == span._.text
        assert raw[span.start_char:span.end_char] == span.text


def test_spans_widen_to_whole_tokens_under_a_word_tokenizer():
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("policy_directives")
    text = "会议强调,一要加强核酸检测。二要落实隔离措施。"
    doc = nlp(text)
    spans = list(doc.spans["directives"])
    assert [s._.text for s in spans] == ["一要加强核酸检测。", "二要落实隔离措施。"]
    for span in spans:  # expand: the span holds the directive and ends on token boundaries
        assert span._.text in span.text
        assert span.start_char <= text.index(span._.text) and span.end_char >= text.index(span._.text) + len(
            span._.text)


def test_a_doc_round_trips_through_bytes(nlp):
    doc = nlp("会议强调,一要加强核酸检测。二要落实隔离措施。")
    again = spacy.tokens.Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert [(s.text, s._.kind, s._.themes) for s in again.spans["directives"]] == \
        [(s.text, s._.kind, s._.themes) for s in doc.spans["directives"]]
    assert again._.notice == doc._.notice
