"""people: leaders named with a post (市委书记彭佳学), and who held a province-level post when.

``find_leaders`` reads post chains (``省委常委、市委书记彭佳学``, ``市委副书记、市长、市疫情防控工作
领导小组组长应勇``), keeps each person's principal post and skips attendance lists of names.
``lookup_provincial`` answers "whose 市委书记 was 李强 in February 2020" from ``data/leaders.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# The level a post belongs to, as written before the post: 省委, 市委, 县委, 自治区党委, 街道党工委 …
# e.g. 市委书记 → 市委 + 书记; 省委常委 → 省委 + 常委.
_LEVELS = ("自治区党委", "自治区", "区党委", "省委", "市委", "县委", "区委", "州委", "旗委", "盟委", "镇党委", "乡党委",
           "街道党工委", "省政府", "市政府", "县政府", "区政府", "州政府", "省人大常委会", "市人大常委会",
           "县人大常委会", "省政协", "市政协", "县政协", "省", "市", "县", "区", "州", "旗", "盟", "镇", "乡", "街道")
_LEVEL = f"(?:{'|'.join(_LEVELS)})"
# The head noun of a post led by a level: 书记, 常委, 组长 … e.g. 市疫情防控工作领导小组组长 ends in 组长.
_HEAD = (r"(?:副书记|书记|常务副省长|常务副市长|常务副县长|常务副区长|副省长|副市长|副县长|副区长|副州长|"
         r"副主席|主席|副主任|主任|副秘书长|秘书长|常委|副组长|组长|副指挥长|指挥长|总指挥)")
# A head of government written without a separate level: 市长, 副省长, 常务副市长, 代市长.
_UNITS = "省市县区州旗盟镇乡"
_GOV_HEAD = rf"(?:常务副|副|代)?[{_UNITS}]长|副?秘书长"
# The same, one alternative each, in the order the regex engine tries them.
_GOV_HEADS = (*(f"{deputy}{unit}长" for deputy in ("常务副", "副", "代", "") for unit in _UNITS), "副秘书长", "秘书长")
# After the level: at most 20 characters of body name and a head (市应对新冠肺炎疫情工作领导小组组长).
_LEVEL_TAIL = rf"(?!委)[^\s,。、;:()“”\"'!?]{{0,20}}?{_HEAD}"
# One post: a level and its tail, or a bare head of government (市长).
_POST = rf"(?:{_LEVEL}{_LEVEL_TAIL}|{_GOV_HEAD})"
# The first post of a chain spelled out with one alternative per level and per head of government,
# which matches the same text in the same order: when every alternative starts with a plain
# character, the regex engine skips to the characters that can begin a post (市, 县, 副 …) instead
# of trying all the alternatives at every character of the sentence.
_FIRST_POST = "(?:" + "|".join([level + _LEVEL_TAIL for level in _LEVELS] + list(_GOV_HEADS)) + ")"
# A chain of posts held by one person (at most six), then the start of the name: 省委常委、市委书记彭佳学.
POST_CHAIN = re.compile(rf"(?P<chain>{_FIRST_POST}(?:、{_POST}){{0,5}})(?P<rest>[\u4e00-\u9fff·]{{2,12}})")
# What every head above contains (书记 in 副书记, 省长 in 常务副省长, 指挥 in 总指挥): a sentence
# without one holds no post chain, and is not worth POST_CHAIN's tries at each of its level characters.
# Every alternative starts with a plain character, so the engine skips to where one may begin.
_HEAD_HINT = re.compile(r"书记|省长|市长|县长|区长|州长|旗长|盟长|镇长|乡长|组长|主席|主任|秘书长|常委|指挥")
# A sentence that only lists who attended: ends in 参加/出席/列席 (会议), with no speech verb.
_ATTENDANCE_END = re.compile(r"(?:参加|出席|列席|参会|陪同|在主会场|在分会场)(?:了)?(?:会议|活动|调研)?[。.]?$")
_SPEECH = re.compile(r"讲话|主持|强调|指出|要求|致辞|部署")
# What follows a name: a speech or action verb, or punctuation (王凯|作工作部署, 李强|主持).
_NAME_CUES = ("主持", "强调", "指出", "要求", "表示", "讲话", "出席", "参加", "列席", "听取", "召开", "提出",
              "宣布", "传达", "同志", "一行", "先后", "分别", "代表", "首先", "随后", "通报", "部署", "介绍",
              "总结", "肯定", "希望", "发表", "视频", "连线", "调度", "现场", "实地", "检查", "督导", "调研",
              "看望", "慰问", "批示", "作出", "指示", "会见", "带队", "深入", "详细", "充分", "就", "在", "作",
              "说", "讲", "对", "以", "为", "到", "赴", "率", "和", "与", "及", "等", "也", "还", "又", "并", "于",
              "向", "是", "主", "出", "任", "的", ",", "。", ":", ";", "、", "(", "“")
# Single characters that, right after a name, start what follows it (王凯|作工作部署, 李强|在会上).
_CUE_CHARS = set("在和与及等作说讲对就以为到向率是的也又再并于赴")

# A head of government's post (市长, 常务副县长): it ranks after 书记 unless it is a deputy's.
_GOV_HEAD_END = re.compile(r"(?:省|市|县|区|州|旗|盟|镇|乡)长$")
# A transliterated name: 雪克来提·扎克尔.
_TRANSLITERATED = re.compile(r"[\u4e00-\u9fff]{1,8}·(?P<given>[\u4e00-\u9fff]{1,8})")

_SECRETARY = re.compile(r"^(?:省委|市委|自治区党委|区党委|党委)书记$")
_GOVERNOR = re.compile(r"^(?:代)?(?:省长|市长)$|^(?:自治区|区)(?:人民)?(?:政府)?主席$")


@dataclass(frozen=True)
class PostedPerson:
    """A leader found in the text, with every post written before the name and where it was."""

    name: str
    posts: tuple[str, ...]
    principal: str
    place_prefix: str  # the place written before the first post (双鸭山 in 双鸭山市委书记), or ""
    start: int


@lru_cache(maxsize=1)
def surnames() -> tuple[frozenset[str], frozenset[str]]:
    """(single-character surnames, two-character surnames) from ``data/surnames.txt``."""
    text = resources.files("extractor").joinpath("data", "surnames.txt").read_text(encoding="utf-8")
    single: set[str] = set()
    double: set[str] = set()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("compound:"):
            double.update(line.split(":", 1)[1].split())
        else:
            single.update(ch for ch in line if "\u4e00" <= ch <= "\u9fff")
    return frozenset(single), frozenset(double)


def post_rank(post: str) -> int:
    """Lower is more principal: 书记 < 省长/市长 < 副书记 < 常务副 < 常委 < 副职 < 组长 and the rest."""
    if post.endswith("书记") and not post.endswith("副书记"):
        return 0
    if _GOV_HEAD_END.search(post) and "副" not in post:
        return 1
    if post.endswith("主席") and "副" not in post and ("自治区" in post or "区政府" in post):
        return 1
    if post.endswith("副书记"):
        return 2
    if "常务副" in post:
        return 3
    if post.endswith("常委"):
        return 4
    if "副" in post:
        return 5
    return 6


_MULTI_CUES = tuple(c for c in _NAME_CUES if len(c) > 1)
# Words that, right after a post, are what the person did and not who they are (县长|强调).
_NOT_NAMES = frozenset({"强调", "指出", "要求", "主持", "表示", "讲话", "出席", "参加", "召开", "部署", "提出", "传达",
                        "通报", "介绍", "总结", "希望", "带队", "调研", "检查", "督导", "批示", "致辞", "宣布"})


def _name_lengths(rest: str) -> tuple[int, ...]:
    """The lengths a name at the start of ``rest`` may have, by its surname: (4, 3), (3, 2) or ()."""
    single, double = surnames()
    if rest[:2] in double:
        return (4, 3)
    if rest[:1] in single:
        return (3, 2)
    return ()


def _candidates(rest: str, after: str) -> set[str]:
    """The strings whose counts in the text ``_pick_name`` weighs for the name at ``rest``."""
    if _TRANSLITERATED.match(rest):
        return set()
    tail = rest + after
    out = set()
    for n in _name_lengths(rest):
        if len(rest) >= n:
            out.add(rest[:n])
            out.add(tail[:n + 1])
    return out


def count_all(text: str, strings: set[str]) -> dict[str, int]:
    """How often each of ``strings`` occurs in ``text``, in one pass over the text per length (not
    one ``text.count`` per string, which grows with the text times the leaders found in it)."""
    if len(text) * len(strings) <= 1_000_000:  # a short notice: counting each is cheaper than compiling
        return {string: text.count(string) for string in strings}
    counts = dict.fromkeys(strings, 0)
    by_length: dict[int, list[str]] = {}
    for string in strings:
        if string:
            by_length.setdefault(len(string), []).append(string)
    for group in by_length.values():
        # Strings of one length: at most one matches at a position, so the search resumes one
        # character after each match and overlapping occurrences are all counted.
        search = re.compile("|".join(map(re.escape, sorted(group)))).search
        m = search(text)
        while m:
            counts[m.group()] += 1
            m = search(text, m.start() + 1)
    return counts


def _pick_name(rest: str, counts: dict[str, int], after: str) -> str:
    """The name at the start of ``rest`` (2–4 characters), or "" when it does not look like a name.
    ``counts`` holds how often each string of ``_candidates(rest, after)`` occurs in the text."""
    m = _TRANSLITERATED.match(rest)
    if m:  # a transliterated name: 雪克来提·扎克尔, cut before the verb that follows it
        given, tail = m["given"], (rest + after)[m.start("given"):]
        for n in range(1, len(given) + 1):
            if tail[n:].startswith(_NAME_CUES) or n == len(given):
                return rest[:m.start("given") + n]
    tail = rest + after
    lengths = _name_lengths(rest)
    if not lengths:
        return ""
    best, best_score = "", -99
    for n in lengths:
        if len(rest) < n:
            continue
        name = rest[:n]
        follow = tail[n:]
        if name[:2] in _NOT_NAMES:  # a speech verb after a post is not a name: 县长|强调
            continue
        score = 0
        if follow == "" or follow.startswith(_NAME_CUES):
            score += 2
        if n == lengths[0]:
            # the last character begins the verb instead: 李强主|持 → 李强|主持, 王凯作 → 王凯|作
            if name[-1] in _CUE_CHARS or (name[-1] + follow).startswith(_MULTI_CUES):
                score -= 2
            if counts.get(name, 0) >= 2:
                score += 1
        else:
            longer = tail[: n + 1]
            if counts.get(name, 0) > counts.get(longer, 0):  # also written without the next character
                score += 1
        if score > best_score:
            best, best_score = name, score
    return best if best_score >= 1 else ""


def find_leaders(text: str, place_prefix_of=None) -> list[PostedPerson]:
    """People named with a post, in order of first appearance, one entry per name.

    ``place_prefix_of(text, start)`` may return the place written just before a post
    (``双鸭山`` before ``市委书记``) so it can be stripped from the post.
    """
    matches = []
    wanted: set[str] = set()
    for sent_start, sentence in _sentences_with_heads(text):
        if _is_attendance(sentence):
            continue
        for m in POST_CHAIN.finditer(sentence):
            after = sentence[m.end():m.end() + 4]
            matches.append((sent_start, sentence, m, after))
            wanted |= _candidates(m.group("rest"), after)
    counts = count_all(text, wanted)
    found: dict[str, PostedPerson] = {}
    for sent_start, sentence, m, after in matches:
        name = _pick_name(m.group("rest"), counts, after)
        if not name:
            continue
        posts = _clean_posts(m.group("chain").split("、"))
        if not posts:
            continue
        prefix = place_prefix_of(sentence, m.start()) if place_prefix_of else ""
        principal = min(posts, key=post_rank)
        if name in found:
            continue
        found[name] = PostedPerson(name=name, posts=tuple(posts), principal=principal,
                                   place_prefix=prefix, start=sent_start + m.start())
    return list(found.values())


def _clean_posts(posts: list[str]) -> list[str]:
    out = []
    for post in posts:
        post = post.strip()
        if len(post) < 2:
            continue
        out.append(post)
    return out


_SENTENCE = re.compile(r"[^。!?;\n]+[。!?;]?")


def _sentences_with_heads(text: str):
    """(start, sentence) of the sentences of ``text`` (``_SENTENCE`` matches) that contain a post's
    head word; a line without one is not split at all (no sentence crosses a line)."""
    line_start = 0
    for line in text.split("\n"):
        head = _HEAD_HINT.search(line)
        if head:
            for m in _SENTENCE.finditer(line):
                if m.end() <= head.start():  # before the next head word
                    continue
                yield line_start + m.start(), m.group(0)
                head = _HEAD_HINT.search(line, m.end())
                if head is None:
                    break
        line_start += len(line) + 1


def _is_attendance(sentence: str) -> bool:
    s = sentence.strip()
    if not _ATTENDANCE_END.search(s):
        return False
    if _SPEECH.search(s):
        return False
    return True


# -- province-level leaders (data/leaders.csv) ------------------------------------------------

@dataclass(frozen=True)
class Term:
    province: str
    post: str  # secretary | governor
    name: str
    start: dt.date
    end: dt.date | None


@lru_cache(maxsize=1)
def provincial_terms() -> dict[tuple[str, str], tuple[Term, ...]]:
    """(name, post kind) → terms, from ``data/leaders.csv``."""
    text = resources.files("extractor").joinpath("data", "leaders.csv").read_text(encoding="utf-8")
    return parse_terms(text)


def parse_terms(text: str) -> dict[tuple[str, str], tuple[Term, ...]]:
    """The rows of a leader table (``#`` comment lines, then CSV with at least province, post,
    name, start and end; further columns such as a row's source are kept out of the terms)."""
    rows = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    out: dict[tuple[str, str], list[Term]] = {}
    for row in csv.DictReader(io.StringIO("\n".join(rows))):
        end = (row.get("end") or "").strip()
        term = Term(province=row["province"].strip(), post=row["post"].strip(), name=row["name"].strip(),
                    start=dt.date.fromisoformat(row["start"].strip()),
                    end=dt.date.fromisoformat(end) if end else None)
        out.setdefault((term.name, term.post), []).append(term)
    return {k: tuple(v) for k, v in out.items()}


def post_kind(post: str) -> str:
    """secretary / governor for a province-level post as written (省委书记, 市长, 自治区主席), else ""."""
    if _SECRETARY.match(post):
        return "secretary"
    if _GOVERNOR.match(post):
        return "governor"
    return ""


def lookup_provincial(name: str, post: str, when: dt.date | None, slack_days: int = 120) -> Term | None:
    """The province-level term of ``name`` in ``post`` (市委书记, 省长 …) around ``when``.

    A 市委书记 or 市长 matches only a municipality (北京 天津 上海 重庆), a 省委书记 or 省长 only a
    province, so the post as written must agree with the unit. Without a date, a name with one
    term is enough; with a date, the term containing it (give or take ``slack_days``) wins.
    """
    kind = post_kind(post)
    if not kind:
        return None
    terms = [t for t in provincial_terms().get((name, kind), ()) if _post_fits_unit(post, t.province)]
    if not terms:
        return None
    if when is None:
        return terms[0] if len({t.province for t in terms}) == 1 else None
    slack = dt.timedelta(days=slack_days)

    def distance(t: Term) -> int:
        end = t.end or dt.date.max
        if t.start <= when <= end:
            return 0
        return (t.start - when).days if when < t.start else (when - end).days

    best = min(terms, key=distance)
    return best if dt.timedelta(days=distance(best)) <= slack else None


def _post_fits_unit(post: str, province: str) -> bool:
    post = post.removeprefix("代")
    if post.startswith(("自治区", "区党委", "区政府", "区人民政府")):
        return province.endswith("自治区")
    if post.startswith("省"):
        return province.endswith("省")
    if post.startswith(("市", "代市")):
        return province in {"北京市", "天津市", "上海市", "重庆市"}
    if post.startswith("党委"):
        return province.endswith("自治区")
    return False
