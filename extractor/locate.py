"""locate: document metadata (codebook §3) — where, when and who — from a cleaned page.

``locate(cleaned, loaded)`` fills ``Metadata``: title and outlet, publication date (from the page's
own datelines), meeting date (resolved against the publication date), issuing body, leaders, and
the jurisdiction of the body that held the meeting. Every inferred field records its evidence in
``Metadata.evidence`` (``"city": "outlet:中国宁波网"``).

Places come from jionlp's gazetteer of administrative divisions (loaded once, matched by name
here, so any county resolves to its city and province); relative dates (今天, 昨天, 周三) are
resolved with jionlp's ``parse_time``. Word lists live in ``rules/locate.yaml``; who held a
province-level post when is in ``data/leaders.csv``. Nothing is downloaded and nothing heavy
happens at import time: jionlp is imported on first use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .models import Cleaned, Leader, Loaded, Metadata
from .people import PostedPerson, find_leaders, lookup_provincial, post_kind
from .rules import Examples, _check_regex, packaged_rule_text, read_yaml, validate_file

log = logging.getLogger(__name__)

LEADERS_CSV = "data/leaders.csv"
MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})

# -- regular expressions: building blocks ---------------------------------------------------

# A page date: 2020-05-25, 2020/05/25, 2020.05.25 or 2020年04月21日 (time, if any, is ignored).
_PAGE_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*"
                        r"(?:[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?!\d)"
                        r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日)")
# What may stand before an unlabelled dateline: an outlet and a crawler's tag, no prose
# (中国宁波网 [采集] 2020-05-25 20:01:00 …).
_STAMP_BEFORE = re.compile(r"[^,。;!?:]{0,30}")
# What makes a date a "today" line rather than a dateline: 2025年5月29日 星期四, 今天是2025年5月29日.
_WEEKDAY_AFTER = re.compile(r"^\s*(?:(?:星期|周|礼拜)[一二三四五六日天]|农历)")
_TODAY_BEFORE = re.compile(r"(?:今天是|今日是|今天|今日|当前日期|当前时间|现在是)\s*:?\s*$")
# A date in running text: 2021年12月7日, 5月25日, 7日 (not 3日内 / 5日前 / 10日以来).
_TEXT_DATE = re.compile(
    r"(?:(?P<y>(?:19|20)\d{2}) ?年 ?)?(?:(?P<m>\d{1,2}) ?月 ?(?P<d>\d{1,2}) ?[日号]|(?<![\d月])(?<!月 )(?P<d_only>\d{1,2}) ?日)"
    r"(?!内|以来|起|至今|前|后|左右|之前|之后)"
    r"|(?P<cn>[〇零一二三四五六七八九十]{1,3}月[〇零一二三四五六七八九十]{1,3}[日号])"
    r"|(?P<rel>今天|今日|昨天|昨日|前天|当天|当日|今晨|今早|今晚|昨晚|昨晨|本周[一二三四五六日天]"
    r"|上周[一二三四五六日天]|周[一二三四五六日天]|星期[一二三四五六日天])")
# What every such date contains: a digit, 月, or a character of a relative word. Text without one
# is not searched: _TEXT_DATE tries its many branches at every character.
_TEXT_DATE_HINT = re.compile(r"[\d月今昨前当周星]")
# A date in brackets after a relative one: 今天(2月5日).
_BRACKET_DATE = re.compile(r"^\((?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日\)")
# A verb that holds a meeting: 召开, 主持召开, 举行.
_MEETING_VERB = re.compile(r"主持召开|组织召开|召开|举行|举办|主持")
# Where a lede dates a meeting: before its verb, or before the meeting as subject (12月7日,市委常委会会议传达…).
_MEETING_MENTION = re.compile(r"主持召开|组织召开|召开|举行|举办|主持|会议|例会|常委会")
# A year written in a meeting sentence (召开2021年第一次全体会议): the year of a date without one
# when the page gives no publication date.
_CLAUSE_YEAR = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})年")
# Words that name a meeting: 会议, 例会, 常委会, 专题会 …
_MEETING_NOUN = (r"(?:会议|例会|常委会|专题会|调度会|推进会|部署会|视频会|电视电话会|座谈会|工作会|联席会|碰头会|"
                 r"办公会|会商会|动员会|全会)")
# The meeting named after the verb: 召开|市委十一届九十次常委会会议暨市应对新冠肺炎疫情工作领导小组会议.
_MEETING_OBJECT = re.compile(rf"(?:主持召开|组织召开|召开|举行|举办|主持)了?(?P<obj>[^,。;:!?()“”]{{0,60}}{_MEETING_NOUN})")
# A meeting noun with no body in it: 会议, 例会, 工作例会, 专题会议, 第九次会议.
_GENERIC_MEETING = re.compile(rf"^(?:常委会|常务会|专题|工作|全体|扩大|紧急|视频|电视电话|调度|部署|推进|联席|常务|例行|"
                              rf"第?[\d一二三四五六七八九十百]+次|[\d一二三四五六七八九十]+届)*{_MEETING_NOUN}$")
# A level word at the start of a body or meeting name: 市疫情防控…, 全市…, 省委…, 中共县委….
_LEVEL_START = re.compile(r"^(?:中共)?全?(?P<lv>自治区|省|市|县|区|州|盟|旗|镇|乡|街道)")
_LEVEL_OF = {"自治区": "province", "省": "province", "市": "city", "州": "city", "盟": "city",
             "县": "county", "区": "county", "旗": "county", "镇": "township", "乡": "township", "街道": "township"}
# The end of a body's name: 领导小组, 指挥部, 市委, 市政府 ….
_BODY_END = re.compile(r"(?:领导小组|指挥部|委员会|常委会|安委会|管委会|防指|工作组|专班|党组|办公室|小组|委|政府|党工委|办事处)$")
# A report's lede before its first clause: 本报讯, 本网讯, 宁德网消息.
_SELF_LEDE = re.compile(r"^(?:本[报网台站刊]讯|讯)")
_BELOW = {"province": "city", "city": "county", "county": "township"}
# A place as the subject of a meeting verb: 南翔镇召开…, 嘉善县召开….
_PLACE_SUBJECT = re.compile(r"[\u4e00-\u9fff]{1,8}(?:省|市|县|区|州|盟|旗|镇|乡|街道)")
# A subject that is one body, not a list (市委、市政府).
_SINGLE_BODY = re.compile(r"^[^、和及与]+$")
# A township or street name at the start of a body or meeting name: 南翔镇…, 中山街道….
_TOWN_START = re.compile(r"^(?P<town>[\u4e00-\u9fff]{1,8}?(?:镇|乡|街道))")
# Filler between a subject and its verb: 接连, 再次, 今天(2月5日), 以视频会议形式, 上午.
_SUBJECT_FILLER = re.compile(r"(?:紧接着|紧接著|接着|赓即|随后|接连|再次|连夜|专门|紧急|随即|立即|迅速|分别|先后|又|再|也|还|于|在\S{0,10}?|"
                             r"以\S{0,10}?形式|通过视频|凌晨|清晨|早晨|早上|上午|中午|下午|傍晚|晚上|晚间|深夜|晚)$")
# A name that ends in a meeting noun (a title segment that names a meeting).
_MEETING_NOUN_END = re.compile(f"{_MEETING_NOUN}$")
# Where the clause before a meeting verb begins, and what is bracketed in it.
_CLAUSE_BREAK = re.compile(r"[,:;]")
_BRACKETED = re.compile(r"\([^)]*\)")
# A subject that is an organ (市委, 市政府), and one that is a person (市委书记, 同志).
_ORGAN_END = re.compile(r"(?:委|政府)$")
_PERSON_WORD = re.compile(r"书记|[省市县区镇乡]长|主任|组长|同志")
# A post of an autonomous region (自治区主席, 区党委书记).
_REGION_POST = re.compile(r"(?:自治区|区党委)")
_DEPUTY = re.compile(r"^(?:常务副|副|代)")
# A site name in Latin letters only (a domain, not a name).
_LATIN_WORD = re.compile(r"[A-Za-z.\-]+")
# Title segments: split a headline at its punctuation.
_TITLE_SPLIT = re.compile(r"[:|!?,\s—–]+")
_TITLE_VERBS = re.compile(r"召开|举行|部署|研究|强调|要求|收听|收看|传达|学习|贯彻|听取|主持|指出")
# Outlet in a label line: 稿源: 中国宁波网 2020-05-25 …, 来源:双鸭山日报.
_SOURCE_LABEL = re.compile(r"(?P<label>稿源|信息来源|文章来源|新闻来源|来源|转载自)\s*[:\s]\s*"
                           r"(?P<name>[^\s:|,、()\[\]【】]{2,30}?)"
                           r"(?=\s|$|[|()\[\]【】]|(?:19|20)\d{2}|时间|日期|发布|作者|编辑|点击|浏览|字号|报料)")
# Outlet in a byline: 中国宁波网记者 徐展新.
_BYLINE = re.compile(r"^\(?(?P<name>[^\s:()]{2,15}?)(?:首席|资深)?(?:记者|通讯员|特约记者|融媒体记者)")
# Site name in a footer: 版权所有:沈丘县政府网2011-2025, 中国宁波网(…)版权所有.
_COPYRIGHT_AFTER = re.compile(r"版权所有\s*[:\s]?\s*(?:\(C\)|©)?\s*(?P<name>[^\s\d(),:©|]{2,30})")
_COPYRIGHT_BEFORE = re.compile(r"(?P<name>[^\s\d(),:©|]{2,30})\s*(?:\([^)]*\))?\s*版权所有")
_SPONSOR = re.compile(r"主办(?:单位)?\s*[:\s]\s*(?P<name>[^\s:|]{2,30})")
# ICP备 and Copyright in any case, spelled out: under re.I no branch starts with a plain character,
# so the engine cannot skip ahead to the characters that can start a match and tries every branch
# at every position of every page line. İ and ı are what re.I also takes for I.
_FOOTER_LINE = re.compile(r"版权所有|主办|I[Cc][Pp]备|i[Cc][Pp]备|İ[Cc][Pp]备|ı[Cc][Pp]备|公网安备|网站标识码|"
                          r"C[Oo][Pp][Yy][Rr][Iiİı][Gg][Hh][Tt]|c[Oo][Pp][Yy][Rr][Iiİı][Gg][Hh][Tt]")
# Footer codes that carry an administrative division code: 豫公网安备41162402000128号, 网站标识码4116240001.
_POLICE_CODE = re.compile(r"公网安备\s*(?P<code>\d{6})\d*")
_SITE_CODE = re.compile(r"网站标识码\s*[:\s]?\s*(?P<code>\d{6})\d{4}")
_ICP = re.compile(r"(?P<abbr>[\u4e00-\u9fff])ICP[备证]")
_SENTENCE = re.compile(r"[^。!?;\n]+[。!?;]?")
# Organs proper, as opposed to topics: 宁波市|委, 沈丘县|人民政府 (not 镇海区|疫情处置).
_STRICT_ORGAN = re.compile(r"委|党委|党工委|人民政府|政府|人大|政协")


# -- rule file ------------------------------------------------------------------------------

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


PATTERN_IDS = ("national_body", "cross_jurisdiction", "zone", "self_reference", "towns_below", "counties_below",
               "outlet_lede", "outlet_credit", "app_promo", "forum_stamp", "agency_dateline", "short_name_venue",
               "breadcrumb", "breadcrumb_place")


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
    province_abbreviations: list[Abbreviation] = Field(min_length=1)
    abbreviation_context: ContextRule
    patterns: dict[str, PatternRule]

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


# -- jionlp, imported lazily and quietly ----------------------------------------------------

@lru_cache(maxsize=1)
def _jio():
    """jionlp, imported on first use (it takes a while and prints banners to stdout)."""
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp
    return jionlp


# -- gazetteer ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """One administrative division with its parents; ``level`` is province, city or county."""

    name: str
    province: str
    city: str = ""
    county: str = ""
    level: str = "county"

    @property
    def is_municipality(self) -> bool:
        return self.province in MUNICIPALITIES


_NAME_SUFFIXES = "省市区县旗州盟"


class Gazetteer:
    """Province, city and county names (full and short) from jionlp's administrative-division data."""

    def __init__(self, tree: dict) -> None:
        self.by_name: dict[str, list[Place]] = {}
        self.by_alias: dict[str, list[Place]] = {}
        self.county_alias: dict[str, list[Place]] = {}
        self.by_code: dict[str, Place] = {}
        for prov, pnode in tree.items():
            if prov.endswith("特别行政区") or prov == "台湾省":
                continue
            if prov in MUNICIPALITIES:
                ptop = Place(prov, prov, prov, "", "province")
            else:
                ptop = Place(prov, prov, "", "", "province")
            self._add(self.by_name, prov, ptop)
            for alias in _aliases(pnode.get("_alias")):
                self._add(self.by_alias, alias, ptop)
            self.by_code.setdefault(pnode.get("_admin_code", ""), ptop)
            for city, cnode in pnode.items():
                if city.startswith("_"):
                    continue
                direct = city.endswith("直辖行政区划")
                if prov in MUNICIPALITIES:
                    ctop = ptop
                elif direct:
                    ctop = None
                else:
                    ctop = Place(city, prov, city, "", "city")
                    self._add(self.by_name, city, ctop)
                    for alias in _aliases(cnode.get("_alias")):
                        self._add(self.by_alias, alias, ctop)
                    self.by_code.setdefault(cnode.get("_admin_code", ""), ctop)
                for county, knode in cnode.items():
                    if county.startswith("_") or county[-1] not in _NAME_SUFFIXES:
                        continue
                    if direct:  # a county-level unit under the province (济源市, 仙桃市, 神农架林区)
                        place = Place(county, prov, "", county, "county")
                    else:
                        place = Place(county, prov, ctop.city, county, "county")
                    self._add(self.by_name, county, place)
                    for alias in _aliases(knode.get("_alias")):
                        if len(alias) >= 2:
                            self._add(self.county_alias, alias, place)
                    self.by_code.setdefault(knode.get("_admin_code", ""), place)
        self.max_len = max(map(len, self.by_name))
        self._suffix = re.compile(f"[{_NAME_SUFFIXES}]")
        # The lengths of the names that end in each pair of characters, longest first: most
        # characters that could end a name end none, and the rest only a few lengths.
        ending: dict[str, set[int]] = {}
        for name in self.by_name:
            ending.setdefault(name[-2:], set()).add(len(name))
        self._lengths_ending = {tail: tuple(sorted(lengths, reverse=True))
                                for tail, lengths in ending.items()}
        # Where a name of two or more characters can end: a suffix character after one that comes
        # before it in some name (宁波|市, 镇海|区). The regex engine finds these; a Python step at
        # every 市 and 区 of the text cost more than the lookups.
        before: dict[str, set[str]] = {}
        for tail in self._lengths_ending:
            if len(tail) == 2 and tail[1] in _NAME_SUFFIXES:
                before.setdefault(tail[1], set()).add(tail[0])
        ends = [f"{suffix}(?<=[{re.escape(''.join(sorted(chars)))}]{suffix})" for suffix, chars in before.items()]
        self._name_end = re.compile("|".join(ends) or "(?!)")
        # A site names the same outlet on every page: each name is read once.
        self._outlet_places = lru_cache(maxsize=4096)(self._read_outlet_places)

    @staticmethod
    def _add(index: dict[str, list[Place]], key: str, place: Place) -> None:
        lst = index.setdefault(key, [])
        if place not in lst:
            lst.append(place)

    def names_in(self, text: str, min_len: int = 3) -> list[tuple[int, int, str, list[Place]]]:
        """Full names in ``text`` as (start, end, name, places), longest name at each end position."""
        out = []
        last_end = -1
        by_name, lengths_ending = self.by_name, self._lengths_ending
        for m in (self._name_end if min_len >= 2 else self._suffix).finditer(text):
            end = m.end()
            for n in lengths_ending.get(text[end - 2:end], ()) if end >= 2 else ():
                if n < min_len:
                    break
                start = end - n
                if start < last_end or start < 0:  # do not let a name swallow the tail of the previous one
                    continue
                name = text[start:end]
                places = by_name.get(name)
                if places:
                    out.append((start, end, name, places))
                    last_end = end
                    break
            else:
                if min_len <= 1 and last_end < end:  # a one-character name, when one is asked for
                    places = by_name.get(text[end - 1:end])
                    if places:
                        out.append((end - 1, end, text[end - 1:end], places))
                        last_end = end
        return out

    def name_ending_at(self, text: str, end: int, min_len: int = 2) -> tuple[str, list[Place]] | None:
        """The longest full name that ends exactly at ``end``."""
        if 2 <= end <= len(text) and min_len >= 2:  # only the lengths of names with these last two characters
            for n in self._lengths_ending.get(text[end - 2:end], ()):
                if n < min_len:
                    break
                cand = text[end - n:end]
                if n <= end and cand in self.by_name:
                    return cand, self.by_name[cand]
            return None
        for n in range(min(self.max_len, end), min_len - 1, -1):
            cand = text[end - n:end]
            if cand in self.by_name:
                return cand, self.by_name[cand]
        return None

    def name_at_start(self, text: str, min_len: int = 2) -> tuple[str, list[Place]] | None:
        for n in range(min(self.max_len, len(text)), min_len - 1, -1):
            cand = text[:n]
            if cand in self.by_name:
                return cand, self.by_name[cand]
        return None

    @cached_property
    def _province_city_pairs(self) -> tuple[re.Pattern[str], dict[str, Place]]:
        """A province's short name then one of its cities' (黑龙江绥化, 湖北武汉): one regex, and
        the city each pair names."""
        pairs: dict[str, Place] = {}
        for alias, provinces in self.by_alias.items():
            for prov in provinces:
                if prov.level != "province" or prov.is_municipality or len(alias) < 2:
                    continue
                for city_alias, cities in self.by_alias.items():
                    for city in cities:
                        if city.level == "city" and city.province == prov.province and len(city_alias) >= 2:
                            pairs.setdefault(alias + city_alias, city)
        names = sorted(pairs, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, names)) or "(?!)"), pairs

    def province_city_pairs_in(self, text: str) -> list[tuple[str, Place]]:
        rx, pairs = self._province_city_pairs
        return [(m.group(0), pairs[m.group(0)]) for m in rx.finditer(text)]

    def alias_at_start(self, text: str) -> tuple[str, list[Place]] | None:
        """The longest short name (常德, 漳浦, 黑龙江) that ``text`` starts with, of two or more
        characters, from the gazetteer's own aliases; with the character its full name ends in
        when that follows (恩施州 for 恩施土家族苗族自治州, 长阳县 for 长阳土家族自治县)."""
        for n in (4, 3, 2):
            cand = text[:n]
            if len(cand) < n:
                continue
            places = self.by_alias.get(cand) or self.county_alias.get(cand)
            if places:
                if len(text) > n and all(p.name[-1] == text[n] for p in places):
                    return text[:n + 1], places
                return cand, places
        return None

    def places_in_outlet(self, name: str) -> tuple[str, list[Place]] | None:
        """The place an outlet or site is named after: 中国宁波网 → 宁波市, 沈丘县政府网 → 沈丘县."""
        return self._outlet_places(name)

    def _read_outlet_places(self, name: str) -> tuple[str, list[Place]] | None:
        best: tuple[str, list[Place]] | None = None
        found = self.names_in(name, min_len=2)
        if found:
            _, _, cand, places = max(found, key=lambda f: len(f[2]))
            best = (cand, places)
        for i in range(len(name)):
            for n in (4, 3, 2):
                cand = name[i:i + n]
                places = self.by_alias.get(cand)
                if places is None and name[i + n:i + n + 2] == "融媒":
                    places = self.county_alias.get(cand)
                if places and (best is None or len(cand) > len(best[0])):
                    best = (cand, places)
        return best

    @cached_property
    def towns(self) -> dict[str, list[Place]]:
        """Township and street names (镇, 乡, 街道) → their county, read from jionlp's data file."""
        return _load_towns(self)


def _aliases(value) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer(location_tree())


def _jionlp_data(name: str) -> str:
    """Path of a data file that ships inside the jionlp package, found without importing it."""
    from importlib.util import find_spec

    spec = find_spec("jionlp")
    base = list(spec.submodule_search_locations)[0] if spec and spec.submodule_search_locations else ""
    return os.path.join(base, "dictionary", name)


def jionlp_location_text() -> str:
    """jionlp's ``china_location.txt``, read from the zip archive jionlp ships. jionlp unpacks the
    archive only when it is first imported, so the text file is absent from a fresh install."""
    import zipfile

    with zipfile.ZipFile(_jionlp_data("china_location.zip")) as archive:
        return archive.read("china_location.txt").decode("utf-8")


# Province, city and county lines of jionlp's china_location.txt: 0–2 tabs, name, code, alias.
_LOCATION_LINE = re.compile(r"(?:^|\n)(\t{0,2})([^\t\r\n]+)\t([^\t\r\n]+)\t([^\t\r\n]*)")
DIVISIONS_FILE = "divisions.tsv"
TOWNS_FILE = "towns.tsv"


def location_tree_from_jionlp() -> dict:
    """jionlp's province/city/county tree, as ``jionlp.china_location_loader()`` builds it, read
    straight from jionlp's data (its loader walks all 700,000 lines down to villages)."""
    return _tree(_LOCATION_LINE.findall(jionlp_location_text()))


def _tree(rows) -> dict:
    tree: dict = {}
    prov_node: dict = {}
    city_node: dict = {}
    for tabs, name, code, alias in rows:
        if tabs == "":
            prov_node = tree[name] = {"_full_name": name, "_alias": alias, "_admin_code": code}
        elif tabs == "\t":
            city_node = prov_node[name] = {"_full_name": name, "_alias": alias.split("/"), "_admin_code": code}
        else:
            city_node[name] = {"_full_name": name, "_alias": alias, "_admin_code": code}
    return tree


def render_divisions() -> str:
    """``data/divisions.tsv``: the province, city and county lines of jionlp's gazetteer."""
    rows = _LOCATION_LINE.findall(jionlp_location_text())
    from importlib.metadata import version
    head = ("# Administrative divisions of China down to county level: the province, city and county lines of\n"
            f"# jionlp {version('jionlp')}'s dictionary/china_location.txt, copied by locate.render_divisions().\n"
            "# Columns: depth (0 province, 1 city, 2 county), name, admin code, alias(es).\n"
            "# A test regenerates it from the installed jionlp and fails when the two differ.\n")
    return head + "".join(f"{len(t)}\t{n}\t{c}\t{a}\n" for t, n, c, a in rows)


def render_towns() -> str:
    """``data/towns.tsv``: the township and street names (镇, 乡, 街道 …) of jionlp's gazetteer, one
    line per county: province, city, county (as jionlp writes them), then the towns."""
    from importlib.metadata import version
    out = ["# Townships and streets of China: the fourth-level lines of jionlp "
           f"{version('jionlp')}'s dictionary/china_location.txt,\n"
           "# copied by locate.render_towns(). Columns: province, city, county, towns (space-separated).\n"
           "# A test regenerates it from the installed jionlp and fails when the two differ.\n"]
    prov = city = county = ""
    towns: list[str] = []

    def flush() -> None:
        if county and towns:
            out.append(f"{prov}\t{city}\t{county}\t{' '.join(towns)}\n")

    for line in jionlp_location_text().split("\n"):
        if line.startswith("\t\t\t\t") or not line.strip():
            continue
        name = line.strip().split("\t")[0]
        if line.startswith("\t\t\t"):
            towns.append(name)
            continue
        flush()
        towns = []
        if line.startswith("\t\t"):
            county = name
        elif line.startswith("\t"):
            city, county = name, ""
        else:
            prov, city, county = name, "", ""
    flush()
    return "".join(out)


def _packaged(name: str) -> str:
    from importlib import resources

    return resources.files("extractor").joinpath("data", name).read_text(encoding="utf-8")


def location_tree() -> dict:
    """The gazetteer tree, from the packaged copy of jionlp's province/city/county lines (fast to
    read at start-up), else from jionlp's own data."""
    try:
        text = _packaged(DIVISIONS_FILE)
    except OSError:  # pragma: no cover - the file ships with the package
        return location_tree_from_jionlp()
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            depth, name, code, alias = line.split("\t")
            rows.append(("\t" * int(depth), name, code, alias))
    return _tree(rows)


def _load_towns(gaz: Gazetteer) -> dict[str, list[Place]]:
    """Town name → the counties that have a town of that name, from ``data/towns.tsv``."""
    towns: dict[str, list[Place]] = {}
    try:
        text = _packaged(TOWNS_FILE)
    except OSError as exc:  # pragma: no cover - the file ships with the package
        log.warning("township names unavailable: %s", exc)
        return towns
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        prov, city, county_name, names = line.split("\t")
        if prov in MUNICIPALITIES:
            city = prov
        if county_name.endswith("直辖行政区划"):  # towns straight under a city (东莞市, 中山市)
            county = next((p for p in gaz.by_name.get(city, []) if p.province == prov), None)
        else:
            county = next((p for p in gaz.by_name.get(county_name, [])
                           if p.province == prov and p.city in (city, "")), None)
        if county is None:
            continue
        for name in names.split(" "):
            lst = towns.setdefault(name, [])
            if county not in lst:
                lst.append(county)
    return towns


# -- dates ----------------------------------------------------------------------------------

def _valid_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        date = dt.date(y, m, d)
    except ValueError:
        return None
    return date if 1990 <= y <= 2100 else None


@dataclass
class _Dateline:
    date: dt.date
    rank: int
    after_body: bool
    order: int
    label: str


def find_published(header: str, page: str, body: str, html_date: str = "",
                   rules: LocateRules | None = None) -> tuple[dt.date | None, str]:
    """The page's publication date from its datelines, else from the HTML metadata."""
    rules = rules or load_locate_rules()
    # Only a line with a year in it (19xx, 20xx) can be a dateline: the others are not searched,
    # and the page is not indexed when there is none.
    dated = [(order, line) for order, line in enumerate(header.split("\n")) if "20" in line or "19" in line]
    page_lines = _page_lines(page) if dated else ()
    first_line = body.split("\n", 1)[0] if body else None
    page_index = {}  # where on the page each line looked up below first occurs
    for line in {line for _, line in dated} | {first_line}:
        try:
            page_index[line] = page_lines.index(line)
        except ValueError:
            pass
    first_body = page_index.get(first_line, 10 ** 9) if body else 10 ** 9
    found: list[_Dateline] = []
    for order, line in dated:
        if _split_from_prose(line, page_index, page_lines):
            continue
        after_body = page_index.get(line, -1) > first_body
        prev_end = 0
        for m in _PAGE_DATE.finditer(line):
            date = _valid_date(int(m["y"]), int(m["m"] or m["m2"]), int(m["d"] or m["d2"]))
            before = line[prev_end:m.start()]
            prev_end = m.end()
            if date is None or _WEEKDAY_AFTER.match(line[m.end():]) or _TODAY_BEFORE.search(before):
                continue
            labels = list(rules.label_regex.finditer(before))
            if labels:
                label = labels[-1].group(0)
                rank = rules.label_rank[label]
            elif not line[:m.start()].strip() or len(line) <= 40 or _STAMP_BEFORE.fullmatch(line[:m.start()]):
                anywhere = rules.label_regex.search(line)
                label = anywhere.group(0) if anywhere else "bare"
                rank = rules.label_rank.get(label, 1)
            else:
                continue  # a date inside prose
            found.append(_Dateline(date, rank, after_body, order, label))
    if found:
        best = min(found, key=lambda d: (d.after_body, d.rank, d.order))
        return best.date, f"dateline:{best.label} line"
    stamp = _forum_stamp(header, body, rules)
    if stamp[0] is not None:
        return stamp
    m = _PAGE_DATE.search(html_date or "")
    if m:
        date = _valid_date(int(m["y"]), int(m["m"] or m["m2"]), int(m["d"] or m["d2"]))
        if date:
            return date, "html:date metadata"
    return None, ""


def _forum_stamp(header: str, body: str, rules: LocateRules) -> tuple[dt.date | None, str]:
    """A forum post's own stamp in the first lines: 本帖最后由 X 于 2020-1-31 21:40 编辑, 发表于 …."""
    rx = rules.rx("forum_stamp")
    for line in header.split("\n") + body.split("\n", 12)[:12]:
        if "于" not in line:  # both forms end in 于
            continue
        m = rx.search(line)
        if m:
            d = _PAGE_DATE.match(re.sub(r"\s+", "", m["date"]) + ("日" if "年" in m["date"] else ""))
            date = _valid_date(int(d["y"]), int(d["m"] or d["m2"]), int(d["d"] or d["d2"])) if d else None
            if date:
                return date, f"forum stamp:{m.group(0)}"
    return None, ""


@lru_cache(maxsize=1)
def _page_lines(page: str) -> tuple[str, ...]:
    """A page's lines: split once for both the outlet and the datelines of the notice at hand."""
    return tuple(page.split("\n"))


def _split_from_prose(line: str, page_index: dict[str, int], page_lines: tuple[str, ...]) -> bool:
    """A date split off the start of a sentence (2021年12月1日|,市委召开…) is not a dateline."""
    i = page_index.get(line)
    if i is None:
        return any(full.startswith(line) and full[len(line):].lstrip().startswith(",") for full in page_lines)
    return i + 1 < len(page_lines) and page_lines[i + 1].startswith(",")


@lru_cache(maxsize=512)
def _parse_relative(expr: str, base: dt.date) -> dt.date | None:
    """A relative or spelled-out date (今天, 昨日, 周三, 十二月七日) against ``base``, via jionlp."""
    try:
        res = _jio().parse_time(expr, time_base=dt.datetime(base.year, base.month, base.day, 12))
    except Exception:  # noqa: BLE001 - jionlp raises ValueError and others on unparseable text
        return None
    times = res.get("time") if isinstance(res, dict) else None
    if not times or res.get("type") != "time_point":
        return None
    try:
        date = dt.datetime.strptime(str(times[0])[:10], "%Y-%m-%d").date()
    except ValueError:
        return None
    if date > base and re.search(r"周|星期", expr):
        date -= dt.timedelta(days=7)
    if date > base and re.search(r"[月]", expr) and "年" not in expr:
        date = _valid_date(date.year - 1, date.month, date.day) or date
    return date


def resolve_meeting_date(match: re.Match, text_after: str,
                         published: dt.date | None) -> tuple[dt.date | None, str]:
    """Resolve one ``_TEXT_DATE`` match against the publication date. Never after publication."""
    expr = match.group(0)
    if match["rel"]:
        bracket = _BRACKET_DATE.match(text_after)
        if bracket:
            return _resolve_numeric(bracket["y"], bracket["m"], bracket["d"], published,
                                    f"{expr}{bracket.group(0)}")
        if published is None:
            return None, f"no publication date to resolve {expr}"
        date = _parse_relative(expr, published)
        if date is None or date > published:
            return None, f"cannot resolve {expr}"
        return date, f"{expr} (published {published.isoformat()})"
    if match["cn"]:
        if published is None:
            return None, f"no publication date to resolve {expr}"
        date = _parse_relative(expr, published)
        if date is None or date > published:
            return None, f"cannot resolve {expr}"
        return date, expr
    return _resolve_numeric(match["y"], match["m"], match["d"] or match["d_only"], published, expr)


def _resolve_numeric(y: str | None, m: str | None, d: str, published: dt.date | None,
                     expr: str) -> tuple[dt.date | None, str]:
    day = int(d)
    if y and m:
        date = _valid_date(int(y), int(m), day)
        if date is None or (published and date > published):
            return None, f"{expr} is not a date before publication"
        return date, expr
    if published is None:
        return None, f"no publication date to resolve {expr}"
    if m:
        month = int(m)
        date = _valid_date(published.year, month, day)
        if date is not None and date > published:
            date = _valid_date(published.year - 1, month, day)
            expr = f"{expr} (previous year)"
        return (date, expr) if date else (None, f"{expr} is not a date")
    # day only: this month, else the month before
    date = _valid_date(published.year, published.month, day)
    if date is None or date > published:
        prev = published.replace(day=1) - dt.timedelta(days=1)
        date = _valid_date(prev.year, prev.month, day)
        expr = f"{expr} (previous month)"
    return (date, expr) if date else (None, f"{expr} is not a date")


# -- the meeting sentence -------------------------------------------------------------------

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


def find_meeting_date(body: str, published: dt.date | None,
                      rules: LocateRules | None = None) -> tuple[dt.date | None, str]:
    """The meeting date from the first meeting sentence (召开/举行/主持) that dates it: the date
    nearest the verb, not a news agency's dateline (3月11日电)."""
    rules = rules or load_locate_rules()
    agency = rules.rx("agency_dateline")
    for sentence in _sentences(body):
        verb = _MEETING_VERB.search(sentence) or _MEETING_MENTION.search(sentence)
        if not verb:
            continue
        before = sentence[:verb.start()]
        m = None
        if _TEXT_DATE_HINT.search(before):
            for cand in _TEXT_DATE.finditer(before):
                if not agency.match(before, cand.end()):
                    m = cand
        if m:
            base = published
            year_note = ""
            if published is None and not m["y"] and (m["m"] or m["cn"]):
                year = _CLAUSE_YEAR.search(sentence)
                if year:  # 4月10日,2017年长江防总…会议: the year the sentence itself gives
                    base = dt.date(int(year["y"]), 12, 31)
                    year_note = f" (year from {year.group(0)} in the sentence)"
            date, why = resolve_meeting_date(m, before[m.end():], base)
            if base is not published and date is not None:
                why = f"{m.group(0)}{year_note}"
            return date, f"meeting sentence:{why}"
        vague = rules.vague_regex.search(before)
        if vague:
            return None, f"meeting sentence:{vague.group(0)} (no date)"
    return None, ""


@dataclass
class _Issuer:
    text: str = ""
    evidence: str = ""
    subject: str = ""


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
            return found
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
    # the meeting as the subject: 全市经济运行调度会昨日在市会议中心召开 (not a list of upper
    # meetings relayed: 全国、全省、全市…会议以电视电话形式召开)
    meeting = _SELF_LEDE.sub("", raw)
    if not obj and meeting and len(meeting) <= 40 and "、" not in meeting and _MEETING_NOUN_END.search(meeting) \
            and not _PERSON_WORD.search(meeting):
        return _Issuer(meeting, "meeting sentence (meeting as subject)", meeting)
    return None


# A body named by its level word alone: 街道|召开…, 县|召开….
_BARE_LEVEL = re.compile(r"^(?:全|我|本)?(?:自治区|省|市|县|区|州|盟|旗|镇|乡|街道)$")


def _is_body(subject: str, gaz: Gazetteer | None = None) -> bool:
    if not subject or len(subject) > 40:
        return False
    if _PERSON_WORD.search(subject):
        return False
    if _BODY_END.search(subject) or _PLACE_SUBJECT.fullmatch(subject) or _BARE_LEVEL.match(subject):
        return True
    if gaz is None:
        return False
    # a short name alone or with a zone: 常德|召开…, 漳浦台湾农民创业园|召开…
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
    我区… → county; 常德新冠疫情防控… → 常德市; 漳浦台湾农民创业园… → township of 漳浦县."""
    if not name:
        return "", None
    stripped = name.removeprefix("中共")
    rules = load_locate_rules()
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
    return "", None


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


# -- outlet ---------------------------------------------------------------------------------

@dataclass
class _Outlet:
    source: str = ""
    evidence: str = ""
    site: str = ""          # site name from the footer (版权所有), or the sponsor (主办)
    site_evidence: str = ""
    footer: list[str] = None  # type: ignore[assignment]
    credits: list[tuple[str, str]] = None  # type: ignore[assignment]  # (name, evidence): credits, app lines


def find_outlet(cleaned: Cleaned, rules: LocateRules) -> _Outlet:
    header = [ln for ln in cleaned.header.split("\n") if ln]
    body_lines = cleaned.text.split("\n")
    body_set = set(body_lines)
    footer = [ln for ln in _page_lines(cleaned.page) if ln not in body_set and _FOOTER_LINE.search(ln)]
    out = _Outlet(footer=footer)
    self_named = False
    tail = [ln for ln in body_lines[-3:] if len(ln) <= 40]  # (来源:双鸭山日报) after the article
    for line in header + tail:
        for m in _SOURCE_LABEL.finditer(line):
            name = m["name"].strip(" -_")
            if rules.is_self_source(name):
                self_named = True
                continue
            if not out.source:
                out.source, out.evidence = name, f"{m['label']} line"
        if out.source:
            break
    if not out.source:  # a lede: 宁德网消息(…), 珠晖新闻讯
        lede = rules.rx("outlet_lede")
        for line in body_lines[:3]:
            m = lede.match(line.lstrip())
            if m and not rules.is_self_source(m["name"]):
                out.source, out.evidence = m["name"], f"lede:{m.group(0)}"
                break
    if not out.source:
        for line in header + body_lines[:3]:
            m = _BYLINE.match(line)
            if not m or len(line) > 40:
                continue
            name = m["name"]
            if rules.is_self_source(name):
                self_named = True
                continue
            if rules.outlet_suffix_regex.search(name):
                out.source, out.evidence = name, "byline"
                break
    for line in footer:
        if "版权所有" not in line:  # what both patterns turn on; _COPYRIGHT_BEFORE is slow to find none
            continue
        m = _COPYRIGHT_AFTER.search(line) or _COPYRIGHT_BEFORE.search(line)
        if m and not _LATIN_WORD.fullmatch(m["name"]):
            out.site, out.site_evidence = m["name"].strip(" -_"), "footer:版权所有"
            break
    if not out.site:
        for line in footer:
            m = _SPONSOR.search(line)
            if m:
                out.site, out.site_evidence = m["name"], "footer:主办"
                break
    out.credits = _credits(body_lines, body_set, cleaned.page, rules) + _breadcrumbs(header, rules)
    if not out.source and out.site:
        out.source = out.site
        out.evidence = f"{out.site_evidence} (来源: 本站)" if self_named else out.site_evidence
    return out


_CRUMB_SPLIT = re.compile(r"\s*(?:>>|>|»|→|/|\|)\s*")


def _breadcrumbs(header: list[str], rules: LocateRules) -> list[tuple[str, str]]:
    """Places in a breadcrumb (首页 > 嘉善新闻 > 乡镇动态), as (name, evidence)."""
    crumb, place_rx = rules.rx("breadcrumb"), rules.rx("breadcrumb_place")
    out: list[tuple[str, str]] = []
    for line in header:
        m = crumb.search(line)
        if not m or len(line) > 120:
            continue
        for seg in _CRUMB_SPLIT.split(line[m.start():])[1:]:
            seg = seg.strip()
            pm = place_rx.match(seg)
            if pm:
                out.append((pm["name"], f"breadcrumb:{seg}"))
        break
    return out


def _credits(body_lines: list[str], body_set: set[str], page: str, rules: LocateRules) -> list[tuple[str, str]]:
    """Outlets credited at the end of the report ((文/图 涵江区融媒体中心)) or named in a line that
    promotes their app (打开珠晖融媒,参与评论), as (name, evidence)."""
    credit, promo = rules.rx("outlet_credit"), rules.rx("app_promo")
    out: list[tuple[str, str]] = []
    for line in body_lines[-8:]:
        if "(" in line or "【" in line:
            for m in credit.finditer(line):
                out.append((m["name"], f"credit:{m.group(0)}"))
        if len(line) <= 80 and ("打开" in line or "下载" in line):
            for m in promo.finditer(line):
                out.append((m["name"], f"app:{m.group(0)}"))
    for line in _page_lines(page):
        if len(line) > 80 or line in body_set:
            continue
        if "(" in line or "【" in line:
            for m in credit.finditer(line):
                out.append((m["name"], f"credit:{m.group(0)}"))
        if "打开" in line or "下载" in line or "关注" in line:
            for m in promo.finditer(line):
                out.append((m["name"], f"app:{m.group(0)}"))
    return out


# -- jurisdiction ---------------------------------------------------------------------------

@dataclass
class _Clue:
    place: Place
    evidence: str


def _pick(places: list[Place], *context: Place | None) -> Place | None:
    """One place among same-named ones: the only one, or the only one agreeing with the context."""
    if len(places) == 1:
        return places[0]
    for ctx in context:
        if ctx is None:
            continue
        agree = [p for p in places if p.province == ctx.province and (not ctx.city or not p.city
                                                                       or p.city == ctx.city)]
        if len(agree) == 1:
            return agree[0]
    return None


def _project(place: Place, level: str) -> Place | None:
    """The unit at ``level`` that contains ``place`` (镇海区 → 宁波市 at city level)."""
    gaz = gazetteer()
    if level == "province":
        return next((p for p in gaz.by_name.get(place.province, []) if p.level == "province"), None)
    if level == "city":
        if place.is_municipality:
            return next((p for p in gaz.by_name.get(place.province, []) if p.level == "province"), None)
        if not place.city:
            return None
        return next((p for p in gaz.by_name.get(place.city, []) if p.province == place.province
                     and p.level == "city"), None)
    if level == "county":
        return place if place.level == "county" else None
    return None


@dataclass
class Jurisdiction:
    province: str = ""
    city: str = ""
    county: str = ""
    admin_level: str = ""
    evidence: dict[str, str] = None  # type: ignore[assignment]


def resolve_jurisdiction(level: str, level_evidence: str, explicit: _Clue | None, leader: _Clue | None,
                         outlet: _Clue | None, site: list[_Clue], text_places: list[_Clue],
                         abbreviations: list[_Clue]) -> Jurisdiction:
    """Combine the clues, strongest first, at the level of the issuing body."""
    ev: dict[str, str] = {}
    if not level and explicit is not None:
        level, level_evidence = explicit.place.level, explicit.evidence
    if not level:
        return Jurisdiction(evidence=ev)
    if level == "national":
        ev["admin_level"] = level_evidence
        return Jurisdiction(admin_level="national", evidence=ev)
    target = "county" if level == "township" else level

    def candidates() -> list[_Clue]:
        order: list[_Clue | None] = [explicit]
        if target == "province":
            order += [leader, outlet, *site]
        elif target == "city":
            order += [outlet if outlet and outlet.place.level != "province" else None, leader, outlet, *site]
        else:
            order += [outlet, *site]
        return [c for c in order if c is not None]

    chosen: _Clue | None = None
    chosen_place: Place | None = None
    for clue in candidates():
        projected = _project(clue.place, target)
        if projected is not None:
            chosen, chosen_place = clue, projected
            break
    if chosen_place is None:
        chosen_place, chosen = _from_text(text_places, abbreviations, target, outlet, site)

    result = Jurisdiction(evidence=ev)
    if target == "county" and chosen_place is None:
        # the county is unknown; keep what the outlet or site says about the city above it
        for clue in [explicit, outlet, *site]:
            if clue is not None and clue.place.level in ("city", "county"):
                upper = _project(clue.place, "city")
                if upper is not None:
                    result.province, result.city = upper.province, upper.city
                    ev["province"] = ev["city"] = clue.evidence
                    break
        else:  # nor does the outlet or site; the city the text names, when one dominates
            upper, clue = _from_text(text_places, abbreviations, "city", outlet, site)
            if upper is not None and clue is not None and not upper.is_municipality:
                result.province, result.city = upper.province, upper.city
                ev["province"] = ev["city"] = clue.evidence
        result.admin_level = level
        ev["admin_level"] = level_evidence
        return result
    if chosen_place is None or chosen is None:
        result.admin_level = level
        ev["admin_level"] = level_evidence
        return result

    place = chosen_place
    if place.is_municipality and target == "city":
        target = "province"
        level_evidence = f"{level_evidence}; {place.province} is a municipality"
    result.province = place.province
    result.city = place.city if target in ("city", "county") or place.is_municipality else ""
    result.county = place.county if target == "county" else ""
    result.admin_level = level if level == "township" else target
    ev["admin_level"] = level_evidence
    agree = _agreeing(chosen, place, [leader, outlet, *site, *abbreviations])
    why = chosen.evidence + (f"; agrees: {agree}" if agree else "")
    deciding = {"province": "province", "city": "city", "county": "county"}[target]
    ev[deciding] = why
    if deciding != "province":
        in_province = f"gazetteer:{place.name} in {place.province}"
        ev["province"] = in_province if place.name != place.province else why
    if deciding == "county" and result.city:
        ev["city"] = f"gazetteer:{place.name} in {result.city}"
    if result.city and deciding == "province":
        ev["city"] = why
    return result


def _agreeing(chosen: _Clue, place: Place, clues: list[_Clue | None]) -> str:
    out = []
    for clue in clues:
        if clue is None or clue is chosen or clue.evidence in out:
            continue
        if chosen.evidence.startswith(clue.evidence):
            continue
        if clue.place.province == place.province and len(out) < 2:
            out.append(clue.evidence)
    return ", ".join(out)


def _within(place: Place, ctx: Place) -> bool:
    """Whether ``place`` can lie inside, or contain, the outlet's or site's place ``ctx``."""
    if place.province != ctx.province:
        return False
    if place.level == "county" and ctx.level == "county":
        return place.county == ctx.county
    return not (place.city and ctx.city and place.city != ctx.city)


def _from_text(text_places: list[_Clue], abbreviations: list[_Clue], target: str,
               outlet: _Clue | None, site: list[_Clue]) -> tuple[Place | None, _Clue | None]:
    """The dominant place among those named in the text, projected to ``target``."""
    counts: Counter[Place] = Counter()
    first: dict[Place, _Clue] = {}
    context = [c.place for c in [outlet, *site] if c is not None]
    for clue in text_places + (abbreviations if target == "province" else []):
        projected = _project(clue.place, target)
        if projected is None:
            continue
        if context and not any(_within(projected, ctx) for ctx in context):
            continue  # a place elsewhere, named in passing (学习杭州经验)
        counts[projected] += 1
        first.setdefault(projected, clue)
    if not counts:
        return None, None
    ranked = counts.most_common()
    top, n = ranked[0]
    if len(ranked) > 1 and n < 2 * ranked[1][1]:
        return None, None
    clue = first[top]
    return top, _Clue(top, f"{clue.evidence} (named {n}× in the text)" if n > 1 else clue.evidence)


# -- the stage ------------------------------------------------------------------------------

def locate(cleaned: Cleaned, loaded: Loaded | None = None) -> Metadata:
    """Document metadata of one cleaned notice, each inferred field with its evidence."""
    rules = load_locate_rules()
    gaz = gazetteer()
    evidence: dict[str, str] = {}

    title = cleaned.title or (loaded.html_title.strip() if loaded else "")
    if title:
        evidence["title"] = "page headline" if cleaned.title else "html:title"

    outlet = find_outlet(cleaned, rules)
    if outlet.source:
        evidence["source"] = outlet.evidence
    elif loaded is not None and loaded.source:
        outlet.source = loaded.source
        evidence["source"] = "record:source field"

    published, why = find_published(cleaned.header, cleaned.page, cleaned.text,
                                    loaded.html_date if loaded else "", rules)
    if published:
        evidence["published"] = why

    meeting_date, why = find_meeting_date(cleaned.text, published, rules)
    if why:
        evidence["meeting_date"] = why

    issuer = find_issuer(title, cleaned.text, gaz)
    if issuer.text:
        evidence["issuer"] = issuer.evidence

    def prefix_of(sentence: str, start: int) -> str:
        for width in (3, 1):  # 自治区 / 省 市 县 区 …
            hit = gaz.name_ending_at(sentence, start + width)
            if hit and len(hit[0]) > width:
                return hit[0]
        return ""

    people = find_leaders(cleaned.text, prefix_of)
    leaders = [Leader(post=_strip_place(p), name=p.name) for p in people]
    if leaders:
        evidence["leaders"] = "post before name"

    juris = _jurisdiction(cleaned, issuer, people, outlet, published, rules, gaz)
    evidence.update(juris.evidence or {})

    return Metadata(title=title, source=outlet.source, url=loaded.url if loaded else "", published=published, meeting_date=meeting_date,
                    province=juris.province, city=juris.city, county=juris.county,
                    admin_level=juris.admin_level, issuer=issuer.text, leaders=leaders, evidence=evidence)


def _strip_place(person: PostedPerson) -> str:
    post = person.principal
    if person.place_prefix and len(post) > 1 and post[0] == post[1]:
        post = post[1:]
    return post


def _jurisdiction(cleaned: Cleaned, issuer: _Issuer, people: list[PostedPerson], outlet: _Outlet,
                  published: dt.date | None, rules: LocateRules, gaz: Gazetteer) -> Jurisdiction:
    # A body whose reach crosses provinces (长江防总) has no one jurisdiction, whoever chairs it.
    crossing = _cross_jurisdiction(issuer, cleaned.text, rules)
    if crossing:
        why = f"cross-jurisdiction body:{crossing} (its chair's province is not its jurisdiction)"
        return Jurisdiction(evidence={"province": why, "admin_level": why})
    # Level of the issuing body, and any place written as part of it (双鸭山市委 …).
    level, level_ev, explicit = "", "", None
    for name, kind in ((issuer.text, "issuer"), (issuer.subject, "meeting subject")):
        lv, hit = level_of(name, gaz)
        if lv:
            level, level_ev = lv, f"{kind}:{name}"
            if hit:
                place = _pick(hit[1])
                if place:
                    explicit = _Clue(place, f"issuing body:{name}")
            break
    if not level:
        national = _national(issuer, cleaned.text, rules)
        if national:
            return Jurisdiction(admin_level="national", evidence={"admin_level": national})
    chair = _chair(people, cleaned.text)
    if chair is not None and level == "county" and issuer.text.startswith("全区") \
            and _post_level(chair.principal) == "province":
        level, level_ev = "province", f"leader:{chair.principal}{chair.name} (全区 of an autonomous region)"
    if chair is not None:
        if not level:
            lv = _post_level(chair.principal)
            if lv:
                level, level_ev = lv, f"leader:{chair.principal}{chair.name}"
        if explicit is None and chair.place_prefix:
            places = gaz.by_name.get(chair.place_prefix, [])
            place = _pick(places)
            if place:
                explicit = _Clue(place, f"issuing body:{_as_written(chair.place_prefix, _strip_place(chair))}"
                                        f"{chair.name}")
    if not level:
        national = _national(issuer, cleaned.text, rules, addressed=True)
        if national:
            return Jurisdiction(admin_level="national", evidence={"admin_level": national})
    if explicit is None:
        explicit = _explicit_in_meeting_sentence(cleaned.text, rules, gaz)
    if level == "city" and explicit is not None and explicit.place.level == "county" \
            and explicit.place.name.endswith("市"):
        level, level_ev = "county", f"{level_ev}; {explicit.place.name} is a county-level city"

    # A province-level leader named in data/leaders.csv.
    leader_clue = None
    for person in people:
        for post in person.posts:
            if not post_kind(post) or person.place_prefix:
                continue
            term = lookup_provincial(person.name, post, published)
            if term is not None:
                place = next(p for p in gaz.by_name[term.province] if p.level == "province")
                leader_clue = _Clue(place, f"leader:{post}{person.name} ({LEADERS_CSV})")
                break
        if leader_clue:
            break

    # The outlet and the site.
    outlet_clue = None
    if outlet.source and not rules.is_national(outlet.source):
        hit = gaz.places_in_outlet(outlet.source)
        if hit:
            place = _pick(hit[1])
            if place:
                outlet_clue = _Clue(place, f"outlet:{outlet.source}")
    site_clues = _site_clues(outlet, rules, gaz)
    context = outlet_clue.place if outlet_clue else (site_clues[0].place if site_clues else None)

    # Places and province abbreviations in the text.
    text_clues = []
    for _, _, name, places in gaz.names_in(cleaned.text):
        place = _pick(places, context)
        if place:
            text_clues.append(_Clue(place, f"place:{name}"))
    # Short names that resolve uniquely: a province's and a city's together (黑龙江绥化), and one
    # used as a venue (在佛冈分会场).
    for pair, place in gaz.province_city_pairs_in(cleaned.text[:5000]):
        text_clues.append(_Clue(place, f"short names:{pair}"))
    for m in rules.rx("short_name_venue").finditer(cleaned.text[:5000]):
        hit = gaz.alias_at_start(m["name"])
        if hit and hit[0] == m["name"]:
            place = _pick(hit[1], context)
            if place:
                text_clues.append(_Clue(place, f"short name:{m.group(0)}"))
    abbrev_clues = []
    for m in rules.text_abbreviation_regex.finditer(cleaned.text):
        prov = rules.abbreviations.get(m.group(1))
        place = next((p for p in gaz.by_name.get(prov or "", []) if p.level == "province"), None)
        if place:
            abbrev_clues.append(_Clue(place, f"abbrev:{m.group(0)}"))

    if level == "city" and explicit is None and not any(c.place.level == "city" for c in [outlet_clue, *site_clues] if c):
        head = cleaned.text[:5000]
        below = rules.rx("towns_below").search(head)
        if below and not rules.rx("counties_below").search(head):
            # 市委 … 各镇街道: a city whose own units are towns and streets is a county-level city
            level, level_ev = "county", f"{level_ev}; towns under it ({below.group(0)}): a county-level city"

    if level == "township":
        explicit = _town_clue(issuer, gaz, outlet_clue, site_clues, text_clues) or explicit

    return resolve_jurisdiction(level, level_ev, explicit, leader_clue, outlet_clue, site_clues, text_clues,
                                abbrev_clues)


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


# A speech passed on rather than given: 传达…X的讲话精神, X的重要指示.
_RELAY_VERB = re.compile(r"传达|学习|贯彻|落实|收听|收看")
_RELAYED_SPEECH = re.compile(r"^(?:同志)?(?:在[^,。;]{0,20}?)?的(?:重要)?(?:讲话|指示|批示|要求|部署|精神)")


def _relayed(person: PostedPerson, text: str) -> bool:
    at = text.find(person.name, person.start)
    if at < 0:
        return False
    if _RELAYED_SPEECH.match(text, at + len(person.name)):
        return True
    clause_start = max(text.rfind(c, 0, person.start) for c in "。;\n,") + 1
    return bool(_RELAY_VERB.search(text, clause_start, person.start))


def _cross_jurisdiction(issuer: _Issuer, text: str, rules: LocateRules) -> str:
    """The name of a cross-jurisdiction body that holds the meeting, or ""."""
    rx = rules.rx("cross_jurisdiction")
    for name in (issuer.text, issuer.subject):
        m = rx.search(name or "")
        if m:
            return m.group(0)
    for sentence in _sentences(text, max_lines=4):
        verb = _MEETING_VERB.search(sentence)
        if verb:
            m = rx.search(sentence, 0, verb.start())
            return m.group(0) if m else ""
    return ""


# What ends a clause that only dates the main one: 国务院…会议召开后, …结束后.
_AFTER_CLAUSE = re.compile(r"[^,。;]*?(?:后|之后|以后)(?:,|$)")


def _national(issuer: _Issuer, text: str, rules: LocateRules, addressed: bool = False) -> str:
    """Evidence that a central body (codebook §3: national) holds the meeting, or "". With
    ``addressed``, also a central body that the directives address (国家防总要继续…)."""
    rx = rules.rx("national_body")
    for name, kind in ((issuer.subject, "meeting subject"), (issuer.text, "issuer")):
        if name and rx.match(name):
            return f"{kind}:{name}"
    sentences = _sentences(text)
    for sentence in sentences:
        verb = _MEETING_VERB.search(sentence)
        if not verb:
            continue
        clause = sentence[:verb.start()]
        clause = clause[max(clause.rfind(","), clause.rfind(":")) + 1:]
        m = rx.search(clause)
        if m and not _RELAY_VERB.search(clause) and not _AFTER_CLAUSE.match(sentence, verb.end()):
            return f"meeting sentence:{m.group(0)}…{sentence[verb.start():verb.end()]}"
        break
    if not addressed:
        return ""
    # a central body that the directives address (国家防总要继续…), opening a clause; not one
    # whose demands are passed on (国务院联防联控机制要求…)
    for sentence in _SENTENCE.findall(text[:3000]):
        for m in rx.finditer(sentence):
            before = sentence[:m.start()].rstrip()
            if (not before or before[-1] in ",") and _ADDRESSED.match(sentence, m.end()):
                return f"clause:{sentence[m.start():m.end() + 8]}"
    return ""


# What a body addressed by the directives is told: 国家防总|要继续…, 国务院各部门|要….
_ADDRESSED = re.compile(r"[^,。;]{0,6}?要(?!求)")


def _explicit_in_meeting_sentence(text: str, rules: LocateRules, gaz: Gazetteer) -> _Clue | None:
    """A place written as part of the body in a meeting sentence: 沈丘县人民政府召开…, 宁波市委…."""
    for sentence in _sentences(text, max_lines=4):
        verb = _MEETING_VERB.search(sentence)
        if not verb:
            continue
        for start, end, name, places in gaz.names_in(sentence[:verb.end() + 30], min_len=2):
            # before the verb: 沈丘县疫情防控指挥部召开…; after it, only the object itself: 召开宁波市委…
            if start >= verb.end() and (start != verb.end() or not _STRICT_ORGAN.match(sentence, end)):
                continue
            if rules.organ_regex.match(sentence, end):
                place = _pick(places)
                if place:
                    return _Clue(place, f"issuing body:{sentence[start:end + 4]}")
        break
    return None


def _site_clues(outlet: _Outlet, rules: LocateRules, gaz: Gazetteer) -> list[_Clue]:
    clues: list[_Clue] = []
    for name, evidence in outlet.credits or []:
        if rules.is_national(name):
            continue
        if evidence.startswith("breadcrumb:"):  # the segment is the place's name, full or short
            places = gaz.by_name.get(name) or gaz.by_alias.get(name) or gaz.county_alias.get(name)
            place = _pick(places) if places else None
            if place:
                clues.append(_Clue(place, evidence))
            continue
        hit = gaz.places_in_outlet(name)
        if hit:
            place = _pick(hit[1])
            if place:
                clues.append(_Clue(place, evidence))
    if outlet.site and outlet.site != outlet.source:
        hit = gaz.places_in_outlet(outlet.site)
        if hit:
            place = _pick(hit[1])
            if place:
                clues.append(_Clue(place, f"site:{outlet.site}"))
    for line in outlet.footer or []:
        m = _SPONSOR.search(line)
        if m:
            for _, _, name, places in gaz.names_in(line[m.start():], min_len=2):
                place = _pick(places)
                if place:
                    clues.append(_Clue(place, f"footer:主办 {name}"))
                    break
        for rx, label in ((_POLICE_CODE, "公网安备"), (_SITE_CODE, "网站标识码")):
            m = rx.search(line)
            if m and m["code"] in gaz.by_code:
                clues.append(_Clue(gaz.by_code[m["code"]], f"footer:{label} {m['code']}"))
        m = _ICP.search(line)
        if m and m["abbr"] in rules.abbreviations:
            prov = rules.abbreviations[m["abbr"]]
            place = next((p for p in gaz.by_name.get(prov, []) if p.level == "province"), None)
            if place:
                clues.append(_Clue(place, f"footer:{m['abbr']}ICP备"))
    return clues


def _town_clue(issuer: _Issuer, gaz: Gazetteer, *context) -> _Clue | None:
    """A township or street body (XX镇, XX街道) → its county, when the name is unambiguous in context."""
    for name in (issuer.text, issuer.subject):
        m = _TOWN_START.match(name or "")
        if not m:
            continue
        town = m["town"]
        counties = gaz.towns.get(town, [])
        ctx_places = []
        for c in context:
            if isinstance(c, list):
                ctx_places += [x.place for x in c]
            elif c is not None:
                ctx_places.append(c.place)
        if len(counties) == 1:
            return _Clue(counties[0], f"town:{town} ({counties[0].county})")
        for ctx in ctx_places:
            agree = [p for p in counties if p.province == ctx.province
                     and (not ctx.city or p.city == ctx.city)
                     and (ctx.level != "county" or p.county == ctx.county)]
            if len(agree) == 1:
                return _Clue(agree[0], f"town:{town} ({agree[0].county})")
    return None
