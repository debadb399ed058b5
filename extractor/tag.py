"""tag: themes for a directive, each with the terms that fired (its evidence).

Terms are matched on characters of the cleaned text, not on jieba tokens: jieba may cut a
keyword differently in context (核酸检测 → 核酸/检测, 全员核酸 → 全员/核酸…), so token
matching silently misses terms; a character match cannot.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .models import ThemeHit
from .rules import Examples, RuleFileError, _check_regex, packaged_rule_text, read_yaml, validate_file

_ID = r"^[a-z][a-z0-9_]*$"


class Theme(BaseModel):
    """One theme of the lexicon."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_ID)
    label: str = Field(min_length=1)
    nearest: str = ""
    description: str = ""
    terms: list[str] = []
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
        if not self.terms and not self.patterns:
            raise ValueError(f"theme {self.id!r} has an empty lexicon: give terms or patterns")
        return self

    @cached_property
    def regex(self) -> re.Pattern[str]:
        alts = [re.escape(t) for t in sorted(set(self.terms), key=len, reverse=True)] + list(self.patterns)
        return re.compile("|".join(f"(?:{a})" for a in alts))

    def find(self, text: str) -> list[re.Match[str]]:
        """Every match, overlapping ones included (a pattern may start inside a term)."""
        out, pos = [], 0
        while True:
            m = self.regex.search(text, pos)
            if not m:
                return out
            out.append(m)
            pos = m.start() + 1


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
    return validate_file(Taxonomy, str(path), read_yaml(path))


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


class Tagger:
    """Tags directive texts with a list of themes."""

    def __init__(self, themes: list[Theme]) -> None:
        if not themes:
            raise RuleFileError("no themes to tag with")
        self.themes = themes

    @classmethod
    def from_files(cls, taxonomy: str | Path | None = None, mode: str | None = None) -> Tagger:
        user = load_taxonomy(taxonomy) if taxonomy else None
        if user is not None and mode:
            user = user.model_copy(update={"mode": mode})
        return cls(merge_taxonomies(load_taxonomy(), user))

    def tag(self, text: str, heading: str = "") -> tuple[str, list[ThemeHit]]:
        """(primary theme id or '', hits with primary first, then by first occurrence)."""
        found: list[tuple[int, str, list[str]]] = []
        first_at: dict[str, int] = {}
        for theme in self.themes:
            matches = theme.find(text)
            if not matches:
                continue
            terms = list(dict.fromkeys(m.group() for m in matches))
            found.append((matches[0].start(), theme.id, terms))
            first_at[theme.id] = matches[0].start()
        if not found:
            return "", []
        found.sort(key=lambda f: f[0])
        primary = self._primary(text, heading, found)
        hits = [ThemeHit(theme=tid, terms=terms) for _, tid, terms in found]
        hits.sort(key=lambda h: (h.theme != primary, first_at[h.theme]))
        return primary, hits

    def _primary(self, text: str, heading: str, found: list[tuple[int, str, list[str]]]) -> str:
        """The theme of the heading; else of the first clause; else the first theme in the text."""
        windows = []
        if heading:
            at = text.find(heading)
            if at >= 0:
                windows.append((at, at + len(heading)))
        m = re.search(r"[,。;!?]", text)
        windows.append((0, m.start() if m else len(text)))
        fired = {tid for _, tid, _ in found}
        for lo, hi in windows:
            best: tuple[int, str] | None = None
            for theme in self.themes:
                if theme.id not in fired:
                    continue
                mt = theme.regex.search(text, lo, hi)
                if mt and (best is None or mt.start() < best[0]):
                    best = (mt.start(), theme.id)
            if best:
                return best[1]
        return found[0][1]
