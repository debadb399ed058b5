"""Dates: the page's publication date (from its own datelines or a forum post's stamp) and the
meeting date (from the meeting sentence, resolved against the publication date; relative dates
such as 今天, 昨天, 周三 through jionlp's ``parse_time``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from extractor.stages.locate.places import _jio
from extractor.stages.locate.ruleset import LocateRules, load_locate_rules, rule_pattern
from extractor.stages.locate.sentences import _AFTER_CLAUSE, _MEETING_MENTION, _MEETING_VERB, _page_lines, _sentences


# A page date: 2020-05-25, 2020/05/25, 2020.05.25 or 2020年04月21日 (time, if any, is ignored).
_PAGE_DATE = rule_pattern("page_date")
# What may stand before an unlabelled dateline: an outlet and a crawler's tag, no prose
# (中国宁波网 [采集] 2020-05-25 20:01:00 …).
_STAMP_BEFORE = rule_pattern("stamp_before")
# What makes a date a "today" line rather than a dateline: 2025年5月29日 星期四, 今天是2025年5月29日.
_WEEKDAY_AFTER = rule_pattern("weekday_after")
_TODAY_BEFORE = rule_pattern("today_before")
# A date in running text: 2021年12月7日, 5月25日, 7日 (not 3日内 / 5日前 / 10日以来).
_TEXT_DATE = rule_pattern("text_date")
# What every such date contains: a digit, 月, or a character of a relative word. Text without one
# is not searched: _TEXT_DATE tries its many branches at every character.
_TEXT_DATE_HINT = rule_pattern("text_date_hint")
# A date in brackets after a relative one: 今天(2月5日).
_BRACKET_DATE = rule_pattern("bracket_date")
# A year written in a meeting sentence (召开2021年第一次全体会议): the year of a date without one
# when the page gives no publication date.
_CLAUSE_YEAR = rule_pattern("clause_year")
# What joins the two ends of a range of days: 3月5日至6日, 5日—6日.
_CLAUSE_END = re.compile(r"[,;]")
_RANGE_BETWEEN = rule_pattern("range_between")


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
            labels = list(rules.label_regex.finditer(before))
            # a weekday after an unlabelled date makes it the site's "today" line; after a label
            # (发布日期:2021年3月5日 星期五) it is still the page's date
            today = (not labels and _WEEKDAY_AFTER.match(line[m.end():])) or _TODAY_BEFORE.search(before)
            if date is None or today:
                continue
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


def _period_year(body: str, month: int, rules: LocateRules) -> re.Match | None:
    """The year that the body's periods (2022年第二季度, 2021年下半年) give for ``month``: every
    period named is of one year, and one of them holds the month (a meeting in April that plans the
    second quarter, or reviews the first and plans the second)."""
    years: set[int] = set()
    holding: re.Match | None = None
    if "季度" not in body and "半年" not in body:
        return None
    for p in rules.rx("period_year").finditer(body):
        if p["q"]:
            quarter = "一二三四".find(p["q"]) + 1 or int(p["q"])
            months = range(3 * quarter - 2, 3 * quarter + 1)
        else:
            months = range(1, 7) if p["h"] == "上" else range(7, 13)
        years.add(int(p["y"]))
        if month in months and holding is None:
            holding = p
    return holding if len(years) == 1 else None


def find_meeting_date(body: str, published: dt.date | None, rules: LocateRules | None = None,
                      issuer_sentence: str = "") -> tuple[dt.date | None, str]:
    """The meeting date from the first meeting sentence (召开/举行/主持) that dates it: the date
    nearest the verb, not a news agency's dateline (3月11日电). ``issuer_sentence``, the sentence
    of the meeting the notice reports when an earlier one only relays another, is tried first."""
    rules = rules or load_locate_rules()
    agency = rules.rx("agency_dateline")
    sentences = _sentences(body)
    if issuer_sentence and _TEXT_DATE_HINT.search(issuer_sentence):
        sentences = (issuer_sentence, *sentences)
    for sentence in sentences:
        verb = _MEETING_VERB.search(sentence) or _MEETING_MENTION.search(sentence)
        if not verb:
            continue
        before = sentence[:verb.start()]
        m = None
        if _TEXT_DATE_HINT.search(before):
            in_after_clause = None
            for cand in _TEXT_DATE.finditer(before):
                if agency.match(before, cand.end()):
                    continue
                if m is not None and _RANGE_BETWEEN.fullmatch(before, m.end(), cand.start()):
                    continue  # 3月5日至6日: a meeting over days is dated by its first
                clause_end = _CLAUSE_END.search(before, cand.end())
                if clause_end and _AFTER_CLAUSE.match(before, cand.end()) and clause_end.end() <= len(before):
                    in_after_clause = in_after_clause or cand  # 继2月7日会议后,…: another meeting's date
                    continue
                m = cand
            m = m or in_after_clause
        if m:
            base = published
            year_note = ""
            if published is None and not m["y"] and (m["m"] or m["cn"]):
                year = _CLAUSE_YEAR.search(sentence)
                if year:  # 4月10日,2019年淮河防总…会议: the year the sentence itself gives
                    base = dt.date(int(year["y"]), 12, 31)
                    year_note = f" (year from {year.group(0)} in the sentence)"
                elif m["m"]:  # 会议还对2022年第二季度…工作进行部署: a period that holds the month
                    period = _period_year(body, int(m["m"]), rules)
                    if period:
                        base = dt.date(int(period["y"]), 12, 31)
                        year_note = f" (year from {period.group(0)}, a period that holds the month)"
            date, why = resolve_meeting_date(m, before[m.end():], base)
            if base is not published and date is not None:
                why = f"{m.group(0)}{year_note}"
            return date, f"meeting sentence:{why}"
        vague = rules.vague_regex.search(before)
        if vague:
            return None, f"meeting sentence:{vague.group(0)} (no date)"
    return None, ""
