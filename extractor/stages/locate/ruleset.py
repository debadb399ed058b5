"""The rule file of locate, ``rules/locate.yaml``: word lists and patterns by concern, each
pattern with examples it must and must not find, validated when the file is loaded."""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from extractor.rules import Examples, _check_regex, packaged_rule_text, read_yaml, validate_file


class LabelRank(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rank: int = Field(ge=0)
    labels: list[str] = Field(min_length=1)


class Abbreviation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    abbr: str = Field(min_length=1, max_length=1)
    province: str
    in_text: bool


class ContextRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pattern: str
    examples: Examples

    @field_validator("pattern")
    @classmethod
    def _has_slot(cls, value: str) -> str:
        if "{abbr}" not in value:
            raise ValueError("pattern must contain {abbr}")
        _check_regex(value.replace("{abbr}", "豫"))
        return value


class PatternRule(BaseModel):
    """A regular expression with texts it must find and texts it must not (checked on load)."""

    model_config = ConfigDict(extra="forbid")

    pattern: str
    examples: Examples

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return _check_regex(value)

    @model_validator(mode="after")
    def _examples_hold(self) -> "PatternRule":
        rx = re.compile(self.pattern)
        for text in self.examples.match:
            if not rx.search(text):
                raise ValueError(f"pattern does not find its example {text!r}")
        for text in self.examples.no_match:
            if rx.search(text):
                raise ValueError(f"pattern finds its counter-example {text!r}")
        return self

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


PATTERN_IDS = ("national_body", "cross_jurisdiction", "zone", "village", "self_reference", "towns_below",
               "counties_below", "outlet_lede", "outlet_credit", "app_promo", "forum_stamp",
               "agency_dateline", "short_name_venue", "breadcrumb", "breadcrumb_place", "header_site",
               "travel_before", "travel_after", "weekday_after", "today_before", "bracket_date",
               "clause_year", "stamp_before", "meeting_verb", "meeting_mention", "strict_organ", "relay_verb",
               "after_clause", "source_label", "byline", "copyright_after", "copyright_before", "sponsor",
               "police_code", "site_code", "icp", "crumb_split", "level_start", "body_end", "self_lede",
               "place_subject", "town_start", "subject_filler", "organ_end", "person_word", "region_post",
               "deputy", "title_split", "title_verbs", "bare_level", "relayed_speech", "addressed",
               "page_date", "text_date", "text_date_hint", "range_between", "meeting_object",
               "generic_meeting", "meeting_noun_end", "bracketed", "single_body", "latin_word", "company",
               "unit_type", "zone_in_text", "city_area", "period_year", "inbound_city", "publisher_line")


class LocateRules(BaseModel):
    """``rules/locate.yaml``: word lists for datelines, outlets and places."""

    model_config = ConfigDict(extra="forbid")

    version: int
    dateline_labels: list[LabelRank] = Field(min_length=1)
    vague_dates: list[str] = Field(min_length=1)
    self_sources: list[str] = Field(min_length=1)
    national_outlets: list[str] = []
    outlet_suffix: str
    organ_words: list[str] = Field(min_length=1)
    unit_levels: dict[str, Literal["province", "city", "county", "township"]] = {}
    province_abbreviations: list[Abbreviation] = Field(min_length=1)
    abbreviation_context: ContextRule
    fragments: dict[str, str] = {}
    patterns: dict[str, PatternRule]

    @model_validator(mode="before")
    @classmethod
    def _expand_fragments(cls, data):
        """``{{name}}`` in a pattern stands for the fragment of that name (the words that name a
        meeting, shared by several patterns); expanded before the patterns are checked."""
        if not isinstance(data, dict) or not isinstance(data.get("patterns"), dict):
            return data
        fragments = data.get("fragments") or {}
        patterns = {}
        for key, rule in data["patterns"].items():
            if isinstance(rule, dict) and isinstance(rule.get("pattern"), str) and "{{" in rule["pattern"]:
                def slot(m: re.Match, key=key) -> str:
                    if m.group(1) not in fragments:
                        raise ValueError(f"patterns.{key}: no fragment {m.group(1)!r}")
                    return fragments[m.group(1)]
                rule = {**rule, "pattern": re.sub(r"\{\{(\w+)\}\}", slot, rule["pattern"])}
            patterns[key] = rule
        return {**data, "patterns": patterns}

    @field_validator("patterns")
    @classmethod
    def _known_patterns(cls, value: dict[str, PatternRule]) -> dict[str, PatternRule]:
        missing = [k for k in PATTERN_IDS if k not in value]
        unknown = [k for k in value if k not in PATTERN_IDS]
        if missing or unknown:
            raise ValueError(f"patterns: missing {missing}, unknown {unknown}")
        return value

    def rx(self, pattern_id: str) -> re.Pattern[str]:
        return self.patterns[pattern_id].regex

    @field_validator("outlet_suffix")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
        return value

    @cached_property
    def label_rank(self) -> dict[str, int]:
        return {label: group.rank for group in self.dateline_labels for label in group.labels}

    @cached_property
    def label_regex(self) -> re.Pattern[str]:
        labels = sorted(self.label_rank, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, labels)))

    @cached_property
    def vague_regex(self) -> re.Pattern[str]:
        return re.compile("|".join(map(re.escape, sorted(self.vague_dates, key=len, reverse=True))))

    @cached_property
    def outlet_suffix_regex(self) -> re.Pattern[str]:
        return re.compile(self.outlet_suffix)

    @cached_property
    def organ_regex(self) -> re.Pattern[str]:
        return re.compile("|".join(map(re.escape, sorted(self.organ_words, key=len, reverse=True))))

    @cached_property
    def abbreviations(self) -> dict[str, str]:
        return {a.abbr: a.province for a in self.province_abbreviations}

    @cached_property
    def text_abbreviation_regex(self) -> re.Pattern[str]:
        chars = "".join(a.abbr for a in self.province_abbreviations if a.in_text)
        return re.compile(self.abbreviation_context.pattern.replace("{abbr}", f"[{chars}]"))

    def is_self_source(self, name: str) -> bool:
        return name in self.self_sources or name.startswith(("本站", "本网", "本报"))

    @cached_property
    def national_prefixes(self) -> tuple[str, ...]:
        return tuple(self.national_outlets)

    def is_national(self, name: str) -> bool:
        return name.startswith(self.national_prefixes)


@lru_cache(maxsize=1)
def load_locate_rules() -> LocateRules:
    path = "extractor/rules/locate.yaml"
    return validate_file(LocateRules, path, read_yaml(path, packaged_rule_text("locate.yaml")))


class RulePattern:
    """A pattern of ``rules/locate.yaml`` under a module-level name, compiled on first use: the
    rule file is read only when a notice is located, not when the module is imported. After the
    first use its methods are the compiled pattern's own."""

    _METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "split", "pattern",
                "groupindex")

    def __init__(self, pattern_id: str) -> None:
        self.pattern_id = pattern_id

    def __getattr__(self, name: str):
        if name not in self._METHODS:
            raise AttributeError(name)
        compiled = load_locate_rules().rx(self.pattern_id)
        for method in self._METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


def rule_pattern(pattern_id: str) -> RulePattern:
    if pattern_id not in PATTERN_IDS:
        raise KeyError(f"no pattern {pattern_id!r} in rules/locate.yaml")
    return RulePattern(pattern_id)
