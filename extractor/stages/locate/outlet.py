"""The outlet and the site: 来源 lines, bylines and ledes, credits and app-promotion lines,
breadcrumbs, and the footer (版权所有, 主办, filing codes)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.models import Cleaned
from extractor.stages.locate.ruleset import LocateRules, rule_pattern
from extractor.stages.locate.sentences import _page_lines


# A site name in Latin letters only (a domain, not a name).
_LATIN_WORD = rule_pattern("latin_word")
# Outlet in a label line: 稿源: 中国宁波网 2020-05-25 …, 来源:双鸭山日报.
_SOURCE_LABEL = rule_pattern("source_label")
# Outlet in a byline: 中国宁波网记者 徐展新.
_BYLINE = rule_pattern("byline")
# Site name in a footer: 版权所有:沈丘县政府网2011-2025, 中国宁波网(…)版权所有.
_COPYRIGHT_AFTER = rule_pattern("copyright_after")
_COPYRIGHT_BEFORE = rule_pattern("copyright_before")
_SPONSOR = rule_pattern("sponsor")
# ICP备 and Copyright in any case, spelled out: under re.I no branch starts with a plain character,
# so the engine cannot skip ahead to the characters that can start a match and tries every branch
# at every position of every page line. İ and ı are what re.I also takes for I.
_FOOTER_LINE = re.compile(r"版权所有|主办|I[Cc][Pp]备|i[Cc][Pp]备|İ[Cc][Pp]备|ı[Cc][Pp]备|公网安备|网站标识码|"
                          r"C[Oo][Pp][Yy][Rr][Iiİı][Gg][Hh][Tt]|c[Oo][Pp][Yy][Rr][Iiİı][Gg][Hh][Tt]")
# Footer codes that carry an administrative division code: 豫公网安备41162402000128号, 网站标识码4116240001.
_POLICE_CODE = rule_pattern("police_code")
_SITE_CODE = rule_pattern("site_code")
_ICP = rule_pattern("icp")


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
    if not out.source:  # a lede: 宁德网消息(…), 石鼓新闻讯
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
    out.credits = _credits(body_lines, body_set, cleaned.page, rules) + _breadcrumbs(header, rules) \
        + _publisher(header, rules) + _header_site(header, cleaned.title, rules)
    if not out.source and out.site:
        out.source = out.site
        out.evidence = f"{out.site_evidence} (来源: 本站)" if self_named else out.site_evidence
    return out


_CRUMB_SPLIT = rule_pattern("crumb_split")


def _publisher(header: list[str], rules: LocateRules) -> list[tuple[str, str]]:
    """The publishing body of a portal's metadata block (发布机构: 永春县人民政府办公室), as
    (name, evidence)."""
    rx = rules.rx("publisher_line")
    for line in header:
        if "发" in line:
            m = rx.match(line)
            if m:
                return [(m["name"], f"publisher:{m.group(0).strip(' -·•')}")]
    return []


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


def _header_site(header: list[str], title: str, rules: LocateRules) -> list[tuple[str, str]]:
    """The site's own name on a header line before the headline (沈丘县人民政府门户网站), as
    (name, evidence); the weakest of the site clues."""
    rx = rules.rx("header_site")
    for line in header:
        if line == title:
            break
        m = rx.match(line.strip())
        if m:
            return [(m["name"], f"site header:{m['name']}")]
    parts = _TITLE_SITE_SPLIT.split(title)
    if len(parts) > 1:  # a page title that ends in the site's name: …会议_沈丘县人民政府
        m = rx.match(parts[-1].strip())
        if m:
            return [(m["name"], f"page title:{m['name']}")]
    return []


# Where a page title gives way to the site's name: 标题_站名, 标题 - 站名, 标题|站名.
_TITLE_SITE_SPLIT = re.compile(r"_|\||\s[-—–]\s")


def _credits(body_lines: list[str], body_set: set[str], page: str,
             rules: LocateRules) -> list[tuple[str, str]]:
    """Outlets credited at the end of the report ((文/图 荔城区融媒体中心)) or named in a line that
    promotes their app (打开石鼓融媒,看更多新闻), as (name, evidence)."""
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
