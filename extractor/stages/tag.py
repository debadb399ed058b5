"""tag: themes for a directive, each with the terms that fired (its evidence).

Terms are matched on characters of the cleaned text, not on jieba tokens: jieba may cut a
keyword differently in context (核酸检测 → 核酸/检测, 全员核酸 → 全员/核酸…), so token
matching silently misses terms; a character match cannot. A short or many-sensed word is a
*guarded* term (``words`` in the lexicon): it is found with the literal terms, then counts only
when the characters around it pass its guards (a word boundary, or the context of its sense).
Guards are tried only where the word occurs, so they cost nothing on text without it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from extractor.models import ThemeHit
from extractor.rules import (
    Examples,
    RuleFileError,
    _check_regex,
    backtracking_risk,
    packaged_rule_text,
    read_yaml,
    validate_file,
)

_ID = r"^[a-z][a-z0-9_]*$"
_CLAUSE_END = re.compile(r"[,。;!?]")
# How far back a ``before`` / ``not_before`` guard looks from the start of its word.
GUARD_LOOKBACK = 24


class Word(BaseModel):
    """A term that counts only in context, with the examples that show its sense.

    ``before`` / ``after``: the word counts only when one of them matches the text just before
    it (a regex that ends where the word starts) or just after it (a regex that starts where it
    ends); give neither for a word that needs only exclusions. ``not_before`` / ``not_after``:
    the word does not count when that regex matches there. Keep context regexes inside one clause
    (``[^,。;]{0,8}``). ``lead: false`` marks a word that says how the work is done (干部下沉,
    督促, 动员), not what it is about: it sets the primary theme only when no other evidence stands
    in the heading or first clause. Examples: ``match`` texts where the word fires for its theme,
    ``no_match`` texts where it must not."""

    model_config = ConfigDict(extra="forbid")

    term: str = Field(min_length=1)
    before: str = ""
    after: str = ""
    not_before: str = ""
    not_after: str = ""
    lead: bool = True
    examples: Examples

    @field_validator("before", "after", "not_before", "not_after")
    @classmethod
    def _guard_regex(cls, v: str) -> str:
        _check_regex(v)
        if v and (m := re.match(v, "字")) is not None and m.end() == 0:
            raise ValueError(f"guard {v!r} matches the empty string, so it would hold everywhere")
        return v

    @field_validator("term")
    @classmethod
    def _term_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("empty term")
        return v

    @model_validator(mode="after")
    def _has_no_match(self) -> Word:
        if not self.examples.no_match:
            raise ValueError(f"word {self.term!r} needs a no_match example: a text where it must not count")
        return self


class _Guard:
    """A word's guards, compiled."""

    __slots__ = ("before", "after", "not_before", "not_after")

    def __init__(self, w: Word) -> None:
        self.before = re.compile(f"(?:{w.before})\\Z") if w.before else None
        self.after = re.compile(w.after) if w.after else None
        self.not_before = re.compile(f"(?:{w.not_before})\\Z") if w.not_before else None
        self.not_after = re.compile(w.not_after) if w.not_after else None

    def passes(self, text: str, start: int, end: int) -> bool:
        lo = max(0, start - GUARD_LOOKBACK)
        if self.not_before is not None and self.not_before.search(text, lo, start):
            return False
        if self.not_after is not None and self.not_after.match(text, end):
            return False
        if self.before is None and self.after is None:
            return True
        return bool((self.before is not None and self.before.search(text, lo, start))
                    or (self.after is not None and self.after.match(text, end)))


class Theme(BaseModel):
    """One theme of the lexicon."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_ID)
    label: str = Field(min_length=1)
    nearest: str = ""
    description: str = ""
    terms: list[str] = []
    words: list[Word] = []
    patterns: list[str] = []
    examples: Examples

    @field_validator("terms")
    @classmethod
    def _terms_not_blank(cls, v: list[str]) -> list[str]:
        for t in v:
            if not t.strip():
                raise ValueError("empty term")
        return v

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, v: list[str]) -> list[str]:
        return [_check_regex(p) for p in v]

    @model_validator(mode="after")
    def _not_empty(self) -> Theme:
        if not self.terms and not self.words and not self.patterns:
            raise ValueError(f"theme {self.id!r} has an empty lexicon: give terms, words or patterns")
        return self

    @property
    def lexicon(self) -> list[str]:
        """Its literal terms and guarded words, in file order."""
        return [*self.terms, *(w.term for w in self.words)]


class Taxonomy(BaseModel):
    """A theme file: the built-in ``rules/themes.yaml`` or a user's ``--taxonomy FILE``."""

    model_config = ConfigDict(extra="forbid")

    version: int | str = 1
    mode: Literal["extend", "replace"] = "extend"
    themes: list[Theme] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Taxonomy:
        seen: set[str] = set()
        for t in self.themes:
            if t.id in seen:
                raise ValueError(f"duplicate theme id {t.id!r}")
            seen.add(t.id)
        return self


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The built-in taxonomy, or a user's file (validated; errors name file, theme and key)."""
    if path is None:
        name = "extractor/rules/themes.yaml"
        return validate_file(Taxonomy, name, read_yaml(name, packaged_rule_text("themes.yaml")))
    return check_user_taxonomy(str(path), validate_file(Taxonomy, str(path), read_yaml(path)))


def merge_taxonomies(builtin: Taxonomy, user: Taxonomy | None) -> list[Theme]:
    """``replace``: the user's themes only. ``extend``: built-in themes, a user theme with the
    same id replacing the built-in one, new ids appended."""
    if user is None:
        return list(builtin.themes)
    if user.mode == "replace":
        return list(user.themes)
    by_id = {t.id: t for t in builtin.themes}
    for t in user.themes:
        by_id[t.id] = t
    return list(by_id.values())


def _automaton(by_term: dict[str, list[tuple[str, _Guard | None]]]):
    """An Aho–Corasick automaton over the literal terms and words:
    term → (term, ((theme id, guard or None), …))."""
    if not by_term:
        return None
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for term, owners in by_term.items():
        automaton.add_word(term, (term, tuple(owners)))
    automaton.make_automaton()
    return automaton


class Tagger:
    """Tags directive texts with a list of themes.

    Literal terms of every theme are found in one pass with an Aho–Corasick automaton (every
    occurrence, overlapping ones included, so a term inside a longer term of another theme counts
    for both); context patterns are searched theme by theme."""

    def __init__(self, themes: list[Theme]) -> None:
        if not themes:
            raise RuleFileError("no themes to tag with")
        self.themes = themes
        self._order = {t.id: i for i, t in enumerate(themes)}
        # (theme id, word) pairs that never lead the primary choice over other evidence
        self._not_lead = frozenset((t.id, w.term) for t in themes for w in t.words if not w.lead)
        by_term: dict[str, list[tuple[str, _Guard | None]]] = {}
        for t in themes:
            for term in dict.fromkeys(t.terms):
                by_term.setdefault(term, []).append((t.id, None))
            for w in t.words:
                by_term.setdefault(w.term, []).append((t.id, _Guard(w)))
        self._automaton = _automaton(by_term)
        # Each pattern compiled alone: an alternation of patterns with different first characters
        # is tried at every position of the text, a single pattern skips ahead to its first character.
        self._patterns = [(t.id, [re.compile(p) for p in t.patterns]) for t in themes if t.patterns]

    @classmethod
    def from_files(cls, taxonomy: str | Path | None = None, mode: str | None = None) -> Tagger:
        user = load_taxonomy(taxonomy) if taxonomy else None
        if user is not None and mode:
            user = user.model_copy(update={"mode": mode})
        return cls(merge_taxonomies(load_taxonomy(), user))

    def matches(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every (start, end, theme id, matched text), overlapping ones included, in text order."""
        out: list[tuple[int, int, str, str]] = []
        if self._automaton is not None:
            for last, (term, owners) in self._automaton.iter(text):
                start = last + 1 - len(term)
                for tid, guard in owners:
                    if guard is None or guard.passes(text, start, last + 1):
                        out.append((start, last + 1, tid, term))
        out.extend(self.pattern_matches(text))
        out.sort(key=lambda x: (x[0], self._order[x[2]], -x[1]))
        return out

    def pattern_matches(self, text: str) -> list[tuple[int, int, str, str]]:
        """Matches of the context patterns: for each theme, one per start position, of the first
        of its patterns that matches there (what its patterns as one alternation would find)."""
        out: list[tuple[int, int, str, str]] = []
        for tid, patterns in self._patterns:
            at: dict[int, tuple[int, str]] = {}
            for rx in patterns:
                pos = 0
                while (m := rx.search(text, pos)) is not None:
                    at.setdefault(m.start(), (m.end(), m.group()))
                    pos = m.start() + 1
            out.extend((start, end, tid, matched) for start, (end, matched) in at.items())
        return out

    def tag(self, text: str, heading: str = "") -> tuple[str, list[ThemeHit]]:
        """(primary theme id or '', hits with primary first, then by first occurrence)."""
        return self._tag(text, heading, self.matches(text))

    def tag_spans(self, text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, list[ThemeHit]]]:
        """``tag`` for each (start, end, heading) span of one document, scanning the document once."""
        from bisect import bisect_left

        hits_at = self.matches(text)
        starts = [h[0] for h in hits_at]
        out = []
        for start, end, heading in spans:
            lo, hi = bisect_left(starts, start), bisect_left(starts, end)
            local = [(a - start, b - start, tid, term) for a, b, tid, term in hits_at[lo:hi] if b <= end]
            out.append(self._tag(text[start:end], heading, local))
        return out

    def _tag(self, text: str, heading: str, hits_at: list[tuple[int, int, str, str]]) -> tuple[str, list[ThemeHit]]:
        if not hits_at:
            return "", []
        terms: dict[str, dict[str, None]] = {}
        for _, _, tid, term in hits_at:
            terms.setdefault(tid, {})[term] = None
        primary = self._primary(text, heading, hits_at)
        order = list(terms)  # by first occurrence
        order.sort(key=lambda tid: tid != primary)
        return primary, [ThemeHit(tid, list(terms[tid])) for tid in order]

    def _primary(self, text: str, heading: str, hits_at: list[tuple[int, int, str, str]]) -> str:
        """The theme of the heading; else of the first clause; else the first theme in the text.
        Within a window the first evidence wins, a ``lead: false`` word only when nothing else
        stands there."""
        windows = []
        if heading:
            at = text.find(heading)
            if at >= 0:
                windows.append((at, at + len(heading)))
        m = _CLAUSE_END.search(text)
        windows.append((0, m.start() if m else len(text)))
        not_lead = self._not_lead
        for lo, hi in windows:
            fallback = ""
            for start, end, tid, term in hits_at:
                if start >= lo and end <= hi:
                    if (tid, term) not in not_lead:
                        return tid
                    fallback = fallback or tid
            if fallback:
                return fallback
        return hits_at[0][2]


def check_user_taxonomy(path: str, taxonomy: Taxonomy) -> Taxonomy:
    """A user's taxonomy, refused (``RuleFileError`` naming the file, theme and key) when a pattern
    can backtrack for ever (``backtracking_risk``) or a theme's own examples do not come out as they say: a match example
    must be tagged with its theme, a no-match example must not."""
    for theme in taxonomy.themes:
        for pattern in theme.patterns:
            risk = backtracking_risk(pattern)
            if risk == "nested quantifier":
                raise RuleFileError(
                    f"{path}: themes[{theme.id}].patterns: {pattern!r} repeats a part that itself repeats "
                    f"(a nested quantifier, as in (a+)+): it can run for hours on one long line; "
                    f"drop the outer repetition, or make the repeated part atomic: (?>…)+")
            if risk == "variable-width repeated part":
                raise RuleFileError(
                    f"{path}: themes[{theme.id}].patterns: {pattern!r} repeats without bound a part that "
                    f"matches texts of different lengths (as in (a|aa)+): it can run for hours on one long "
                    f"line; bound the repetition ({{1,4}}) or make the part atomic: (?>…)+")
            if risk == "ambiguous alternatives":
                raise RuleFileError(
                    f"{path}: themes[{theme.id}].patterns: {pattern!r} repeats without bound alternatives "
                    f"that start with the same character (as in (?:ab|ac)+ written out): it can run for "
                    f"hours on one long line; factor out the common start: (?:a[bc])+")
            if risk:
                raise RuleFileError(
                    f"{path}: themes[{theme.id}].patterns: {pattern!r} has two unbounded repeats in a row "
                    f"that match the same characters (as in \\d+\\d*): it can run for minutes on one long "
                    f"line; merge them into one, or bound them ({{0,8}})")
        tagger = Tagger([theme])
        for key, texts, want in (("match", theme.examples.match, True), ("no_match", theme.examples.no_match, False)):
            for text in texts:
                _, hits = tagger.tag(text)
                if (theme.id in {h.theme for h in hits}) is not want:
                    raise RuleFileError(f"{path}: themes[{theme.id}].examples.{key}: {text!r} is "
                                        f"{'not ' if want else ''}tagged {theme.id}")
    return taxonomy
