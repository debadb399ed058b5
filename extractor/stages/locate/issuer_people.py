"""The issuing body and who chairs: the meeting or body as written, the level its own words give
(市委…, 我区…, 全县…, a development zone), and the leader who chairs or speaks first (a relayed
speech does not chair). Post chains and the leader table are in ``extractor.stages.locate.people``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.stages.locate.people import PostedPerson
from extractor.stages.locate.dates import _TEXT_DATE, _TEXT_DATE_HINT
from extractor.stages.locate.places import Gazetteer, Place
from extractor.stages.locate.ruleset import load_locate_rules, rule_pattern
from extractor.stages.locate.sentences import (
    _AFTER_CLAUSE,
    _CLAUSE_BREAK,
    _GENERIC_MEETING,
    _MEETING_NOUN_END,
    _MEETING_OBJECT,
    _MEETING_VERB,
    _RELAY_VERB,
    _STRICT_ORGAN,
    _sentences,
)


# A level word at the start of a body or meeting name: 市疫情防控…, 全市…, 省委…, 中共县委….
_LEVEL_START = rule_pattern("level_start")
_LEVEL_OF = {"自治区": "province", "省": "province", "市": "city", "州": "city", "盟": "city",
             "县": "county", "区": "county", "旗": "county", "镇": "township", "乡": "township", "街道": "township",
             "社区": "township", "村": "township"}
# The end of a body's name: 领导小组, 指挥部, 市委, 市政府 ….
_BODY_END = rule_pattern("body_end")
# A report's lede before its first clause: 本报讯, 本网讯, 宁德网消息.
_SELF_LEDE = rule_pattern("self_lede")
_BELOW = {"province": "city", "city": "county", "county": "township"}
# A place as the subject of a meeting verb: 南翔镇召开…, 嘉善县召开….
_PLACE_SUBJECT = rule_pattern("place_subject")
# A subject that is one body, not a list (市委、市政府).
_SINGLE_BODY = rule_pattern("single_body")
# A township or street name at the start of a body or meeting name: 南翔镇…, 中山街道….
_TOWN_START = rule_pattern("town_start")
# Filler between a subject and its verb: 接连, 再次, 今天(2月5日), 以视频会议形式, 上午.
_SUBJECT_FILLER = rule_pattern("subject_filler")
_BRACKETED = rule_pattern("bracketed")
# A subject that is an organ (市委, 市政府), and one that is a person (市委书记, 同志).
_ORGAN_END = rule_pattern("organ_end")
_PERSON_WORD = rule_pattern("person_word")
# A post of an autonomous region (自治区主席, 区党委书记).
_REGION_POST = rule_pattern("region_post")
_DEPUTY = rule_pattern("deputy")
# Title segments: split a headline at its punctuation.
_TITLE_SPLIT = rule_pattern("title_split")
_TITLE_VERBS = rule_pattern("title_verbs")


@dataclass
class _Issuer:
    text: str = ""
    evidence: str = ""
    subject: str = ""
    sentence: str = ""  # the sentence that dates it, when it is not the first meeting sentence


def _title_issuer(title: str, gaz: Gazetteer | None) -> str:
    for seg in _TITLE_SPLIT.split(title):
        if not (4 <= len(seg) <= 40) or _TITLE_VERBS.search(seg):
            continue
        if not _MEETING_NOUN_END.search(seg):
            continue
        if _LEVEL_START.match(seg) or (gaz and gaz.name_at_start(seg)):
            return seg
    return ""


def _subject(before: str) -> str:
    """The body before a meeting verb: the last clause, without dates and filler."""
    clause = _CLAUSE_BREAK.split(before)[-1]
    if _TEXT_DATE_HINT.search(clause):
        clause = _TEXT_DATE.sub("", clause)
    clause = _BRACKETED.sub("", clause)
    for _ in range(3):
        clause = _SUBJECT_FILLER.sub("", clause).strip()
    return clause


def find_issuer(title: str, body: str, gaz: Gazetteer | None = None) -> _Issuer:
    """The meeting or body as written: a meeting named in the title, else in the meeting sentence.
    A meeting verb in a clause that only dates the main one (…会议召开后,县委随即召开…) is passed
    over, and a meeting written as the subject is taken only when no later sentence names a body."""
    seg = _title_issuer(title, gaz)
    if seg:
        return _Issuer(seg, "title", seg)
    fallback = _Issuer()
    national = load_locate_rules().rx("national_body")
    relayed: _Issuer | None = None  # a central body's meeting, which a local one may follow
    for sentence in _sentences(body):
        for verb in _MEETING_VERB.finditer(sentence):
            if _AFTER_CLAUSE.match(sentence, verb.end()) and _MEETING_VERB.search(sentence, verb.end()):
                continue
            found = _issuer_at(sentence, verb, gaz)
            if found is None:
                break
            if found.evidence.endswith("(meeting as subject)"):
                if not fallback.text:
                    fallback = found
                break
            if relayed is None and national.match(_subject(sentence[:verb.start()])):
                # 国务院联防联控机制召开…会议。会后,县委召开…: the local meeting, when one follows
                relayed = found
                break
            if relayed is not None:
                if not (level_of(found.text, gaz)[0] or level_of(found.subject, gaz)[0]):
                    break
                found.sentence = sentence
            return found
    if relayed is not None:
        return relayed
    if not fallback.text and title:  # the headline as the meeting sentence: 鄂州召开疫情防控工作会议
        for verb in _MEETING_VERB.finditer(title):
            found = _issuer_at(title, verb, gaz)
            if found is not None:
                return _Issuer(found.text, "title", found.subject)
            break
    return fallback


def _issuer_at(sentence: str, verb: re.Match, gaz: Gazetteer | None) -> _Issuer | None:
    raw = _subject(sentence[:verb.start()])
    subject = raw if _is_body(raw, gaz) else ""
    m = _MEETING_OBJECT.search(sentence, verb.start())
    obj = m["obj"] if m else ""
    if obj and not _GENERIC_MEETING.match(obj):
        if subject and _SINGLE_BODY.search(subject) and not _names_a_body(obj, gaz):
            # 省委|召开|新冠肺炎疫情防控工作专题会议 → 省委新冠肺炎疫情防控工作专题会议
            return _Issuer(subject + obj, "meeting sentence", subject)
        return _Issuer(obj, "meeting sentence", subject)
    if subject:
        bare = obj == "会议" and _ORGAN_END.search(subject)  # 市委召开会议 → 市委
        if obj and not bare and _SINGLE_BODY.search(subject):  # one body: 市委 + 常委会扩大会议
            return _Issuer(subject + obj, "meeting sentence", subject)
        return _Issuer(subject, "meeting sentence", subject)
    # the meeting as the subject: 全市防汛工作会议今天在市行政中心召开 (not a list of upper
    # meetings relayed: 全国、全省…会议以视频形式召开)
    meeting = _SELF_LEDE.sub("", raw)
    if not obj and meeting and len(meeting) <= 40 and "、" not in meeting \
            and _MEETING_NOUN_END.search(meeting) and not _PERSON_WORD.search(meeting):
        return _Issuer(meeting, "meeting sentence (meeting as subject)", meeting)
    return None


# A body named by its level word alone: 街道|召开…, 县|召开….
_BARE_LEVEL = rule_pattern("bare_level")


def _is_body(subject: str, gaz: Gazetteer | None = None) -> bool:
    if not subject or len(subject) > 40:
        return False
    if _PERSON_WORD.search(subject):
        return False
    if _BODY_END.search(subject) or _PLACE_SUBJECT.fullmatch(subject) or _BARE_LEVEL.match(subject):
        return True
    if load_locate_rules().rx("unit_type").fullmatch(subject):  # 红星农场|召开…
        return True
    if gaz is None:
        return False
    # a short name alone or with a zone: 益阳|召开…, 永春台湾农民创业园|召开…
    hit = gaz.alias_at_start(subject)
    if hit:
        rest = subject[len(hit[0]):]
        return not rest or bool(_zone_end(rest))
    return bool(gaz.name_at_start(subject) and _zone_end(subject))


def _zone_end(rest: str) -> re.Match | None:
    """A development zone or park at the end of ``rest`` (台湾农民创业园, 经济开发区管委会)."""
    if len(rest) > 16:
        return None
    m = None
    for m in load_locate_rules().rx("zone").finditer(rest):
        pass
    return m if m is not None and (m.end() == len(rest) or _BODY_END.match(rest, m.end())
                                   or _STRICT_ORGAN.match(rest, m.end())) else None


def _names_a_body(name: str, gaz: Gazetteer | None) -> bool:
    """A meeting name that says whose it is: 省委…, 全市…, 市委常委会…, 宁波市…."""
    return bool(_LEVEL_START.match(name) or (gaz and gaz.name_at_start(name)))


def level_of(name: str, gaz: Gazetteer | None = None) -> tuple[str, tuple[str, list[Place]] | None]:
    """(level, explicit place) of a body or meeting name: 市疫情防控… → city; 双鸭山市委… → 双鸭山市;
    我区… → county; 益阳新冠疫情防控… → 益阳市; 永春台湾农民创业园… → township of 永春县;
    青山湖管理区… → county, as written (a unit type that is a level, a name the gazetteer lacks)."""
    if not name:
        return "", None
    stripped = name.removeprefix("中共")
    rules = load_locate_rules()
    unit = _unit(stripped, gaz)
    if unit is not None:
        return unit
    if gaz is not None:
        for hit, full in ((gaz.name_at_start(stripped), True), (gaz.alias_at_start(stripped), False)):
            if not hit:
                continue
            rest = stripped[len(hit[0]):]
            # a short name then a level character is another unit's name: 城关|镇 is not 城关区
            if not rest or rules.organ_regex.match(rest) or (full and _LEVEL_START.match(rest)):
                return _place_level(hit[1]), hit
            if _zone_in(rest):
                return _BELOW.get(_place_level(hit[1]), ""), hit
    m = rules.rx("self_reference").match(name) or _LEVEL_START.match(name)
    if m:
        level = _LEVEL_OF[m["lv"]]
        rest = name[m.end():]
        if not rules.organ_regex.match(rest) and _zone_in(rest):  # 县经济开发区… is below the county
            return _BELOW.get(level, level), None
        return level, None
    m = _TOWN_START.match(stripped)
    if m and gaz is not None and m["town"] in gaz.towns:
        return "township", None
    if rules.rx("village").match(stripped):
        return "township", None
    return "", None


def _unit(name: str, gaz: Gazetteer | None) -> tuple[str, tuple[str, list[Place]] | None] | None:
    """A unit whose type is a level of its own (青山湖管理区: county; 红光农场: township) that the
    gazetteer does not hold: its level, and at county level the unit as written, with no city or
    province (nothing on the name says them)."""
    rules = load_locate_rules()
    m = rules.rx("unit_type").match(name)
    if not m or (gaz is not None and (m["name"] in gaz.by_name or gaz.name_at_start(name))):
        return None
    rest = name[m.end():]
    if rest and not (rules.organ_regex.match(rest) or _MEETING_NOUN_END.search(rest) or _BODY_END.search(rest)):
        return None
    level = rules.unit_levels.get(m["unit"], "")
    if level == "county":
        return level, (m["name"], [Place(m["name"], "", "", m["name"], "county")])
    return (level, None) if level else None


def _zone_in(rest: str) -> bool:
    """Whether a name goes on with a development zone (台湾农民创业园…, 经济开发区党工委…)."""
    m = load_locate_rules().rx("zone").search(rest[:16])
    return bool(m) and not re.search(r"[,。、;:]", rest[:m.start()])


def _place_level(places: list[Place]) -> str:
    return places[0].level if places else ""


def _post_level(post: str) -> str:
    post = _DEPUTY.sub("", post)  # 副市长, 常务副县长, 代区长: the level of the post they deputise
    m = _REGION_POST.match(post)
    if m:
        return "province"
    m = _LEVEL_START.match(post)
    return _LEVEL_OF[m["lv"]] if m else ""


def _strip_place(person: PostedPerson) -> str:
    post = person.principal
    if person.place_prefix and len(post) > 1 and post[0] == post[1]:
        post = post[1:]
    return post


def _as_written(place: str, post: str) -> str:
    """双鸭山市 + 市委书记 → 双鸭山市委书记 (the level character is shared)."""
    for k in range(min(len(place), len(post)), 0, -1):
        if place.endswith(post[:k]):
            return place + post[k:]
    return place + post


def _chair(people: list[PostedPerson], text: str) -> PostedPerson | None:
    """The leader who chairs or speaks first: the first one named in the first paragraphs whose
    speech is not only relayed (传达学习了省委书记X的讲话精神)."""
    head = text[:600]
    for person in people:
        if person.start < len(head) and not _relayed(person, text):
            return person
    return None


_RELAYED_SPEECH = rule_pattern("relayed_speech")


def _relayed(person: PostedPerson, text: str) -> bool:
    at = text.find(person.name, person.start)
    if at < 0:
        return False
    if _RELAYED_SPEECH.match(text, at + len(person.name)):
        return True
    clause_start = max(text.rfind(c, 0, person.start) for c in "。;\n,") + 1
    return bool(_RELAY_VERB.search(text, clause_start, person.start))
