"""spacy_component: the extractor as a spaCy pipeline component, ``policy_directives``.

Registered through the ``spacy_factories`` entry point, so after ``pip install policy-directives``::

    import spacy
    nlp = spacy.blank("zh")
    nlp.add_pipe("policy_directives")
    doc = nlp(text)
    for span in doc.spans["directives"]:
        span.text, span._.kind, span._.marker, span._.heading, span._.themes, span._.speaker
    doc._.notice["city"], doc._.notice["meeting_date"]

``doc.text`` is the text given to ``nlp``, as spaCy always keeps it: the raw notice. The extractor
works on the cleaned text (boilerplate lines removed, full-width punctuation folded, traditional
script simplified, mojibake and pinyin glosses dropped), which is ``doc._.notice["text"]``. Each
directive span is placed over the stretch of ``doc.text`` its cleaned text came from and widened to
whole tokens (``doc.char_span(..., alignment_mode="expand")``); ``span._.text``, ``span._.start``
and ``span._.end`` are the directive's text and offsets in the cleaned text, exactly as
``extract_notice`` gives them. Given an already clean text (``doc._.notice["text"]`` of another
run, or ``extract_notice(raw).document.text``), cleaning changes nothing and the two agree:
``span.text == span._.text`` up to token widening (none with the default character tokenizer).

A span is located by looking up its cleaned text in ``doc.text`` with the same width and script
folding, from where the previous directive ended; where the raw text differs inside the directive
(a dropped replacement character, a gloss), by its first and last characters. A directive that
cannot be found in ``doc.text`` at all (an HTML page, whose text sits between tags and entities)
is left out of ``doc.spans["directives"]`` and counted in ``doc._.notice["n_unplaced"]``; all
directives are always in ``doc._.directives``, as dicts of the directive table's fields.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

log = logging.getLogger(__name__)

SPANS_KEY = "directives"
SPAN_FIELDS = ("directive_no", "kind", "marker", "heading", "primary_theme", "themes", "theme_terms",
               "speaker", "text", "start", "end")

# Full-width ASCII and wide spaces to half-width, one character for one: offsets in the folded
# text are offsets in the raw text.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20, 0x2002: 0x20, 0x2003: 0x20}
_PROBES = (24, 12, 6, 3)  # lengths of the head and tail looked up when the whole text is not found


def _register_extensions() -> None:
    for name in SPAN_FIELDS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)
    for name in ("notice", "directives"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


@Language.factory("policy_directives", default_config={"taxonomy": None, "taxonomy_mode": None})
def make_policy_directives(nlp: Language, name: str, taxonomy: str | None,
                           taxonomy_mode: str | None) -> PolicyDirectives:
    """The ``policy_directives`` factory: ``taxonomy`` is a theme file as for ``--taxonomy``."""
    return PolicyDirectives(name, taxonomy=taxonomy, taxonomy_mode=taxonomy_mode)


class PolicyDirectives:
    """Runs the extractor on ``doc.text``; sets ``doc.spans["directives"]``, ``doc._.notice`` and
    ``doc._.directives`` (see the module docstring)."""

    def __init__(self, name: str = "policy_directives", taxonomy: str | None = None,
                 taxonomy_mode: str | None = None) -> None:
        from extractor.pipeline import shared_extractor

        _register_extensions()
        self.name = name
        options = {"taxonomy": str(taxonomy), "taxonomy_mode": taxonomy_mode} if taxonomy else {}
        self.extractor = shared_extractor(**options)

    def __call__(self, doc: Doc) -> Doc:
        notice = self.extractor.extract_text(doc.text, "<doc>")
        rows = [d.model_dump(mode="json") for d in notice.directives]
        places = locate_spans(doc.text, notice.document.text, [(d.start, d.end) for d in notice.directives])
        spans = []
        for row, place in zip(rows, places):
            span = doc.char_span(*place, label=row["kind"], alignment_mode="expand") if place else None
            if span is None:
                continue
            for name in SPAN_FIELDS:
                setattr(span._, name, row[name])
            span._.themes = row["themes"].split("|") if row["themes"] else []
            span._.theme_terms = parse_theme_terms(row["theme_terms"])
            spans.append(span)
        doc.spans[SPANS_KEY] = spans
        document = notice.document.model_dump(mode="json")
        document["n_unplaced"] = len(rows) - len(spans)
        if document["n_unplaced"]:
            log.info("%d of %d directives not found in doc.text", document["n_unplaced"], len(rows))
        doc._.notice = document
        doc._.directives = rows
        return doc


def parse_theme_terms(value: str) -> dict[str, list[str]]:
    """``testing:核酸,检测|quarantine:隔离`` → ``{"testing": ["核酸", "检测"], "quarantine": ["隔离"]}``."""
    out: dict[str, list[str]] = {}
    for part in value.split("|") if value else ():
        theme, _, terms = part.partition(":")
        out[theme] = [t for t in terms.split(",") if t]
    return out


def locate_spans(raw: str, cleaned: str, offsets: list[tuple[int, int]]) -> list[tuple[int, int] | None]:
    """Where each ``cleaned[start:end]`` came from in ``raw``, in order; ``None`` when not found."""
    if raw == cleaned:
        return list(offsets)
    skeleton, to_raw = _skeleton(raw)
    out: list[tuple[int, int] | None] = []
    cursor = 0
    for start, end in offsets:
        text = cleaned[start:end]
        i = skeleton.find(text, cursor)
        place = (i, i + len(text)) if i >= 0 else _by_head_and_tail(skeleton, text, cursor)
        if place is None or place[1] <= place[0]:
            out.append(None)
            continue
        cursor = place[1]
        out.append((to_raw(place[0]), to_raw(place[1] - 1) + 1))
    return out


def _skeleton(raw: str) -> tuple[str, Any]:
    """``raw`` folded and simplified as the cleaner does, without what the cleaner drops inside a
    line (pinyin glosses, replacement characters, zero-width marks, repeated spaces), and a function
    from offsets in it to offsets in ``raw``. The drops are few: the work is per drop, not per character."""
    from bisect import bisect_right

    folded = _simplified(raw.translate(_FOLD))
    pieces: list[str] = []
    starts: list[int] = []  # offset in the skeleton where each kept piece begins
    origins: list[int] = []  # offset in raw where it begins
    pos = kept = 0
    for m in _dropped().finditer(folded):
        if m.start() > pos:
            pieces.append(folded[pos:m.start()])
            starts.append(kept)
            origins.append(pos)
            kept += m.start() - pos
        pos = m.end()
    pieces.append(folded[pos:])
    starts.append(kept)
    origins.append(pos)

    def to_raw(offset: int) -> int:
        k = bisect_right(starts, offset) - 1
        return origins[k] + offset - starts[k]

    return "".join(pieces), to_raw


def _simplified(text: str) -> str:
    """Traditional characters simplified where conversion keeps the length (nearly always; a line
    whose conversion does not is kept as it is, and found by its head and tail)."""
    from extractor.stages.clean import to_simplified

    converted = to_simplified(text)[0]
    if len(converted) == len(text):
        return converted
    lines = text.split("\n")
    return "\n".join(c if len(c) == len(line) else line
                     for line, c in zip(lines, (to_simplified(line)[0] for line in lines)))


@lru_cache(maxsize=1)
def _dropped() -> re.Pattern:
    from extractor.stages.clean import _MOJIBAKE, _PINYIN_GLOSS

    return re.compile("|".join(f"(?:{p.pattern})" for p in (_PINYIN_GLOSS, _MOJIBAKE))
                      + r"|[\u200b\ufeff]|\r(?=\n)|[ \t](?=[ \t])")


def _by_head_and_tail(text_in: str, text: str, cursor: int) -> tuple[int, int] | None:
    """The stretch from ``text``'s head to its tail, each looked up at the longest probe length that
    is found. The raw stretch is at least as long as the cleaned text (cleaning only drops or folds
    characters), so the tail is sought from there on, within twice the text's length."""
    for k in _PROBES:
        if k >= len(text):
            continue
        i = text_in.find(text[:k], cursor)
        if i < 0:
            continue
        limit = i + 2 * len(text) + 20
        for m in _PROBES:
            if m >= len(text):
                continue
            j = text_in.find(text[-m:], max(i + k, i + len(text) - m - 4), limit)
            if j >= 0:
                return (i, j + m)
        return None
    return None
