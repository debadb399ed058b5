"""Rule files: loading and validation of the versioned YAML data in ``extractor/rules/``.

Rules are data; machinery is code. Every file is validated by pydantic with ``extra='forbid'``
and every regular expression is compiled on load, so a bad rule fails at once with the file,
the rule id, the key and the value named. Each rule carries ``match`` / ``no_match`` examples
that the tests run.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class RuleFileError(ValueError):
    """A rule or taxonomy file that does not validate; the message names file, rule and key."""


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid")

    match: list[str] = Field(min_length=1)
    no_match: list[str] = []


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
    return value


class LineRule(BaseModel):
    """A regular expression applied to one line of a page."""

    model_config = ConfigDict(extra="forbid")

    id: str
    pattern: str
    max_len: int = 0
    examples: Examples

    _check = field_validator("pattern")(_check_regex)

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    def applies(self, line: str) -> bool:
        return (not self.max_len or len(line) <= self.max_len) and self.regex.search(line) is not None


class DatelineRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    labels: str
    date: str
    time: str
    max_len: int
    exclude: str
    examples: Examples

    _check = field_validator("labels", "date", "time", "exclude")(_check_regex)

    @cached_property
    def prefix_regex(self) -> re.Pattern[str]:
        # Optional labels, then a date and time, at the start of the line.
        return re.compile(rf"^(?:{self.labels}\s*:?\s*)*{self.date}{self.time}(?:\s*{self.labels})?")

    @cached_property
    def anywhere_regex(self) -> re.Pattern[str]:
        return re.compile(rf"{self.date}{self.time}")

    @cached_property
    def labels_regex(self) -> re.Pattern[str]:
        return re.compile(self.labels)

    @cached_property
    def exclude_regex(self) -> re.Pattern[str]:
        return re.compile(self.exclude)


class RunOnRule(BaseModel):
    """How a line that runs headline, header fields and lede together is split (``page.yaml``)."""

    model_config = ConfigDict(extra="forbid")

    min_len: int = Field(ge=1)
    head_chars: int = Field(ge=1)
    label: str
    value: str
    stamp: str
    lede: str
    dated_lede: str
    skip: str
    tail_chars: int = Field(ge=1)
    tail: str
    image: str
    image_name_chars: int = Field(ge=1)
    examples: Examples

    _check = field_validator("label", "stamp", "lede", "dated_lede", "skip", "image")(_check_regex)

    @cached_property
    def image_regex(self) -> re.Pattern[str]:
        return re.compile(self.image)

    def split_images(self, line: str) -> list[str]:
        """``line`` with each image file name that follows a sentence end set on a line of its own."""
        cuts: list[int] = []
        for m in self.image_regex.finditer(line):
            back = line[max(0, m.start() - self.image_name_chars):m.start()]
            end = max(back.rfind(mark) for mark in "。!?")
            if end >= 0 and not _NAME_BREAK.search(back, end + 1):
                cuts += [m.start() - len(back) + end + 1, m.end()]
        return _cut(line, cuts) if cuts else [line]

    @cached_property
    def skip_regex(self) -> re.Pattern[str]:
        return re.compile(self.skip)

    @cached_property
    def fields_regex(self) -> re.Pattern[str]:
        # A run of header fields (label: value) and stamps, with the spaces between them.
        value = self.value.replace("{label}", self.label)
        field = rf"(?:{self.label}\s*:\s*(?:{value})?|{self.stamp})"
        return re.compile(rf"{field}(?:\s*{field})*")

    @cached_property
    def tail_regex(self) -> re.Pattern[str]:
        return re.compile(self.tail.replace("{label}", self.label))

    @cached_property
    def lede_regex(self) -> re.Pattern[str]:
        return re.compile(self.lede)

    @cached_property
    def dated_lede_regex(self) -> re.Pattern[str]:
        return re.compile(self.dated_lede)

    def split(self, line: str) -> list[str]:
        """``line`` as the lines it ran together: [headline, fields, lede…], or [line]."""
        if len(line) <= self.min_len:
            return [line]
        stop = line.find("。", 0, self.head_chars)
        head = line[:stop if stop >= 0 else self.head_chars]
        if self.skip_regex.search(head):
            return [line]
        cuts: list[int] = []
        for fields in self.fields_regex.finditer(head):
            cuts += [fields.start(), fields.end()]
        for m in self.lede_regex.finditer(head):
            cuts.append(m.start("cut") if m["cut"] else m.start())
        if not cuts:
            m = self.dated_lede_regex.search(head)
            if m and 6 <= m.start() <= 60 and not re.search(r"[,:;]", head[:m.start()]):
                cuts.append(m.start())
        return _cut(line, cuts)

    def split_tail(self, line: str) -> list[str]:
        """The last line of a run-on page as [body…, credits and footer lines], or [line]."""
        window = max(0, len(line) - self.tail_chars)
        end = max(line.rfind(mark, window) for mark in "。!?")
        if end < 0:
            return [line]
        cuts = [m.start() for m in self.tail_regex.finditer(line, end + 1)]
        return _cut(line, [end + 1, *cuts]) if cuts else [line]


# What an image's file name does not hold.
_NAME_BREAK = re.compile(r"[\s,:;“”]")


def _cut(line: str, cuts: list[int]) -> list[str]:
    """``line`` cut at ``cuts``, each piece stripped, empty pieces dropped."""
    pieces, prev = [], 0
    for cut in sorted(set(cuts)):
        pieces.append(line[prev:cut])
        prev = cut
    pieces.append(line[prev:])
    return [p.strip() for p in pieces if p.strip()]


class PageRules(BaseModel):
    """``rules/page.yaml``: which lines of a page are not article text."""

    model_config = ConfigDict(extra="forbid")

    version: int
    bullet: str
    boilerplate: list[LineRule] = Field(min_length=1)
    end_marker: list[LineRule] = Field(min_length=1)
    dateline: DatelineRule
    run_on: RunOnRule

    @cached_property
    def _bullet(self) -> re.Pattern[str]:
        return re.compile(self.bullet)

    def strip_bullet(self, line: str) -> str:
        return self._bullet.sub("", line).strip()

    def is_boilerplate(self, line: str) -> bool:
        return _any_applies(self._boilerplate_index, line)

    def is_end_marker(self, line: str) -> bool:
        return _any_applies(self._end_marker_index, line)

    @cached_property
    def _boilerplate_index(self) -> tuple[list[int], list[tuple[re.Pattern[str], ...]]]:
        return _length_index(self.boilerplate)

    @cached_property
    def _end_marker_index(self) -> tuple[list[int], list[tuple[re.Pattern[str], ...]]]:
        return _length_index(self.end_marker)

    def dateline_prefix(self, line: str) -> int | None:
        """End offset of a dateline at the start of ``line``, or None."""
        if self.dateline.exclude_regex.search(line, 0, 40):
            return None
        m = self.dateline.prefix_regex.match(line)
        return m.end() if m else None

    def is_dateline(self, line: str) -> bool:
        """A short line that carries the page's date among labels (not prose)."""
        if len(line) > self.dateline.max_len or "。" in line or self.dateline.exclude_regex.search(line):
            return False
        if self.dateline_prefix(line) is not None:
            return True
        m = self.dateline.anywhere_regex.search(line)
        return bool(m) and self.dateline.labels_regex.search(line, 0, m.start()) is not None


def _length_index(rules: list[LineRule]) -> tuple[list[int], list[tuple[re.Pattern[str], ...]]]:
    """The rules whose ``max_len`` admits a line's length, per length band, each compiled alone.

    A long prose line then costs few searches (or none). Rules stay separate regexes: one
    alternation of them all is slower, as it defeats the engine's literal-prefix scan and tries
    every anchored (``^``) rule at every position."""
    bounds = sorted({r.max_len for r in rules if r.max_len})
    compiled = {id(r): re.compile(r.pattern) for r in rules}
    bands: list[tuple[re.Pattern[str], ...]] = []
    for lower in [*bounds, None]:
        bands.append(tuple(compiled[id(r)] for r in rules
                           if not r.max_len or (lower is not None and r.max_len >= lower)))
    return bounds, bands


def _any_applies(index: tuple[list[int], list[tuple[re.Pattern[str], ...]]], line: str) -> bool:
    bounds, bands = index
    for regex in bands[bisect_left(bounds, len(line))]:
        if regex.search(line) is not None:
            return True
    return False


def _format_error(path: str, exc: ValidationError, data: Any) -> str:
    parts = []
    for err in exc.errors():
        loc = list(err["loc"])
        where, node = [], data
        for key in loc:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                node = None
            if isinstance(key, int) and isinstance(node, dict) and "id" in node:
                where.append(f"[{node['id']}]")
            else:
                where.append(f"[{key}]" if isinstance(key, int) else f".{key}")
        loc_s = "".join(where).lstrip(".")
        value = err.get("input")
        shown = "" if isinstance(value, (dict, list)) else f" (value: {value!r})"
        parts.append(f"{path}: {loc_s}: {err['msg']}{shown}")
    return "\n".join(parts)


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: ~10× faster start-up
    """A safe loader that rejects a mapping with the same key twice (PyYAML keeps the last)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: str | Path, text: str | None = None) -> Any:
    if text is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise RuleFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            from extractor.stages.load import binary_kind

            kind = binary_kind(data)
            raise RuleFileError(f"{path}: not a YAML file ({kind or 'not UTF-8 text'})") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{path}: not valid YAML: {exc}") from None


def validate_file(model: type[BaseModel], path: str, data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RuleFileError(_format_error(path, exc, data)) from None


def packaged_rule_text(name: str) -> str:
    return resources.files("extractor").joinpath("rules", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_page_rules() -> PageRules:
    path = "extractor/rules/page.yaml"
    return validate_file(PageRules, path, read_yaml(path, packaged_rule_text("page.yaml")))


class NumberedFamily(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    pattern: str
    ordinal: str = Field(pattern="^(chinese|arabic|circled|sequence)$")
    level: int = Field(ge=1, le=9)
    position: str = Field(pattern="^(paragraph|sentence|clause)$")
    after_actor: bool = False  # may follow a short actor (各乡镇一要…)
    cut_off: bool = False  # a series may open past 1 at the page's start (a page cut before 一要)
    lone_at_end: bool = False  # a lone member in the page's last paragraph is kept (siblings cut)
    examples: Examples

    _check = field_validator("pattern")(_check_regex)

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


class ParallelFamily(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    pattern: str
    min_members: int = Field(3, ge=2)
    needs_frame: bool = False  # a frame must open the members' paragraph or one of the two before
    requires: str = ""  # a character every member holds: paragraphs without it are not tried
    topic_exclude: str = ""  # a `topic` group this matches is an actor, not a topic: no member
    examples: Examples

    _check = field_validator("pattern", "topic_exclude")(_check_regex)

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


class FrameRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verbs: list[str] = Field(min_length=1)
    fused_verbs: list[str] = []  # verbs that may run straight into their content
    who_max: int = 40
    clause_reach: int = Field(3, ge=1, le=20)  # how many clauses into a sentence a frame may stand
    who_exclude: str
    who_speaker: str
    who_name_post: str
    who_topic: str
    adverbs: list[str] = []  # words between the speaker and the verb (他都指出, 会议进一步强调)
    who_interposed: str  # words between the speaker and the verb that say where or when (每到一处)
    announce: str  # a sentence that announces the points after it (就…提出五点要求。)
    announce_examples: Examples
    examples: Examples

    _check = field_validator("who_exclude", "who_speaker", "who_name_post", "who_topic", "who_interposed",
                             "announce")(_check_regex)

    @field_validator("fused_verbs")
    @classmethod
    def _fused_are_verbs(cls, value: list[str], info: Any) -> list[str]:
        unknown = set(value) - set(info.data.get("verbs", ()))
        if unknown:
            raise ValueError(f"fused_verbs not among verbs: {sorted(unknown)}")
        return value


class ActorRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_len: int = 18
    nouns: str
    exclude: str
    examples: Examples
    comma_subject: str
    comma_subject_examples: Examples
    topic_subject: str  # a subject without an actor noun that may lead a directive (“六个一律”要执行到位)
    topic_subject_examples: Examples

    _check = field_validator("nouns", "exclude", "comma_subject", "topic_subject")(_check_regex)


class SemicolonListRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentence_style_min: int = Field(4, ge=2)


class SegmentRules(BaseModel):
    """``rules/segment.yaml``: marker families, parallel series, frames, modals and actors."""

    model_config = ConfigDict(extra="forbid")

    version: int
    numbered: list[NumberedFamily] = Field(min_length=1)
    parallel: list[ParallelFamily] = []
    frame: FrameRule
    modal: str
    modal_examples: Examples
    actor: ActorRule
    narrative_sentence: str
    narrative_examples: Examples
    attendance_sentence: str
    attendance_examples: Examples
    narrative_intro: str
    narrative_intro_examples: Examples
    narrative_item: str
    narrative_item_examples: Examples
    lead_connective: str
    purpose_clause: str
    lead_examples: Examples
    request_start: str
    request_examples: Examples
    topic_start: str
    topic_examples: Examples
    semicolon_list: SemicolonListRule
    bullets: str
    bullets_examples: Examples
    agenda_item: str
    agenda_item_examples: Examples
    heading_body_starts: list[str] = Field(min_length=1)
    heading_max: int = 30
    trailing_byline: str
    trailing_byline_examples: Examples

    _check = field_validator("modal", "trailing_byline", "narrative_sentence", "attendance_sentence", "narrative_intro",
                             "narrative_item", "lead_connective", "purpose_clause", "request_start",
                             "topic_start", "bullets", "agenda_item")(_check_regex)


@lru_cache(maxsize=1)
def load_segment_rules() -> SegmentRules:
    path = "extractor/rules/segment.yaml"
    return validate_file(SegmentRules, path, read_yaml(path, packaged_rule_text("segment.yaml")))


# -- a user's taxonomy -------------------------------------------------------------------------------

_REPEATS = ("MAX_REPEAT", "MIN_REPEAT")
# Characters to tell whether two character classes overlap: ASCII, full-width forms, CJK
# punctuation and a spread of ideographs (a class is a set of single characters, so a sample of
# each kind it can hold shows an overlap).
_PROBE = "".join(map(chr, [*range(0x20, 0x7F), 0x0A, 0xA0, 0x3000, *range(0x3001, 0x3020),
                           *range(0xFF01, 0xFF5F, 3), *range(0x4E00, 0x9FA5, 97)]))
_probe = frozenset(_PROBE)


def backtracking_risk(pattern: str) -> str:
    r"""Why ``pattern`` can take exponential or polynomial time on a line it almost matches, or ``""``.

    Three shapes are refused: a repeated part that itself repeats (``(a+)+``, ``(?:[^,]*人员)*``),
    an unbounded repetition of a group that matches texts of different lengths (``(a|aa)+``) or
    holds alternatives that start alike (``(?:a|a)*``),
    and unbounded repeats that can match the same character with only optional parts between
    them (``\d+\d*``, ``.*.*``, ``a*b?a*``): on a 50,000-character line the first two take for
    ever and the last billions of steps. Repeats with a required part between them
    (``会议.*强调.*要求``) are allowed: they are slow only on lines made to defeat them. A possessive repeat or an atomic group
    does not backtrack and is allowed."""
    from re import _parser  # the parser re itself uses: the pattern as re will run it

    try:
        tree = _parser.parse(pattern)
    except Exception:  # noqa: BLE001 - invalid patterns are reported by _check_regex
        return ""
    global _probe  # the sample, with the pattern's own characters (控 in (?:.控|防控)+): load time only
    _probe = frozenset(_PROBE) | set(pattern)
    return _risk(list(tree), False)


def _risk(items: list, inside_repeat: bool) -> str:
    # ``pending``: the characters of the unbounded repeats since the last item that must match
    # something; a new unbounded repeat over any of them multiplies the ways to split a line
    # (``a*a*``, ``a*b?a*``), each by the line's length.
    pending: frozenset[str] = frozenset()
    for op, av in items:
        name = str(op)
        if name in _REPEATS:
            lo, hi, body = av
            if hi > 1 and inside_repeat:
                return "nested quantifier"
            unbounded = hi == _parser_maxrepeat()
            found = _risk(list(body), inside_repeat or hi > 1)
            if found:
                return found
            if unbounded and _variable_width(body):
                return "variable-width repeated part"
            if unbounded and _ambiguous_branches(list(body)):
                return "ambiguous alternatives"
            chars = _one_char_class(list(body))
            if unbounded:
                if chars is None:
                    pending = frozenset()
                    continue
                if chars & pending:
                    return "adjacent overlapping repeats"
                pending = pending | chars if lo == 0 else chars
            elif lo > 0:
                pending = frozenset()
            continue
        if name in ("AT",):  # an anchor matches no character
            continue
        pending = frozenset()
        if name in ("ATOMIC_GROUP", "POSSESSIVE_REPEAT"):
            continue
        for sub in _subpatterns(av):
            found = _risk(list(sub), inside_repeat)
            if found:
                return found
    return ""


def _variable_width(body) -> bool:
    """Whether a repeated group can match strings of different lengths (``(a|aa)``, ``(ab?)``):
    repeated without bound, a line can be cut into its matches in exponentially many ways."""
    items = list(body)
    if _one_char_class(items) is not None:
        return False
    if len(items) == 1 and str(items[0][0]) in ("ATOMIC_GROUP", "POSSESSIVE_REPEAT"):
        return False  # matched once and never given back
    lo, hi = body.getwidth()
    return lo != hi


def _ambiguous_branches(items: list) -> bool:
    """Whether a repeated part holds alternatives that can start with the same character
    (``(?:a|a)``, ``(?:ab|ac)`` as written, ``(?:|)``): each repetition then doubles the ways."""
    for op, av in items:
        name = str(op)
        if name == "BRANCH":
            seen: set[str] = set()
            for branch in av[1]:
                chars = _first_chars(list(branch))
                if chars & seen:
                    return True
                seen |= chars
            if any(_ambiguous_branches(list(branch)) for branch in av[1]):
                return True
        elif name == "SUBPATTERN" and _ambiguous_branches(list(av[-1])):
            return True
    return False


def _first_chars(items: list) -> frozenset[str]:
    """The probe characters a sub-pattern can start with (all of them when that is not simple)."""
    everything = _probe
    out: set[str] = set()
    for op, av in items:
        name = str(op)
        if name == "AT":
            continue
        chars = _one_char_class([(op, av)])
        if chars is not None:
            return frozenset(out | chars)
        if name == "SUBPATTERN":
            return frozenset(out | _first_chars(list(av[-1])))
        if name in _REPEATS:
            lo, _hi, body = av
            out |= _first_chars(list(body))
            if lo > 0:
                return frozenset(out)
            continue
        return everything
    return everything  # a branch that can be empty: it starts with whatever follows


def _parser_maxrepeat() -> int:
    from re import _constants

    return _constants.MAXREPEAT


def _one_char_class(body: list) -> frozenset[str] | None:
    """The probe characters a repeated single-character item matches, or None for anything else."""
    if len(body) != 1:
        return None
    op, av = body[0]
    name = str(op)
    if name == "LITERAL":
        return frozenset(chr(av))
    if name == "NOT_LITERAL":
        return _probe - {chr(av)}
    if name == "ANY":
        return _probe - {"\n"}
    if name != "IN":
        return None
    negate = any(str(o) == "NEGATE" for o, _ in av)
    chars = {ch for ch in _probe if any(_in_item(str(o), a, ch) for o, a in av if str(o) != "NEGATE")}
    return _probe - chars if negate else frozenset(chars)


def _in_item(op: str, av, ch: str) -> bool:
    if op == "LITERAL":
        return ch == chr(av)
    if op == "RANGE":
        return av[0] <= ord(ch) <= av[1]
    if op == "CATEGORY":
        category = str(av)
        test = {"DIGIT": str.isdigit, "SPACE": str.isspace,
                "WORD": lambda c: c.isalnum() or c == "_"}.get(category.rsplit("_", 1)[-1])
        if test is None:
            return True  # an unknown category: assume it overlaps
        return test(ch) is not category.startswith("CATEGORY_NOT_")
    return True


def nested_quantifier(pattern: str) -> str:
    """``backtracking_risk`` (kept under the name of its first and commonest case)."""
    return backtracking_risk(pattern)


def _subpatterns(av) -> list:
    """The sub-patterns held in a parsed node's argument (groups, branches, lookarounds)."""
    from re import _parser

    if isinstance(av, _parser.SubPattern):
        return [av]
    if isinstance(av, (tuple, list)):
        return [sp for x in av for sp in _subpatterns(x)]
    return []
