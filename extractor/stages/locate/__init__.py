"""locate: document metadata (codebook §3) — where, when and who — from a cleaned page.

``locate(cleaned, loaded)`` fills ``Metadata``: title and outlet, publication date (from the page's
own datelines), meeting date (resolved against the publication date), issuing body, leaders, and
the jurisdiction of the body that held the meeting. Every inferred field records its evidence in
``Metadata.evidence`` (``"city": "outlet:中国宁波网"``).

One module per concern: ``ruleset`` (the validated ``rules/locate.yaml``), ``places`` (the
gazetteer of administrative divisions and townships, from jionlp's data, packaged), ``sentences``
(the meeting sentences of a notice), ``dates`` (publication and meeting dates), ``outlet`` (the
outlet and the site), ``issuer_people`` (the issuing body, its level, and who chairs),
``jurisdiction`` (every clue combined at the body's level). Who held a province-level post when is
in ``data/leaders.csv`` (``extractor.stages.locate.people``). Nothing is downloaded and nothing heavy happens at
import time: jionlp is imported on first use.
"""

from __future__ import annotations

from extractor.models import Cleaned, Leader, Loaded, Metadata
from extractor.stages.locate.people import find_leaders
from extractor.stages.locate.dates import find_meeting_date, find_published, resolve_meeting_date
from extractor.stages.locate.issuer_people import _strip_place, find_issuer, level_of
from extractor.stages.locate.jurisdiction import Jurisdiction, _jurisdiction, resolve_jurisdiction
from extractor.stages.locate.outlet import find_outlet
from extractor.stages.locate.places import (
    Gazetteer,
    Place,
    gazetteer,
    jionlp_location_text,
    location_tree,
    location_tree_from_jionlp,
    render_divisions,
    render_towns,
)
from extractor.stages.locate.ruleset import LocateRules, load_locate_rules

__all__ = [
    "Gazetteer",
    "Jurisdiction",
    "LocateRules",
    "Place",
    "find_issuer",
    "find_meeting_date",
    "find_outlet",
    "find_published",
    "gazetteer",
    "jionlp_location_text",
    "level_of",
    "load_locate_rules",
    "locate",
    "location_tree",
    "location_tree_from_jionlp",
    "render_divisions",
    "render_towns",
    "resolve_jurisdiction",
    "resolve_meeting_date",
]


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

    issuer = find_issuer(title, cleaned.text, gaz)
    meeting_date, why = find_meeting_date(cleaned.text, published, rules, issuer.sentence)
    if why:
        evidence["meeting_date"] = why

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
