"""Jurisdiction: the clues (issuing body, provincial leader, outlet, site, places named in the
text) combined, strongest first, at the level of the issuing body; national and cross-jurisdiction
bodies get no place."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from extractor.models import Cleaned
from extractor.stages.locate.people import PostedPerson, lookup_provincial, post_kind
from extractor.stages.locate.issuer_people import _Issuer, _TOWN_START, _as_written, _chair, _post_level, _strip_place, level_of
from extractor.stages.locate.outlet import _ICP, _Outlet, _POLICE_CODE, _SITE_CODE, _SPONSOR
from extractor.stages.locate.places import Gazetteer, Place, gazetteer
from extractor.stages.locate.ruleset import LocateRules, rule_pattern
from extractor.stages.locate.sentences import _AFTER_CLAUSE, _MEETING_VERB, _RELAY_VERB, _SENTENCE, _STRICT_ORGAN, _sentences


LEADERS_CSV = "data/leaders.csv"


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
            else:
                _province_from_site(result, [outlet, *site])
        result.admin_level = level
        ev["admin_level"] = level_evidence
        return result
    if chosen_place is None or chosen is None:
        _province_from_site(result, [outlet, *site])
        result.admin_level = level
        ev["admin_level"] = level_evidence
        return result

    place = chosen_place
    if not place.province:  # a unit the gazetteer does not hold (青山湖管理区): as written
        result.county, result.admin_level = place.county, level
        ev["admin_level"] = level_evidence
        ev["county"] = f"{chosen.evidence} (not in the gazetteer: no city or province from the name)"
        for clue in [outlet, *site]:
            upper = _project(clue.place, "city") if clue is not None else None
            if upper is not None:
                result.province, result.city = upper.province, upper.city
                ev["province"] = ev["city"] = clue.evidence
                break
        else:
            ev["province"] = f"unknown: {place.county} is not in the gazetteer and no outlet or site names its city"
        return result
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


def _province_from_site(result: Jurisdiction, clues: list[_Clue | None]) -> None:
    """The province alone, when the outlet or site says no more than that (甘公网安备, 鲁ICP备)."""
    for clue in clues:
        if clue is not None and clue.place.level == "province":
            result.province = clue.place.province
            result.evidence["province"] = clue.evidence
            return


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


def _jurisdiction(cleaned: Cleaned, issuer: _Issuer, people: list[PostedPerson], outlet: _Outlet,
                  published: dt.date | None, rules: LocateRules, gaz: Gazetteer) -> Jurisdiction:
    # A body whose reach crosses provinces (淮河防总) has no one jurisdiction, whoever chairs it.
    crossing = _cross_jurisdiction(issuer, cleaned.text, rules)
    if crossing:
        why = f"cross-jurisdiction body:{crossing} (its chair's province is not its jurisdiction)"
        return Jurisdiction(evidence={"province": why, "admin_level": why})
    def pick(places: list[Place]) -> Place | None:
        """One place among same-named ones (鼓楼区): the only one, or the only one in a province or
        city that the text names unambiguously."""
        return _pick(places) if len(places) <= 1 else _pick(places, *_text_context(cleaned.text, gaz))

    # Level of the issuing body, and any place written as part of it (双鸭山市委 …).
    level, level_ev, explicit = "", "", None
    for name, kind in ((issuer.text, "issuer"), (issuer.subject, "meeting subject")):
        lv, hit = level_of(name, gaz)
        if lv:
            level, level_ev = lv, f"{kind}:{name}"
            if hit:
                place = pick(hit[1])
                if place:
                    explicit = _Clue(place, f"issuing body:{name}")
            break
    if not level:
        national = _national(issuer, cleaned.text, rules)
        if national:
            return _national_jurisdiction(national)
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
            place = pick(places)
            if place:
                explicit = _Clue(place, f"issuing body:{_as_written(chair.place_prefix, _strip_place(chair))}"
                                        f"{chair.name}")
    if not level:
        national = _national(issuer, cleaned.text, rules, addressed=True)
        if national:
            return _national_jurisdiction(national)
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
    company = rules.rx("company")
    commercial = bool(outlet.site and company.search(outlet.site))
    if outlet.source and not rules.is_national(outlet.source) and not company.search(outlet.source):
        hit = gaz.places_in_outlet(outlet.source)
        if hit:
            place = _pick(hit[1])
            if place:
                outlet_clue = _Clue(place, f"outlet:{outlet.source}")
    site_clues = _site_clues(outlet, rules, gaz, commercial)
    context = outlet_clue.place if outlet_clue else (site_clues[0].place if site_clues else None)

    # Places and province abbreviations in the text.
    text_clues = []
    before, after = rules.rx("travel_before"), rules.rx("travel_after")
    text = cleaned.text

    def travelled(start: int, end: int) -> bool:
        """Where people travel from or to (来自湖北武汉的人员), not where the body sits."""
        return bool(before.search(text[max(0, start - 4):start]) or after.match(text[end:end + 4]))

    for start, end, name, places in gaz.names_in(text):
        place = _pick(places, context)
        if place and not travelled(start, end):
            text_clues.append(_Clue(place, f"place:{name}"))
    # Short names that resolve uniquely: a province's and a city's together (黑龙江鹤岗), and one
    # used as a venue (在连南分会场).
    for start, end, pair, place in gaz.province_city_pairs_in(text[:5000]):
        if not travelled(start, end):
            text_clues.append(_Clue(place, f"short names:{pair}"))
    for m in rules.rx("short_name_venue").finditer(cleaned.text[:5000]):
        hit = gaz.alias_at_start(m["name"])
        if hit and hit[0] == m["name"]:
            place = _pick(hit[1], context)
            if place:
                text_clues.append(_Clue(place, f"short name:{m.group(0)}"))
    head = text[:5000]
    # A zone named after its place (遵义高新区), a city's own area with the body's word for the city
    # (安阳地区…市里), a city's one-character abbreviation in an inbound phrase (来(返)梧人员).
    for rx, kind in ((rules.rx("zone_in_text"), "zone"), (rules.rx("city_area"), "city area")):
        for m in rx.finditer(head):
            hit = gaz.alias_ending_at(head, m.start())
            if hit is None:
                continue
            start = m.start() - len(hit[0])
            place = _pick(hit[1], context)
            if kind == "city area" and place is not None and place.level != "city":
                continue  # 地区 after a city's name only: the body's word is for a city
            if place and not travelled(start, m.end()):
                text_clues.append(_Clue(place, f"{kind}:{hit[0]}{m.group(0)}"))
    for m in rules.rx("inbound_city").finditer(text):
        if m["abbr"] in rules.abbreviations:
            continue  # a province's (来湘人员), read below
        place = gaz.initials.get(m["abbr"])
        if place is not None:
            text_clues.append(_Clue(place, f"abbrev:{m.group(0)} ({place.name})"))
    abbrev_clues = []
    # a province's short name, for a provincial body (守牢山西阵地)
    for start, end, short, place in gaz.province_short_names_in(head):
        if not travelled(start, end):
            abbrev_clues.append(_Clue(place, f"short name:{short}"))
    for m in rules.text_abbreviation_regex.finditer(cleaned.text):
        prov = rules.abbreviations.get(m.group(1))
        place = next((p for p in gaz.by_name.get(prov or "", []) if p.level == "province"), None)
        if place:
            abbrev_clues.append(_Clue(place, f"abbrev:{m.group(0)}"))

    city_site = any(c.place.level == "city" for c in [outlet_clue, *site_clues] if c)
    if level == "city" and explicit is None and not city_site:
        head = cleaned.text[:5000]
        below = rules.rx("towns_below").search(head)
        if below and not rules.rx("counties_below").search(head):
            # 市委 … 各镇街道: a city whose own units are towns and streets is a county-level city
            level, level_ev = "county", f"{level_ev}; towns under it ({below.group(0)}): a county-level city"

    if level == "township":
        explicit = _town_clue(issuer, gaz, outlet_clue, site_clues, text_clues) or explicit

    return resolve_jurisdiction(level, level_ev, explicit, leader_clue, outlet_clue, site_clues, text_clues,
                                abbrev_clues)


@lru_cache(maxsize=1)
def _text_context(text: str, gaz: Gazetteer) -> tuple[Place, ...]:
    """The places the first part of a text names by a name that has one meaning, each once."""
    seen: dict[Place, None] = {}
    for _, _, _, places in gaz.names_in(text[:5000]):
        if len(places) == 1:
            seen.setdefault(places[0])
    return tuple(seen)


def _national_jurisdiction(why: str) -> Jurisdiction:
    """A central body's meeting: national, and no place (codebook §3), the evidence saying why."""
    empty = f"national body, no place below the centre ({why})"
    return Jurisdiction(admin_level="national", evidence={"admin_level": why, "province": empty})


def _cross_jurisdiction(issuer: _Issuer, text: str, rules: LocateRules) -> str:
    """The name of a cross-jurisdiction body that holds the meeting, or ""."""
    rx = rules.rx("cross_jurisdiction")
    for name in (issuer.text, issuer.subject):
        m = rx.search(name or "")
        if m:
            return m.group(0)
    for sentence in _sentences(text, max_lines=4):
        start = 0
        for verb in _MEETING_VERB.finditer(sentence):
            after = _AFTER_CLAUSE.match(sentence, verb.end())
            if after and _MEETING_VERB.search(sentence, after.end()):
                start = after.end()  # 国家防总召开…会议后,松辽委主任…主持召开: the later meeting's
                continue
            m = rx.search(sentence, start, verb.start())
            return m.group(0) if m else ""
    return ""


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
_ADDRESSED = rule_pattern("addressed")


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


def _site_clues(outlet: _Outlet, rules: LocateRules, gaz: Gazetteer, commercial: bool = False) -> list[_Clue]:
    """Places the site names: credits, breadcrumbs, its name, its footer. A commercial site (版权所有
    a company: a mirror or an advertising firm) places the firm, so its name and footer are passed over."""
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
    if commercial:
        return clues
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
            if not m:
                continue
            if m["code"] and m["code"] in gaz.by_code:
                clues.append(_Clue(gaz.by_code[m["code"]], f"footer:{label} {m['code']}"))
            elif m.groupdict().get("abbr") in rules.abbreviations:  # 甘公网安备: the province
                prov = rules.abbreviations[m["abbr"]]
                place = next((p for p in gaz.by_name.get(prov, []) if p.level == "province"), None)
                if place:
                    clues.append(_Clue(place, f"footer:{m['abbr']}{label}"))
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
