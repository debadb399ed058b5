"""measures: modality, scope and tracker codes of a directive, a stage after ``tag``.

* modality (require / prohibit / recommend) and scope (general / targeted), each decided by the
  first cue family of ``rules/measures.yaml`` with a cue in the directive, the cue its evidence;
* OxCGRT indicators and CoronaNet policy types from the directive's themes through the versioned
  ``rules/crosswalk.yaml``; a theme that covers several indicators is split by term-level cues.

Nothing here changes the directive's span or themes: the stage reads the text and the theme ids
the tagger gave it.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from extractor.rules import Examples, _check_regex, packaged_rule_text, read_yaml, validate_file

# OxCGRT v1 (2023) indicators (codebook names), and CoronaNet's policy `type` values.
OXCGRT_LABELS = {
    "C1": "School closing", "C2": "Workplace closing", "C3": "Cancel public events",
    "C4": "Restrictions on gatherings", "C5": "Close public transport", "C6": "Stay at home requirements",
    "C7": "Restrictions on internal movement", "C8": "International travel controls",
    "E1": "Income support", "E2": "Debt/contract relief", "E3": "Fiscal measures", "E4": "International support",
    "H1": "Public information campaigns", "H2": "Testing policy", "H3": "Contact tracing",
    "H4": "Emergency investment in healthcare", "H5": "Investment in vaccines", "H6": "Facial coverings",
    "H7": "Vaccination policy", "H8": "Protection of elderly people",
    "V1": "Vaccine prioritisation", "V2": "Vaccine eligibility/availability", "V3": "Vaccine financial support",
    "V4": "Vaccine requirement/mandate"}
OXCGRT_CODES = frozenset(OXCGRT_LABELS)
CORONANET_TYPES = frozenset([
    "Anti-Disinformation Measures", "Closure and Regulation of Schools", "COVID-19 Vaccines", "Curfew",
    "Declaration of Emergency", "External Border Restrictions", "Health Monitoring", "Health Resources",
    "Health Testing", "Hygiene", "Internal Border Restrictions", "Lockdown",
    "New Task Force, Bureau or Administrative Configuration", "Other Policy Not Listed Above",
    "Public Awareness Measures", "Quarantine", "Restriction and Regulation of Businesses",
    "Restriction and Regulation of Government Services", "Restrictions of Mass Gatherings", "Social Distancing"])


def _check_pattern(pattern: str) -> str:
    _check_regex(pattern)
    if pattern[:1] in "([\\.^" or re.search(r"\|[(\[\\.]", pattern):
        raise ValueError(f"pattern {pattern!r} opens with a group, class or escape: write its expansions as "
                         "terms or as patterns that open with a literal")
    return pattern


def _non_blank(terms: list[str]) -> list[str]:
    for t in terms:
        if not t.strip():
            raise ValueError("empty term")
    return terms


def _has_cues(rule: Any) -> Any:
    if not rule.terms and not rule.patterns:
        raise ValueError(f"{rule.id!r} has no cue: give terms or patterns")
    return rule


def _compile_cues(terms: list[str], patterns: list[str]) -> re.Pattern[str]:
    """The terms factored by prefix and the patterns, as one regular expression.

    Every alternative opens with a literal (``_check_pattern``), so the engine skips ahead by the
    set of first characters instead of trying the alternation at every position: one scan of the
    directive per rule."""
    return re.compile("|".join(([_trie(terms)] if terms else []) + patterns))


def _trie(terms: list[str]) -> str:
    """The terms as a regular expression factored by common prefix (医务(?:人员|工作者)), longer
    matches first: one alternation of a hundred terms is tried term by term at every candidate
    position, a factored one branches on each character once."""
    root: dict = {}
    for term in terms:
        node = root
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + render(child) for ch, child in node.items() if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return ("(?:" + body + ")?") if len(branches) == 1 else body + "?"
        return body

    branches = [re.escape(ch) + render(child) for ch, child in root.items()]
    return "|".join(branches)


class _Cues(BaseModel):
    """Literal terms and patterns with their examples, found as one expression."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    terms: list[str] = []
    patterns: list[str] = []
    examples: Examples

    _terms = field_validator("terms")(lambda v: _non_blank(v))
    _patterns = field_validator("patterns")(lambda v: [_check_pattern(p) for p in v])
    _cues = model_validator(mode="after")(lambda self: _has_cues(self))

    def find(self, text: str) -> str | None:
        """The leftmost cue in ``text``, or None."""
        m = self.regex.search(text)
        return None if m is None else m.group()

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return _compile_cues(self.terms, self.patterns)


class CueFamily(_Cues):
    """One family of cues for one value of an axis (modality or scope)."""

    value: str


class MeasureRules(BaseModel):
    """``rules/measures.yaml``: cue families in order of precedence, per axis."""

    model_config = ConfigDict(extra="forbid")

    version: int
    modality: list[CueFamily] = Field(min_length=1)
    scope: list[CueFamily] = Field(min_length=1)

    @model_validator(mode="after")
    def _values(self) -> MeasureRules:
        for axis, allowed in (("modality", {"require", "prohibit", "recommend"}), ("scope", {"general", "targeted"})):
            for fam in getattr(self, axis):
                if fam.value not in allowed:
                    raise ValueError(f"{axis} family {fam.id!r}: value {fam.value!r} is not one of {sorted(allowed)}")
        return self


def _known(codes: list[str], known: object, what: str) -> list[str]:
    """``codes`` when every one is in ``known``; else the first unknown one is named."""
    for code in codes:
        if code not in known:
            raise ValueError(f"unknown {what} {code!r}")
    return codes


class Codes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    oxcgrt: list[str] = []
    coronanet: list[str] = []

    _known_oxcgrt = field_validator("oxcgrt")(lambda v: _known(v, OXCGRT_CODES, "OxCGRT indicator"))
    _known_coronanet = field_validator("coronanet")(lambda v: _known(v, CORONANET_TYPES, "CoronaNet policy type"))


class Cue(_Cues):
    """A term-level cue that adds codes when it occurs in a directive of its theme."""

    codes: Codes


class ThemeCodes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme: str
    codes: Codes = Codes()
    cues: list[Cue] = []
    default: Codes | None = None

    @model_validator(mode="after")
    def _maps_somewhere(self) -> ThemeCodes:
        if not (self.codes.oxcgrt or self.codes.coronanet or self.cues):
            raise ValueError(f"theme {self.theme!r} maps to no code: give codes or cues")
        if self.default is not None and not self.cues:
            raise ValueError(f"theme {self.theme!r}: a default needs cues to be the default of")
        return self


class Crosswalk(BaseModel):
    """``rules/crosswalk.yaml``: theme → OxCGRT indicators and CoronaNet policy types."""

    model_config = ConfigDict(extra="forbid")

    version: int
    themes: list[ThemeCodes] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Crosswalk:
        seen: set[str] = set()
        for t in self.themes:
            if t.theme in seen:
                raise ValueError(f"theme {t.theme!r} is mapped twice")
            seen.add(t.theme)
        return self


@lru_cache(maxsize=1)
def load_measure_rules() -> MeasureRules:
    path = "extractor/rules/measures.yaml"
    return validate_file(MeasureRules, path, read_yaml(path, packaged_rule_text("measures.yaml")))


@lru_cache(maxsize=1)
def load_crosswalk() -> Crosswalk:
    path = "extractor/rules/crosswalk.yaml"
    return validate_file(Crosswalk, path, read_yaml(path, packaged_rule_text("crosswalk.yaml")))


class Measure(NamedTuple):
    """The measure columns of one directive (``DirectiveRow.modality`` … ``crosswalk_terms``)."""

    modality: Literal["require", "prohibit", "recommend", ""]
    modality_term: str
    scope: Literal["general", "targeted", ""]
    scope_term: str
    oxcgrt: str
    coronanet: str
    crosswalk_terms: str


class Measurer:
    """Compiled measure rules and crosswalk; ``measure`` runs once per directive, so the rules are
    flattened here into tuples of compiled expressions and precomputed strings."""

    def __init__(self, rules: MeasureRules | None = None, crosswalk: Crosswalk | None = None) -> None:
        rules = rules or load_measure_rules()
        self.crosswalk = crosswalk or load_crosswalk()
        self._modality = tuple((f.value, f.regex.search) for f in rules.modality)
        self._scope = tuple((f.value, f.regex.search) for f in rules.scope)
        self._themes: dict[str, tuple] = {}
        for t in self.crosswalk.themes:
            cues = tuple((c.id, c.regex.search, c.codes.oxcgrt, c.codes.coronanet) for c in t.cues)
            default = t.default or Codes()
            self._themes[t.theme] = (t.codes.oxcgrt, t.codes.coronanet, cues, default.oxcgrt, default.coronanet)

    @staticmethod
    def _first(families: tuple, text: str) -> tuple[str, str]:
        """(value, cue) of the first family with a cue in ``text``, else ('', '')."""
        for value, search in families:
            m = search(text)
            if m is not None:
                return value, m.group()
        return "", ""

    def codes(self, text: str, themes: list[str]) -> tuple[list[str], list[str], list[str]]:
        """(OxCGRT codes, CoronaNet types, evidence) for a directive's text and theme ids."""
        oxcgrt: list[str] = []
        coronanet: list[str] = []
        evidence: list[str] = []
        for theme in themes:
            entry = self._themes.get(theme)
            if entry is None:
                continue
            ox, cn, cues, default_ox, default_cn = entry
            if not cues:
                oxcgrt += ox
                coronanet += cn
                evidence.append(theme)
                continue
            found = []
            for cue_id, search, cue_ox, cue_cn in cues:
                m = search(text)
                if m is not None:
                    found.append(f"{cue_id}={m.group()}")
                    ox = ox + cue_ox
                    cn = cn + cue_cn
            if not found and (default_ox or default_cn):
                found.append("default")
                ox, cn = ox + default_ox, cn + default_cn
            if ox or cn:
                oxcgrt += ox
                coronanet += cn
                evidence.append(f"{theme}:{','.join(found)}" if found else theme)
        return list(dict.fromkeys(oxcgrt)), list(dict.fromkeys(coronanet)), evidence

    def measure(self, text: str, themes: list[str]) -> Measure:
        modality, modality_term = self._first(self._modality, text)
        scope, scope_term = self._first(self._scope, text)
        oxcgrt, coronanet, evidence = self.codes(text, themes)
        return Measure(modality, modality_term, scope, scope_term, "|".join(oxcgrt), "|".join(coronanet),
                       "|".join(evidence))
