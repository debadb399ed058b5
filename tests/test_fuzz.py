"""Properties over the whole pipeline, on arbitrary text and bytes and on notice-shaped text:
it never raises, offsets always index the cleaned text, and the models round-trip."""

from __future__ import annotations

import codecs
import html
import re
import signal
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.stages.load import LoadError, loaded_from_bytes
from extractor.models import DirectiveRow, DocumentRow, Notice
from extractor.pipeline import shared_extractor
from extractor.rules import RuleFileError, backtracking_risk
from extractor.stages.tag import Tagger
from fixtures import SEEDS, body_lines, portal_html

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_LINES = sorted({ln for seed in SEEDS.values() for ln in body_lines(seed.text())})
_PIECES = [
    "一要", "二要", "三是", "(一)", "（二）", "1.", "2、", "①", "要", "会议强调,", "会议指出，", "他强调", "最好的方法是",
    "执行规定要严,", "。", "；", ";", "，", "、", "\n", "\r\n", "\r", "\\r\\n", "\\n", "\u3000", "\xa0", " ", "\t",
    "戰(zhàn)", "會議強調", "？？", "\ufffd", "<p>", "</p>", "<br>", "<div class='nav'>", "&nbsp;", "&ldquo;",
    "您当前的位置: 首页 > 新闻 > 正文", "2021-12-13", "2020年04月21日13:29", "来源:本站", "责任编辑: 张三",
    "豫ICP备13003979号-1", "【专题】", "省委1.jpg", "(记者 张冰)", "\u200b", "\ufeff", "\u2028", "𠀀", "😷",
]
notice_like = st.lists(st.one_of(st.sampled_from(_LINES), st.sampled_from(_PIECES), st.text(max_size=12)),
                       max_size=40).map("".join)


def check_notice(notice: Notice) -> None:
    doc = notice.document
    assert doc.n_directives == len(notice.directives)
    assert doc.status == ("ok" if notice.directives else "no_directives") or doc.status == "error"
    last_end = -1
    for no, d in enumerate(notice.directives, start=1):
        assert 0 <= d.start < d.end <= len(doc.text)
        assert doc.text[d.start:d.end] == d.text
        assert d.start >= last_end  # in document order, not overlapping
        last_end = d.end
        assert d.directive_no == no and d.numbered == (d.kind == "numbered")
        assert d.doc_id == doc.doc_id and d.source_path == doc.source_path
        assert DirectiveRow.model_validate(d.model_dump()) == d
        assert DirectiveRow.model_validate_json(d.model_dump_json()) == d
    assert DocumentRow.model_validate(doc.model_dump()) == doc
    assert Notice.model_validate_json(notice.model_dump_json()) == notice


@FUZZ
@given(st.text(max_size=400))
def test_any_text(text):
    check_notice(shared_extractor().extract_text(text, "fuzz.txt"))


@FUZZ
@given(notice_like)
def test_notice_shaped_text(text):
    check_notice(shared_extractor().extract_text(text, "fuzz.txt"))


@FUZZ
@given(notice_like, st.sampled_from(["p", "br", "table"]))
def test_notice_shaped_page(text, layout):
    page = portal_html(text, title="市疫情防控工作领导小组例会", site="中国宁波网", published="2020-05-25",
                       layout=layout)
    check_notice(shared_extractor().extract_text(page, "fuzz.html"))


_ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "utf-16-le", "utf-16-be", "cp1252"]
_PREFIXES = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, b"%PDF-",
             b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"\x00", b"<meta charset=gbk>", b"<meta charset=big5>",
             b"<meta charset=bogus-enc>", b"<?xml version='1.0' encoding='utf-16'?>"]


@st.composite
def file_bytes(draw) -> bytes:
    text = draw(notice_like)
    encoding = draw(st.sampled_from(_ENCODINGS))
    body = text.encode(encoding, errors=draw(st.sampled_from(["ignore", "replace", "xmlcharrefreplace"])))
    noise = draw(st.binary(max_size=40))
    at = draw(st.integers(0, len(body)))
    return draw(st.sampled_from(_PREFIXES)) + body[:at] + noise + body[at:]


def _load_or_error(data: bytes):
    try:
        return loaded_from_bytes(data, "fuzz.bin")
    except LoadError as exc:
        message = str(exc)
        assert message and "\n" not in message
        return None


@FUZZ
@given(st.one_of(st.binary(max_size=600), file_bytes()))
def test_any_bytes(data):
    loaded = _load_or_error(data)
    if loaded is None:
        return
    assert loaded.encoding and loaded.text.strip()
    check_notice(shared_extractor().extract_loaded(loaded))


def test_any_file_through_extract_path(tmp_path):
    """extract_path turns every failure into a document row, on the bytes hypothesis finds hardest."""
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.one_of(st.binary(max_size=300), file_bytes()))
    def run(data):
        path = tmp_path / "f.txt"
        path.write_bytes(data)
        notice = shared_extractor().extract_path(path)
        assert notice.document.status in ("ok", "no_directives", "error")
        if notice.document.status == "error":
            assert notice.document.error and not notice.directives
            assert not notice.document.error.startswith("extraction failed"), notice.document.error
        else:
            check_notice(notice)

    run()


# -- structured cases: deep nesting, huge lines, regex bombs in user rules --------------------------

_NEST_TAGS = ["div", "span", "font", "center", "section", "table", "td", "b"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 3000), st.sampled_from(_NEST_TAGS), notice_like)
def test_deeply_nested_pages(depth, tag, text):
    """A page nested up to 3,000 levels: read whole up to the parser's 2,048, else a LoadError."""
    body = "".join(f"<p>{html.escape(ln)}</p>" for ln in text.split("\n"))
    page = f"<html><body>{f'<{tag}>' * depth}<p>会议强调,一要加强核酸检测。</p>{body}{f'</{tag}>' * depth}</body></html>"
    loaded = _load_or_error(page.encode("utf-8"))
    if depth < 2000:
        assert loaded is not None and "加强核酸检测" in loaded.text
    if loaded is not None:
        check_notice(shared_extractor().extract_loaded(loaded))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 5000), st.sampled_from(["[", "{\"a\":", "[{\"content\":", "(", "<", "【"]), notice_like)
def test_deeply_nested_brackets_and_records(depth, opener, text):
    loaded = _load_or_error((opener * depth + "\n会议强调,一要加强核酸检测。\n" + text).encode("utf-8"))
    if loaded is not None:
        check_notice(shared_extractor().extract_loaded(loaded))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(20_000, 400_000), st.sampled_from(_LINES + ["a", "。", " ", "&nbsp;", "一要"]), st.booleans())
def test_huge_lines_in_linear_time(length, piece, as_page):
    """One line of up to 400,000 characters: processed, and at about the speed of ordinary text."""
    line = (piece * (length // len(piece) + 1))[:length]
    text = f"<html><body><p>{line}</p></body></html>" if as_page else "会议强调,\n" + line
    start = time.monotonic()
    notice = shared_extractor().extract_text(text, "huge.txt")
    assert time.monotonic() - start < 5 + length / 20_000  # ~1 s per 100,000 characters measured
    check_notice(notice)


_RX_ATOMS = st.sampled_from(["a", "b", "核", ".", "[ab]", "[^,]", r"\d", r"\s", r"\w", "(?:ab)", "(?:a|b)",
                             "(?:a|ab)", "1", ","])
regexes = st.recursive(_RX_ATOMS, lambda inner: st.one_of(
    st.tuples(inner, st.sampled_from(["*", "+", "?", "{0,3}", "{2}", "*?", "+?", "{1,}"])).map("".join),
    st.lists(inner, min_size=2, max_size=3).map("".join),
    st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(?:" + "|".join(xs) + ")"),
    inner.map(lambda x: f"(?:{x})"),
), max_leaves=8)


class _Slow(Exception):
    pass


def _finishes(pattern: str, texts: list[str], seconds: float) -> bool:
    """Whether ``re`` searches ``pattern`` over every text within ``seconds`` (re checks signals)."""
    def stop(signum, frame):
        raise _Slow

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        rx = re.compile(pattern)
        for text in texts:
            rx.search(text)
        return True
    except _Slow:
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# Lines that make a backtracking pattern try every way to cut them: a run of one character, then
# one that no part of the pattern expects.
_ATTACKS = [c * 60 + "!" for c in ("a", "b", "核", "1", " ", ",")] + ["ab" * 30 + "!", "a1" * 30 + "!"]


@settings(max_examples=300, deadline=None)
@given(regexes)
def test_accepted_user_patterns_never_backtrack_exponentially(pattern):
    """A pattern the taxonomy check lets through runs on lines built to defeat it in well under a
    second (an exponential one takes hours on these 61 characters, a polynomial one microseconds)."""
    pattern += "~"  # then something the lines lack: every way to match the rest is tried, and fails
    try:
        re.compile(pattern)
    except re.error:  # a** and the like: refused on load as invalid
        return
    if backtracking_risk(pattern):
        return
    assert _finishes(pattern, _ATTACKS, 2.0), pattern


@settings(max_examples=100, deadline=None)
@given(_RX_ATOMS, st.sampled_from(["*", "+", "{1,}", "{0,9}"]), st.sampled_from(["*", "+", "{2,}", "{1,5}"]))
def test_nested_quantifiers_are_always_refused(atom, inner, outer):
    pattern = f"(?:{atom}{inner}x?){outer}"
    assert backtracking_risk(pattern), pattern


def test_catastrophic_user_pattern_is_refused_before_it_runs(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text("themes:\n  - id: bomb\n    label: 炸弹\n    patterns: ['(a+)+$']\n"
                    "    examples:\n      match: [aaa]\n", encoding="utf-8")
    assert not _finishes("(a+)+$", ["a" * 40 + "!"], 0.5)  # what the check spares the run
    with pytest.raises(RuleFileError, match="themes\\[bomb\\]"):
        Tagger.from_files(path)
