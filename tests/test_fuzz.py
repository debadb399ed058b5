"""Properties over the whole pipeline, on arbitrary text and bytes and on notice-shaped text:
it never raises, offsets always index the cleaned text, and the models round-trip."""

from __future__ import annotations

import codecs

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.load import LoadError, loaded_from_bytes
from extractor.models import DirectiveRow, DocumentRow, Notice
from extractor.pipeline import shared_extractor
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
