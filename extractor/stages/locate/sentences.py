"""The meeting sentences of a notice (its first lines, where the meeting is named), and the
words that name a meeting and the verb that holds it; shared by the dates, the issuer and the
jurisdiction."""

from __future__ import annotations

import re
from functools import lru_cache

from extractor.stages.locate.ruleset import rule_pattern


# A verb that holds a meeting: 召开, 主持召开, 举行.
_MEETING_VERB = rule_pattern("meeting_verb")
# Where a lede dates a meeting: before its verb, or before the meeting as subject (12月7日,市委常委会会议传达…).
_MEETING_MENTION = rule_pattern("meeting_mention")
# The meeting named after the verb: 召开|市委十一届九十次常委会会议暨市应对新冠肺炎疫情工作领导小组会议.
_MEETING_OBJECT = rule_pattern("meeting_object")
# A meeting noun with no body in it: 会议, 例会, 工作例会, 专题会议, 第九次会议.
_GENERIC_MEETING = rule_pattern("generic_meeting")
# A name that ends in a meeting noun (a title segment that names a meeting).
_MEETING_NOUN_END = rule_pattern("meeting_noun_end")
# Where the clause before a meeting verb begins; the sentences of a line.
_CLAUSE_BREAK = re.compile(r"[,:;]")
_SENTENCE = re.compile(r"[^。!?;\n]+[。!?;]?")
# Organs proper, as opposed to topics: 宁波市|委, 沈丘县|人民政府 (not 镇海区|疫情处置).
_STRICT_ORGAN = rule_pattern("strict_organ")


@lru_cache(maxsize=1)
def _page_lines(page: str) -> tuple[str, ...]:
    """A page's lines: split once for both the outlet and the datelines of the notice at hand."""
    return tuple(page.split("\n"))


@lru_cache(maxsize=2)
def _sentences(text: str, max_lines: int = 8, max_chars: int = 2500) -> tuple[str, ...]:
    """The sentences of the first lines of a notice, where its meeting is named. The meeting date,
    the issuer and the body's place are all read from them, so the notice at hand keeps them."""
    out: list[str] = []
    chars = 0
    for n, line in enumerate(text.split("\n", max_lines)):  # the rest of the text is never read
        if n >= max_lines or chars > max_chars:
            break
        chars += len(line)
        out += _SENTENCE.findall(line)
    return tuple(out)


# A speech passed on rather than given: 传达…X的讲话精神, X的重要指示.
_RELAY_VERB = rule_pattern("relay_verb")


# What ends a clause that only dates the main one: 国务院…会议召开后, …结束后.
_AFTER_CLAUSE = rule_pattern("after_clause")
