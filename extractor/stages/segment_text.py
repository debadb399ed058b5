"""segment_text: the text structures the segmenter reads: paragraphs, sentences and clause
starts, brackets, owned spans, and the markers, starts and frames it finds (used by ``segment``)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

_SEQUENCE = {"首先": 1, "其次": 2, "再次": 3}

# A sentence (group 1): up to 。!? and any closing quotes after it, or to the end; then the spaces before
# the next one.
_SENTENCE = re.compile(r"([^。!?]*[。!?]+[”’」』\"')]*|[^。!?]+)[ \t]*")

# Characters after which a marker may stand, by position kind.
_BOUNDARY = {"paragraph": "", "sentence": "。!?;:", "clause": "。!?;:,"}

_CLOSERS = "”’」』\"') "

# Posts that precede a leader's name (市委书记彭佳学); longest first.
_POSTS = ("总指挥", "指挥长", "副书记", "书记", "副省长", "省长", "副市长", "市长", "副县长", "县长", "副区长",
          "区长", "副主任", "主任", "副组长", "组长", "部长", "主席", "局长", "厅长", "秘书长", "常委", "州长",
          "镇长", "乡长", "旗长", "盟长", "委员")

_NAME_AFTER_POST = re.compile(
    r"(?:" + "|".join(_POSTS) + r")(?P<name>[\u4e00-\u9fff]{2,3}?)(?=主持|在|出席|强调|指出|要求|表示|说|作|并|讲话|$)")

_NAME_ONLY = re.compile(r"^[\u4e00-\u9fff]{2,3}$")

# A post and a name before what a leader does at a meeting (副书记朱玉超传达…): the speaker of a
# frame in a later clause of the sentence.
_POST_NAME = re.compile(r"(?:" + "|".join(_POSTS) + r")[\u4e00-\u9fff]{2,3}?"
                        r"(?=主持|在|出席|参加|传达|通报|介绍|听取|宣读|分析|总结|回顾|作|并|,|、|$)")

def _alternation(words: list[str] | tuple[str, ...]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))

def cn_ordinal(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 二十三 → 23."""
    if "十" not in text:
        return _CN_NUM.get(text, 0) if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    t = _CN_NUM.get(tens, 0) if tens else 1
    o = _CN_NUM.get(ones, 0) if ones else 0
    return t * 10 + o if (not tens or t) and (not ones or o) else 0

@dataclass
class _Para:
    start: int
    end: int

@dataclass
class _Marker:
    family: str
    level: int
    ordinal: int
    start: int
    end: int  # end of the marker itself
    para: int
    last: bool = False  # 最后: closes a sequence
    para_first: int = -1  # where its paragraph's text begins
    depth: int = 0  # how many brackets of its paragraph are open at it
    via_actor: bool = False  # stands after an actor (各乡镇一要), not at a boundary

@dataclass
class _Start:
    start: int
    end: int  # the furthest it may run
    kind: str
    marker: str
    body: int  # where the text after the marker begins
    speaker: str = ""
    series: int = -1

@dataclass
class _Frames:
    positions: list[int] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    ends: set[int] = field(default_factory=set)
    by_sentence: dict[int, re.Match[str]] = field(default_factory=dict)  # sentence start → its frame
    by_pos: dict[int, re.Match[str]] = field(default_factory=dict)  # where a frame begins → its match

    def add(self, pos: int, end: int, speaker: str) -> None:
        self.positions.append(pos)
        self.speakers.append(speaker)
        self.ends.add(end)

    def at(self, pos: int) -> str:
        i = bisect_right(self.positions, pos) - 1
        return self.speakers[i] if i >= 0 else "会议"

@dataclass
class _FrameScan:
    """Where frame verbs begin in one text, so that the frame regex runs only where a verb is near:
    most sentence and clause starts have none before their first stop."""

    text: str
    verbs: list[int]  # where a frame verb begins (overlapping ones too: 强调指出 and its 指出)

    def may_frame(self, pos: int, reach: int) -> bool:
        """A frame at ``pos`` needs a verb within ``reach`` characters and no stop (,;:。!?\\n) before it."""
        i = bisect_left(self.verbs, pos)
        if i == len(self.verbs):
            return False
        v = self.verbs[i]
        return v <= pos + reach and _FRAME_STOP.search(self.text, pos, v) is None

    def has_verb(self, start: int, end: int) -> bool:
        i = bisect_left(self.verbs, start)
        return i < len(self.verbs) and self.verbs[i] < end

_FRAME_STOP = re.compile(r"[,;:。!?\n]")

# A speaker section header needs its line, with no , ; 。 ! ? on the way, to end in a colon (only
# whitespace, which may hold line breaks, stands between who and the colon).
_MAY_SECTION = re.compile(r"[^,;:。!?\n]*\s*:[^\S\n]*(?:\n|\Z)")

_CLAUSE_STOP = re.compile(r"[。!?;]")  # a text without one is a heading, not a sentence

_LAST_BOUNDARY = re.compile(r"[。!?;:,][^。!?;:,]*$")  # the last clause boundary before the search's end

_SEMICOLON = re.compile(r";[ \t]*")

_SENTENCE_END = re.compile(r"[。!?]")

_ATTENDANCE_TAIL = 12  # an attendance line is recognised by its last characters

_CUT_OFF_PARAS = 2  # a series may open past 1 within the page's first paragraphs (the page was cut)

_BRACKET = re.compile(r"[()]")

_AFTER_SENTENCE_END = re.compile(r"(?<=[。!?])")

_HEADING_END = re.compile(r"[,。;:!?\n]")

# -- text geometry helpers ----------------------------------------------------------------------
def _paragraphs(text: str) -> list[_Para]:
    """One per non-blank line; a line that opens with punctuation (a break put before a ,。 by the
    page) continues the paragraph before it."""
    out, pos = [], 0
    for line in text.split("\n"):
        end = pos + len(line)
        stripped = line.lstrip()
        if stripped:
            if out and stripped[0] in _CONTINUES:
                out[-1].end = end
            else:
                out.append(_Para(pos, end))
        pos = end + 1
    return out

_CONTINUES = ",。、;:!?)”’"

_SIGNATURE = re.compile(r"^(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})$|"
                        r"^[\u4e00-\u9fff()]{2,24}(?:指挥部|领导小组|办公室|委员会|人民政府|党委|政府|局|委)$")

def _is_signature(line: str) -> bool:
    """A closing signature or date line (县疫情防控指挥部 / 2022年1月5日), not body text."""
    return _SIGNATURE.match(line.strip()) is not None

class _Words:
    """Finds every position where one of some words begins, including those inside another's match
    (强调指出 holds 指出, 副书记 holds 书记): one regex pass, then only the offsets where, by the words
    alone, another word could begin."""

    def __init__(self, words: tuple[str, ...] | list[str]) -> None:
        self.words = tuple(words)
        self.regex = re.compile("|".join(sorted(map(re.escape, self.words), key=len, reverse=True)))
        self.inner = {w: [k for k in range(1, len(w))
                          if any(v.startswith(w[k:]) or w[k:].startswith(v) for v in self.words)]
                      for w in self.words}

    def starts(self, text: str) -> list[int]:
        out = []
        for m in self.regex.finditer(text):
            a = m.start()
            out.append(a)
            for k in self.inner[m.group()]:
                if text.startswith(self.words, a + k):
                    out.append(a + k)
        return out

_POST_WORDS = _Words(_POSTS)

def _skip_space(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos] in " \t":
        pos += 1
    return pos

_SENTENCE_OR_CLAUSE = re.compile(r"([^。!?;]*[。!?;]+[”’」』\"')]*|[^。!?;]+)[ \t]*")

def _sentences(text: str, para: _Para, semicolons: bool = False) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence of a paragraph (also split at ; with ``semicolons``)."""
    return _sentences_in(text, para.start, para.end, semicolons)

@lru_cache(maxsize=1024)
def _sentences_in(text: str, start: int, end: int, semicolons: bool) -> tuple[tuple[int, int], ...]:
    pattern = _SENTENCE_OR_CLAUSE if semicolons else _SENTENCE
    # Sentences follow one another: each match ends where the next sentence's text begins.
    return tuple([m.span(1) for m in pattern.finditer(text, _skip_space(text, start, end), end)])

_CLAUSE_MARK = re.compile(r"[,;:][ \t]*")  # with the spaces after it, which a clause start skips

_REPEAT_MIN = 12  # a repeated directive is dropped when at least this long (short ones recur by chance)

_CLAUSE_ENDS = ",;。!?、 "

def _clause_starts(text: str, start: int, end: int, limit: int = 0) -> list[int]:
    """Where the clauses of ``text[start:end]`` begin (the first ``limit`` of them, if given)."""
    out = [start]
    for m in _CLAUSE_MARK.finditer(text, start, end):
        p = m.end()
        if p < end:
            out.append(p)
            if limit and len(out) >= limit:
                break
    return out

def _after_boundary(text: str, pos: int, floor: int, allowed: str) -> bool:
    if not allowed:
        return False
    i = pos - 1
    while i >= floor and text[i] in _CLOSERS:
        i -= 1
    return i >= floor and text[i] in allowed

def _para_index(paras: list[_Para], pos: int) -> int:
    starts = [p.start for p in paras]
    return max(0, bisect_right(starts, pos) - 1)

class _Brackets:
    """Bracket depth at a position, counted from its paragraph's start: one pass over the text's
    brackets, made when first asked, then a bisection per question."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos: list[int] | None = None
        self.cum: list[int] = []

    def _before(self, pos: int) -> int:
        if self.pos is None:
            self.pos, d = [], 0
            for m in _BRACKET.finditer(self.text):
                d += 1 if m.group() == "(" else -1
                self.pos.append(m.start())
                self.cum.append(d)
        i = bisect_left(self.pos, pos)
        return self.cum[i - 1] if i else 0

    def at(self, pos: int, para_start: int) -> int:
        if self.text.find("(", para_start, pos) < 0:  # no bracket opens before it in its paragraph
            return 0
        return max(0, self._before(pos) - self._before(para_start))

class _Owned:
    """Spans already taken by a larger unit. A position is inside one when, of the spans that start
    at or before it, the furthest-reaching ends after it: one bisection instead of a scan of all."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [a for a, _ in spans]
        self.reach = list(accumulate((b for _, b in spans), max))

    def __contains__(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos)
        return i > 0 and self.reach[i - 1] > pos
