"""Notices saved as database records (one JSON object per file) are unpacked, not read as prose."""

from __future__ import annotations

import json

import pytest

from extractor.stages.load import LoadError, loaded_from_text
from extractor.pipeline import Extractor

RECORD = {"id": 1823, "title": "市委常委会召开会议 研究部署疫情防控工作", "pub_date": "2021-08-03 18:20:00",
          "source": "某某日报", "url": "http://example.cn/a/1823.html",
          "content": "8月3日，市委书记张卫东主持召开市委常委会会议。\r\n会议强调，要严格落实各项防控措施。\r\n"
                     "会议要求，一要加强核酸检测；二要做好流调溯源。"}


def test_record_fields_become_text_and_metadata():
    loaded = loaded_from_text(json.dumps(RECORD, ensure_ascii=False), "r.txt")
    assert loaded.text.startswith("8月3日")
    assert (loaded.html_title, loaded.html_date, loaded.source, loaded.url) == (
        RECORD["title"], RECORD["pub_date"], "某某日报", RECORD["url"])


def test_record_through_the_pipeline():
    notice = Extractor().extract_text(json.dumps(RECORD, ensure_ascii=False), "r.txt")
    doc = notice.document
    assert (doc.title, doc.source, doc.url, str(doc.published)) == (
        RECORD["title"], "某某日报", RECORD["url"], "2021-08-03")
    assert [d.marker for d in notice.directives] == ["要", "一要", "二要"]
    assert not any('"' in d.text or "content" in d.text for d in notice.directives)


def test_record_with_html_content():
    record = {"标题": "县指挥部召开例会", "发布时间": "2022-03-15",
              "正文": "<p>会议强调，要加强核酸检测，扩大筛查范围。</p><p>会议要求，要做好物资保障。</p>"}
    notice = Extractor().extract_text(json.dumps(record, ensure_ascii=False), "r.txt")
    assert [d.text for d in notice.directives] == ["要加强核酸检测,扩大筛查范围。", "要做好物资保障。"]
    assert notice.document.title == "县指挥部召开例会"


def test_many_records_in_one_file_is_a_clear_error():
    with pytest.raises(LoadError, match="a list of 2 records"):
        loaded_from_text(json.dumps([RECORD, RECORD], ensure_ascii=False), "r.txt")


def test_json_that_is_not_a_record_is_left_as_text():
    text = '{"会议": "not a record"}'
    assert loaded_from_text(text, "r.txt").text == text
