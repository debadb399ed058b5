"""locate: case tables for datelines, meeting dates, jurisdiction, issuer, leaders and outlet.

Tables live in ``tests/cases/locate_*.yaml``; the seeds are checked against the gold document fields.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest
import yaml

from extractor.stages.clean import clean_text, fold_width
from extractor.stages.locate import (
    find_meeting_date,
    find_published,
    gazetteer,
    load_locate_rules,
    locate,
)
from extractor.models import Cleaned, Loaded
from extractor.stages.locate.people import lookup_provincial, provincial_terms

CASES = Path(__file__).parent / "cases"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
GOLD = Path("/work/shared/gold/seeds.json")

DATES = yaml.safe_load((CASES / "locate_dates.yaml").read_text(encoding="utf-8"))
NOTICES = yaml.safe_load((CASES / "locate_notices.yaml").read_text(encoding="utf-8"))
FAMILIES = yaml.safe_load((CASES / "locate_families.yaml").read_text(encoding="utf-8"))
SEED_CASES = yaml.safe_load((CASES / "locate_seeds.yaml").read_text(encoding="utf-8"))


def _iso(value) -> str | None:
    return None if value is None else str(value)


def _date(value) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


# ---------------------------------------------------------------- published

@pytest.mark.parametrize("case", DATES["published"], ids=[c["name"] for c in DATES["published"]])
def test_published(case: dict) -> None:
    header = fold_width(case["header"])
    body = fold_width(case.get("body", ""))
    page = header + "\n" + body if body else header
    got, why = find_published(header, page, body, case.get("html_date", ""))
    assert _iso(got) == _iso(case["expect"]), why
    if got is not None:
        assert why.startswith(("dateline:", "html:", "forum stamp:"))


def test_published_ignores_related_news_after_the_body() -> None:
    page = ("防输入和防扩散并重\n最后更新: 2020-02-05 20:42:28\n"
            "市疫情防控工作领导小组今天(2月5日)举行会议。会议强调,要压实属地责任,坚持群防群控。\n"
            "原标题:防输入和防扩散并重\n相关推荐\n合肥所有住宅实行封闭管理\n2020-02-04 18:39 新冠肺炎抗疫战\n")
    meta = locate(clean_text(page))
    assert meta.published == dt.date(2020, 2, 5)
    assert meta.meeting_date == dt.date(2020, 2, 5)


def test_published_is_not_a_date_in_the_body() -> None:
    page = "市委召开常委会会议\n2021年12月1日,市委召开常委会会议,研究部署疫情防控工作。会议要求,要压实责任。\n"
    meta = locate(clean_text(page))
    assert meta.published is None
    assert meta.meeting_date == dt.date(2021, 12, 1)  # the meeting sentence gives the full date


def test_published_falls_back_to_html_date() -> None:
    cleaned = Cleaned(text="12月7日,市委召开常委会会议。", title="市委召开常委会会议")
    meta = locate(cleaned, Loaded(path="x.html", text="", is_html=True, html_date="2021-12-08"))
    assert meta.published == dt.date(2021, 12, 8)
    assert meta.evidence["published"] == "html:date metadata"
    assert meta.meeting_date == dt.date(2021, 12, 7)


# ---------------------------------------------------------------- meeting date

@pytest.mark.parametrize("case", DATES["meeting"], ids=[c["name"] for c in DATES["meeting"]])
def test_meeting_date(case: dict) -> None:
    got, why = find_meeting_date(fold_width(case["text"]), _date(case["published"]))
    assert _iso(got) == _iso(case["expect"]), why
    published = _date(case["published"])
    if got is not None and published is not None:
        assert got <= published


def test_vague_meeting_date_says_why() -> None:
    got, why = find_meeting_date("日前,市委召开常委会会议。", dt.date(2021, 12, 8))
    assert got is None and "日前" in why


# ---------------------------------------------------------------- whole notices

def _check(meta, expect: dict, evidence: dict) -> None:
    for key, value in expect.items():
        if key == "leaders":
            assert [f"{ld.post}:{ld.name}" for ld in meta.leaders] == value, meta.leaders
        elif key in ("published", "meeting_date"):
            assert _iso(getattr(meta, key)) == _iso(value), (key, meta.evidence)
        else:
            assert getattr(meta, key) == fold_width(value), (key, getattr(meta, key), meta.evidence)
    for key, fragment in evidence.items():
        assert fold_width(fragment) in meta.evidence.get(key, ""), (key, meta.evidence)


@pytest.mark.parametrize("case", NOTICES, ids=[c["name"] for c in NOTICES])
def test_notice(case: dict) -> None:
    meta = locate(clean_text(case["page"]))
    _check(meta, case.get("expect", {}), case.get("evidence", {}))


@pytest.mark.parametrize("case", FAMILIES, ids=[c["name"] for c in FAMILIES])
def test_family(case: dict) -> None:
    meta = locate(clean_text(case["page"]))
    _check(meta, case.get("expect", {}), case.get("evidence", {}))


def test_every_inferred_jurisdiction_has_evidence() -> None:
    for case in NOTICES + FAMILIES:
        meta = locate(clean_text(case["page"]))
        for key in ("province", "city", "county", "admin_level", "issuer", "source", "published"):
            if getattr(meta, key):
                assert meta.evidence.get(key), (case["name"], key, meta.evidence)


# ---------------------------------------------------------------- the seeds

@pytest.mark.parametrize("case", SEED_CASES, ids=[c["file"][:3] for c in SEED_CASES])
def test_seed(case: dict) -> None:
    cleaned = clean_text((SEEDS / case["file"]).read_text(encoding="utf-8"))
    meta = locate(cleaned, Loaded(path=case["file"], text=""))
    for key in ("province", "city", "county", "admin_level", "issuer", "source", "title"):
        assert getattr(meta, key) == case[key], (key, getattr(meta, key), meta.evidence)
    assert _iso(meta.published) == _iso(case["published"])
    assert _iso(meta.meeting_date) == _iso(case["meeting_date"])
    assert [f"{ld.post}:{ld.name}" for ld in meta.leaders] == case["leaders"]


@pytest.mark.skipif(not GOLD.exists(), reason="gold file not available")
def test_seed_table_agrees_with_gold() -> None:
    gold = {d["file"]: d for d in json.loads(GOLD.read_text(encoding="utf-8"))["documents"]}
    for case in SEED_CASES:
        for key in ("province", "city", "county", "admin_level", "published", "meeting_date"):
            assert str(case[key]) == str(gold[case["file"]][key]), (case["file"], key)


def test_seed_evidence_names_what_decided() -> None:
    cleaned = clean_text((SEEDS / "002_ab591247d2211865.txt").read_text(encoding="utf-8"))
    meta = locate(cleaned)
    assert meta.evidence["province"] == "leader:市委书记李强 (data/leaders.csv)"
    cleaned = clean_text((SEEDS / "000_1f447dccc34fc85d.txt").read_text(encoding="utf-8"))
    meta = locate(cleaned)
    assert meta.evidence["city"].startswith("outlet:中国宁波网")
    assert meta.evidence["published"] == "dateline:稿源 line"


def test_locate_is_fast_once_warm() -> None:
    cleaned = [clean_text(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    for c in cleaned:
        locate(c)
    start = time.perf_counter()
    for _ in range(20):
        for c in cleaned:
            locate(c)
    per_notice = (time.perf_counter() - start) / (20 * len(cleaned))
    assert per_notice < 0.02, per_notice


# ---------------------------------------------------------------- data and rules

def test_leaders_csv_covers_every_provincial_unit_2019_2023() -> None:
    gaz = gazetteer()
    provinces = {p.province for places in gaz.by_name.values() for p in places if p.level == "province"}
    assert len(provinces) == 31
    terms = [t for ts in provincial_terms().values() for t in ts]
    assert {t.province for t in terms} == provinces
    for prov in provinces:
        for post in ("secretary", "governor"):
            spans = sorted((t.start, t.end or dt.date(2099, 1, 1)) for t in terms
                           if t.province == prov and t.post == post)
            assert spans[0][0] <= dt.date(2019, 1, 1), (prov, post)
            assert spans[-1][1] >= dt.date(2023, 12, 31), (prov, post)
            for (_, end), (start, _) in zip(spans, spans[1:]):
                assert (start - end).days <= 120, (prov, post, end, start)  # no long gaps


def test_every_leader_in_the_data_has_a_known_surname() -> None:
    from extractor.stages.locate.people import surnames

    single, double = surnames()
    for (name, _post) in provincial_terms():
        assert "·" in name or name[0] in single or name[:2] in double, name


def test_leaders_csv_header_states_provenance() -> None:
    head = (Path(__file__).resolve().parent.parent / "extractor" / "data" / "leaders.csv").read_text(
        encoding="utf-8").split("province,post,name")[0]
    assert "public" in head and "2019-01-01" in head and "2023-12-31" in head


def test_provincial_lookup_needs_the_right_post_and_time() -> None:
    assert lookup_provincial("李强", "市委书记", dt.date(2020, 2, 5)).province == "上海市"
    assert lookup_provincial("李强", "省委书记", dt.date(2020, 2, 5)) is None
    assert lookup_provincial("李强", "市委书记", dt.date(2023, 6, 1)) is None  # left in 2022
    assert lookup_provincial("应勇", "省委书记", dt.date(2019, 6, 1)) is None  # Shanghai mayor then
    assert lookup_provincial("楼阳生", "省长", dt.date(2019, 1, 1)).province == "山西省"
    assert lookup_provincial("楼阳生", "省委书记", dt.date(2021, 12, 11)).province == "河南省"


def test_gazetteer_resolves_counties_upward() -> None:
    gaz = gazetteer()
    (place,) = gaz.by_name["沈丘县"]
    assert (place.province, place.city, place.county) == ("河南省", "周口市", "沈丘县")
    assert len(gaz.by_name["朝阳区"]) >= 2
    assert [n for _, _, n, _ in gaz.names_in("浙江省宁波市镇海区")] == ["浙江省", "宁波市", "镇海区"]


def test_rule_file_examples() -> None:
    rules = load_locate_rules()
    ctx = rules.text_abbreviation_regex
    for text in rules.abbreviation_context.examples.match:
        assert ctx.search(text), text
    for text in rules.abbreviation_context.examples.no_match:
        assert not ctx.search(text), text
    gaz = gazetteer()
    for abbr in rules.province_abbreviations:
        assert abbr.province in gaz.by_name, abbr


def test_every_locate_pattern_finds_its_examples() -> None:
    from extractor.stages.locate.ruleset import PATTERN_IDS

    rules = load_locate_rules()
    assert set(rules.patterns) == set(PATTERN_IDS)
    for pattern_id, rule in rules.patterns.items():
        rx = rules.rx(pattern_id)
        for text in rule.examples.match:
            assert rx.search(fold_width(text)), (pattern_id, text)
        for text in rule.examples.no_match:
            assert not rx.search(fold_width(text)), (pattern_id, text)


def test_a_pattern_that_misses_its_example_is_reported_on_load() -> None:
    from extractor.stages.locate import LocateRules
    from extractor.rules import RuleFileError, validate_file

    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "extractor" / "rules" / "locate.yaml")
                          .read_text(encoding="utf-8"))
    data["patterns"]["forum_stamp"]["examples"]["match"].append("发表讲话")
    with pytest.raises(RuleFileError, match="forum_stamp"):
        validate_file(LocateRules, "locate.yaml", data)
    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "extractor" / "rules" / "locate.yaml")
                          .read_text(encoding="utf-8"))
    del data["patterns"]["byline"]
    with pytest.raises(RuleFileError, match="byline"):
        validate_file(LocateRules, "locate.yaml", data)
    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "extractor" / "rules" / "locate.yaml")
                          .read_text(encoding="utf-8"))
    del data["fragments"]["meeting_noun"]
    with pytest.raises(RuleFileError, match="meeting_noun"):
        validate_file(LocateRules, "locate.yaml", data)


def test_bad_rule_file_is_reported_with_its_key() -> None:
    from extractor.stages.locate import LocateRules
    from extractor.rules import RuleFileError, validate_file

    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "extractor" / "rules" / "locate.yaml")
                          .read_text(encoding="utf-8"))
    data["abbreviation_context"]["pattern"] = "(?:来|返)"
    with pytest.raises(RuleFileError, match=r"abbreviation_context\.pattern"):
        validate_file(LocateRules, "locate.yaml", data)
    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "extractor" / "rules" / "locate.yaml")
                          .read_text(encoding="utf-8"))
    data["unknown_key"] = 1
    with pytest.raises(RuleFileError, match="unknown_key"):
        validate_file(LocateRules, "locate.yaml", data)


def test_long_post_chains_do_not_backtrack_forever() -> None:
    text = "省委书记、" * 400 + "王某主持召开会议。"
    start = time.perf_counter()
    locate(Cleaned(text=text, header="", page=text, title=""))
    assert time.perf_counter() - start < 1.0


def test_locate_never_raises_on_odd_input() -> None:
    for text in ("", "\n\n", "。。。", "市委书记", "召开会议", "12月", "32日,市委召开会议。", "省长" * 50,
                 re.escape("()[]{}") + "召开"):
        meta = locate(Cleaned(text=text, header=text, page=text, title=text[:20]))
        assert meta.admin_level in ("national", "province", "city", "county", "township", "")


def test_packaged_divisions_are_jionlp_s_data() -> None:
    # data/divisions.tsv and data/towns.tsv are copies of jionlp's gazetteer lines, read fast at
    # start-up; they must equal what the installed jionlp ships, and the tree jionlp's own loader builds.
    import contextlib
    import io

    from extractor.stages.locate import location_tree, location_tree_from_jionlp, render_divisions, render_towns

    data = Path(__file__).resolve().parents[1] / "extractor" / "data"
    assert (data / "divisions.tsv").read_text(encoding="utf-8") == render_divisions(), \
        "regenerate with locate.render_divisions()"
    assert (data / "towns.tsv").read_text(encoding="utf-8") == render_towns(), \
        "regenerate with locate.render_towns()"
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp
    assert location_tree() == location_tree_from_jionlp() == jionlp.china_location_loader()


TOWN_NOTICE = ("千灯镇召开疫情防控工作会议\n发布时间：2022-04-02\n4月1日，千灯镇召开疫情防控工作会议。"
               "会议强调，要严格落实常态化防控措施。\n")


def test_township_places_need_no_earlier_jionlp_import(tmp_path: Path) -> None:
    # jionlp unpacks its data files when it is first imported; a fresh install has none of them.
    # In a process that never imported jionlp, with jionlp's unpacked text file out of sight, a
    # town still resolves to its county.
    import subprocess
    import sys

    script = tmp_path / "town.py"
    script.write_text(
        "import builtins, os, sys\n"
        "real_open = builtins.open\n"
        "def guarded(path, *a, **k):\n"
        "    if str(path).endswith('china_location.txt'):\n"
        "        raise FileNotFoundError(path)\n"
        "    return real_open(path, *a, **k)\n"
        "builtins.open = guarded\n"
        "from extractor.stages.clean import clean_text\n"
        "from extractor.stages.locate import locate\n"
        f"meta = locate(clean_text({TOWN_NOTICE!r}))\n"
        "assert 'jionlp' not in sys.modules, 'jionlp was imported'\n"
        "print(meta.province, meta.city, meta.county, meta.admin_level)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", str(script)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["江苏省", "苏州市", "昆山市", "township"]


def test_fast_lookups_agree_with_their_plain_definitions() -> None:
    # Place names, post chains and footer lines are found with indexes and spelled-out patterns
    # for speed; each must find exactly what its plain definition finds.
    import random

    from extractor.stages.locate import people
    from extractor.stages.locate import outlet, places

    gaz = gazetteer()

    def names_plain(text: str, min_len: int) -> list:
        out, last_end = [], -1
        for m in re.finditer(f"[{places._NAME_SUFFIXES}]", text):
            end = m.end()
            for n in range(min(gaz.max_len, end), min_len - 1, -1):
                if end - n >= last_end and text[end - n:end] in gaz.by_name:
                    out.append((end - n, end, text[end - n:end], gaz.by_name[text[end - n:end]]))
                    last_end = end
                    break
        return out

    def ending_plain(text: str, end: int, min_len: int):
        for n in range(min(gaz.max_len, end), min_len - 1, -1):
            if text[end - n:end] in gaz.by_name:
                return text[end - n:end], gaz.by_name[text[end - n:end]]
        return None

    post = people._POST
    plain_chain = re.compile(rf"(?P<chain>{post}(?:、{post}){{0,5}})(?P<rest>[\u4e00-\u9fff·]{{2,12}})")
    plain_footer = re.compile(r"版权所有|主办|ICP备|公网安备|网站标识码|Copyright", re.I)
    rng = random.Random(7)
    words = ["浙江省", "宁波市", "镇海区", "城区", "市区", "朝阳区", "新疆维吾尔自治区", "省委", "市委", "书记", "常委", "、",
             "副", "常务副", "代", "市长", "秘书长", "组长", "领导小组", "委", "街道", "王凯", "李强", "主持", "。", ",", "\n",
             "ICP备", "icp备", "İCP备", "COPYRIGHT", "版权所有", "的", "召开"]
    for _ in range(3000):
        text = "".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        for min_len in (1, 2, 3):
            assert gaz.names_in(text, min_len) == names_plain(text, min_len), text
        for end in range(len(text) + 1):
            assert gaz.name_ending_at(text, end) == ending_plain(text, end, 2), (text, end)
        found = [(m.span(), m["chain"], m["rest"]) for m in people.POST_CHAIN.finditer(text)]
        assert found == [(m.span(), m["chain"], m["rest"]) for m in plain_chain.finditer(text)], text
        assert all(people._HEAD_HINT.search(chain) for _, chain, _ in found), text
        assert bool(outlet._FOOTER_LINE.search(text)) == bool(plain_footer.search(text)), text


def test_post_name_counts_are_the_text_s_own() -> None:
    from extractor.stages.locate.people import count_all

    text = "市委书记李强主持会议。李强强调,李强主持。王凯作部署,王凯说。"
    wanted = {"李强", "李强主", "王凯", "王凯作", "张三", "强调"}
    for body in (text, text * 30_000):  # counted one by one, and by one search per length
        assert count_all(body, wanted) == {w: body.count(w) for w in wanted}


@pytest.mark.parametrize("sentence", ["常务副县长刘宏杰来我镇召开推进会,宏杰县长强调,要严格落实。",
                                      "会议由副市长主持召开,市长指出,要压实责任。",
                                      "县长要求,各乡镇要加强排查。"])
def test_a_speech_verb_after_a_post_is_not_a_name(sentence: str) -> None:
    from extractor.stages.locate.people import find_leaders

    names = [p.name for p in find_leaders(sentence)]
    assert not any(n.startswith(("强调", "指出", "要求", "主持")) for n in names), names


def _long_notice(n_chars: int) -> Cleaned:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    head = clean_text(seeds[2])
    parts, i = [head.text], 0
    while sum(map(len, parts)) < n_chars:
        for s in seeds:
            parts.append("\n".join(f"{ln}第{i}段。" for ln in s.split("\n")[3:] if ln.strip()))
            i += 1
    text = "\n".join(parts)
    return Cleaned(text=text, header=head.header, page=head.header + "\n" + text, title=head.title)


def test_locate_grows_linearly_with_the_notice() -> None:
    # A notice of a million characters and one of twice that: locate once took 0.28 s and 1.06 s.
    small, large = _long_notice(400_000), _long_notice(800_000)
    timings = []
    for cleaned in (small, large):
        locate(cleaned)
        start = time.perf_counter()
        locate(cleaned)
        timings.append(time.perf_counter() - start)
    assert timings[0] < 0.25, timings
    assert timings[1] < 3 * timings[0] + 0.02, timings


# ---------------------------------------------------------------- accuracy floors

DOC_FIELDS = ("province", "city", "county", "admin_level", "published", "meeting_date")
ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "dev"
SEED_FLOORS = dict.fromkeys(DOC_FIELDS, 1.0)
DEV_FLOORS = {"province": 0.90, "city": 0.90, "county": 0.85, "admin_level": 0.85, "published": 0.95,
              "meeting_date": 0.90}


def _field_accuracy(raw: Path, gold_docs: list[dict]) -> dict[str, float]:
    """Share of gold document fields matched, per field; a field that is null in the gold is not
    knowable from the page and is not scored."""
    from extractor.pipeline import Extractor

    ex = Extractor()
    right = dict.fromkeys(DOC_FIELDS, 0)
    scored = dict.fromkeys(DOC_FIELDS, 0)
    for doc in gold_docs:
        got = ex.extract_path(raw / doc["file"]).document
        for key in DOC_FIELDS:
            if doc.get(key) is None:
                continue
            value = getattr(got, key)
            scored[key] += 1
            right[key] += (str(value) if value is not None else "") == str(doc[key])
    return {k: right[k] / scored[k] for k in DOC_FIELDS if scored[k]}


def test_seed_document_fields_stay_at_their_floors() -> None:
    gold = json.loads((Path(__file__).parent / "data" / "seeds_gold.json").read_text(encoding="utf-8"))
    accuracy = _field_accuracy(SEEDS, gold["documents"])
    assert set(accuracy) == set(DOC_FIELDS)
    for key, floor in SEED_FLOORS.items():
        assert accuracy[key] >= floor, (key, accuracy)


@pytest.mark.skipif(not (DEV / "gold.json").exists(),
                    reason="the development set is not beside the repository")
def test_dev_document_fields_reach_their_floors() -> None:
    gold = json.loads((DEV / "gold.json").read_text(encoding="utf-8"))
    accuracy = _field_accuracy(DEV / "raw", gold["documents"])
    for key, floor in DEV_FLOORS.items():
        assert accuracy[key] >= floor, (key, accuracy)


def test_leader_table_with_a_source_column_reads_the_same_terms() -> None:
    from extractor.stages.locate.people import parse_terms

    plain = "# comment\nprovince,post,name,start,end\n上海市,secretary,李强,2017-10-29,2022-10-28\n"
    sourced = ("# comment\nprovince,post,name,start,end,source\n"
               '上海市,secretary,李强,2017-10-29,2022-10-28,"https://example.org/a,b"\n')
    assert parse_terms(sourced) == parse_terms(plain)
    (term,) = parse_terms(plain)[("李强", "secretary")]
    assert term.province == "上海市" and term.end == dt.date(2022, 10, 28)


@pytest.mark.parametrize(("title", "expect"), [
    ("鄂州召开疫情防控工作会议", ("湖北省", "鄂州市", "", "city")),
    ("县委召开常委会会议 研究部署疫情防控工作", ("", "", "", "county")),
    ("文成县召开疫情防控工作部署会", ("浙江省", "温州市", "文成县", "county")),
])
def test_headline_is_the_meeting_sentence_when_the_body_names_none(title: str, expect: tuple) -> None:
    body = "会议强调，要坚决守住疫情防控底线。各级各部门要压实责任。"
    meta = locate(Cleaned(text=fold_width(body), header="", page=title + "\n" + body, title=title))
    assert (meta.province, meta.city, meta.county, meta.admin_level) == expect, meta.evidence
    assert meta.evidence["issuer"] == "title"


@pytest.mark.parametrize(("html_title", "county"), [
    ("县委召开常委会会议_沈丘县人民政府", "沈丘县"),
    ("县疫情防控指挥部召开例会 - 嘉善县人民政府门户网站", "嘉善县"),
    ("县委召开常委会会议|文成新闻网", "文成县"),
])
def test_page_title_that_ends_in_the_site_name(html_title: str, county: str) -> None:
    page = "1月9日，县委召开常委会会议，研究部署疫情防控工作。会议强调，要坚决守住底线。"
    meta = locate(clean_text(page, html_title=html_title))
    assert meta.county == county, meta.evidence
    if county:
        assert meta.evidence["county"].startswith("page title:")


@pytest.mark.parametrize(("outlet", "place"), [
    ("文成新闻网", "文成县"), ("石鼓融媒", "石鼓区"), ("嘉善发布", "嘉善县"),
    ("东方网", None), ("中国长安网", None), ("平安中国", None),
])
def test_county_short_names_in_outlets_need_an_outlet_word(outlet: str, place: str | None) -> None:
    hit = gazetteer().places_in_outlet(outlet)
    names = {p.name for p in hit[1]} if hit else set()
    assert (place in names) if place else not any(n.endswith(("县", "区")) for n in names), (outlet, hit)


ONELINE = yaml.safe_load((CASES / "locate_oneline.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", ONELINE, ids=[c["name"] for c in ONELINE])
def test_one_line_page(case: dict) -> None:
    """A page whose line breaks were lost reads its header fields as a broken page would."""
    cleaned = clean_text(case["page"])
    assert ("\n" in cleaned.page) == case.get("split", True)  # whether the run-on line was split
    meta = locate(cleaned)
    _check(meta, case.get("expect", {}), case.get("evidence", {}))
