"""load: every encoding a Chinese page uses, portal HTML, and a clear reason for each bad file.

The seeds are re-encoded and wrapped in portal chrome at test time (``fixtures.py``); each variant
must decode to the same text, or give the same directives as the plain seed.
"""

from __future__ import annotations

import os
import random
import re

import pytest

from extractor.stages import load, webpage
from extractor.stages.load import LoadError, decode_bytes, load_path, loaded_from_bytes
from extractor.pipeline import Extractor
from extractor.stages.webpage import extract_article, iso_date, strip_site_name
from fixtures import (BINARIES, LAYOUTS, NOVEL, SEEDS, big5_ready, body_lines, portal_html, seed_html,
                      to_traditional)


@pytest.fixture(scope="module")
def ex() -> Extractor:
    return Extractor()


def directive_texts(notice) -> list[str]:
    return [d.text for d in notice.directives]


@pytest.fixture(scope="module")
def plain(ex):
    """Directive texts of each plain seed, the reference for every variant."""
    return {key: directive_texts(ex.extract_text(seed.text(), seed.name)) for key, seed in SEEDS.items()}


def _ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


# -- plain text in every encoding ----------------------------------------------------------------------

# (encoding written, codec recorded): BOMs first, then declared-free legacy encodings found by detection
TEXT_ENCODINGS = [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("gb18030", "gb18030"),
    ("gbk", "gb18030"),
    ("utf-16", "utf-16"),        # with BOM
    ("utf-16-le", "utf-16-le"),  # without BOM
    ("utf-16-be", "utf-16-be"),
    ("utf-32", "utf-32"),
]


@pytest.mark.parametrize("key", sorted(SEEDS))
@pytest.mark.parametrize("encoding,codec", TEXT_ENCODINGS)
def test_text_decodes_to_the_same_characters(key, encoding, codec):
    text = SEEDS[key].text()
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        pytest.skip(f"seed {key} has characters {encoding} lacks")
    loaded = loaded_from_bytes(data, "x.txt")
    assert loaded.text == text.removeprefix("\ufeff")
    assert loaded.encoding == codec
    assert not loaded.is_html


@pytest.mark.parametrize("key", sorted(SEEDS))
def test_big5_text_decodes(key):
    # 002 is a traditional-script page; the others as a Taiwan or Hong Kong site would repost them
    text = big5_ready(SEEDS[key].text() if key == "002" else to_traditional(SEEDS[key].text()))
    loaded = loaded_from_bytes(text.encode("big5"), "x.txt")
    assert loaded.text == text
    assert loaded.encoding.startswith("big5")


def test_big5_notice_gives_the_seed_directives(ex, plain):
    loaded = loaded_from_bytes(big5_ready(SEEDS["002"].text()).encode("big5"), "002.txt")
    assert directive_texts(ex.extract_loaded(loaded)) == plain["002"]


def test_traditional_repost_in_big5_gives_the_same_directives_as_in_utf8(ex):
    text = big5_ready(to_traditional(SEEDS["000"].text()))
    from_big5 = ex.extract_loaded(loaded_from_bytes(text.encode("big5"), "a.txt"))
    from_utf8 = ex.extract_text(text, "a.txt")
    assert len(from_big5.directives) >= 5
    assert directive_texts(from_big5) == directive_texts(from_utf8)
    assert from_big5.document.script == "traditional"


def test_short_gbk_paragraph_is_detected():
    text = "会议强调，一要严密防范境外疫情输入，二要持续抓好重点场所防控工作。"
    assert decode_bytes(text.encode("gbk")) == (text, "gb18030")


@pytest.mark.parametrize("key", sorted(SEEDS))
@pytest.mark.parametrize("codec", ["gb18030", "big5hkscs"])
def test_undeclared_legacy_chinese_beyond_doubt_needs_no_detection(monkeypatch, key, codec):
    import charset_normalizer

    def refuse(*args, **kwargs):
        raise AssertionError("detection ran")

    monkeypatch.setattr(charset_normalizer, "from_bytes", refuse)
    text = SEEDS[key].text() if codec == "gb18030" else big5_ready(to_traditional(SEEDS[key].text()))
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        pytest.skip(f"seed {key} has characters {codec} lacks")
    assert decode_bytes(data) == (text.removeprefix("\ufeff"), codec)


def test_a_western_legacy_page_still_goes_to_detection():
    text = "Café crème, déjà vu: naïve façade. " * 20
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252")


def test_utf8_cut_inside_its_last_character_keeps_the_rest():
    data = "会议强调，要加强核酸检测。".encode()
    text, enc = decode_bytes(data[:-1])
    assert enc == "utf-8" and text == "会议强调，要加强核酸检测"


def test_a_few_damaged_bytes_are_replaced_not_fatal(ex, plain):
    data = SEEDS["000"].text().encode("gb18030")
    cut = data.index("深刻吸取".encode("gb18030"))
    damaged = data[:cut] + b"\xff" + data[cut:]
    loaded = loaded_from_bytes(damaged, "x.txt")
    assert loaded.encoding == "gb18030 (1 byte replaced)" and loaded.text.count("\ufffd") == 1
    assert directive_texts(ex.extract_loaded(loaded)) == plain["000"]


@pytest.mark.parametrize("key", ["000", "004"])
def test_mixed_line_endings_and_literal_escapes(ex, plain, key):
    lines = SEEDS[key].text().split("\n")
    mixed = "".join(ln + ("\r\n", "\r", "\n")[i % 3] for i, ln in enumerate(lines))
    assert directive_texts(ex.extract_loaded(loaded_from_bytes(mixed.encode("gb18030"), "m.txt"))) == plain[key]
    dumped = "\\r\\n".join(lines)  # a database dump: one line, newlines as the two characters \ n
    assert "\n" not in dumped
    assert directive_texts(ex.extract_text(dumped, "d.txt")) == plain[key]


# -- portal HTML ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(SEEDS))
@pytest.mark.parametrize("layout", LAYOUTS)
def test_portal_page_gives_the_seed_directives(ex, plain, key, layout):
    page = seed_html(key, layout=layout)
    loaded = loaded_from_bytes(page.encode("utf-8"), f"{key}.html")
    assert loaded.is_html
    # the page chrome is in the page but not in what the segmenter reads
    assert "ICP备" in page
    notice = ex.extract_loaded(loaded)
    assert directive_texts(notice) == plain[key]
    # the same cleaned body, so the page and the text file are one document (duplicates across sites)
    assert notice.document.doc_id == ex.extract_text(SEEDS[key].text(), "x").document.doc_id
    assert _ws(loaded.html_title) == _ws(SEEDS[key].title)
    assert loaded.html_date == SEEDS[key].published


@pytest.mark.parametrize("key", sorted(SEEDS))
@pytest.mark.parametrize("layout", LAYOUTS)
def test_portal_page_keeps_one_paragraph_per_line(key, layout):
    article = extract_article(seed_html(key, layout=layout))
    lines = set(article.text.split("\n"))
    prose = [_ws(ln) for ln in body_lines(SEEDS[key].text()) if ln.endswith("。") and len(ln) > 30]
    assert prose
    missing = [ln for ln in prose if ln not in {_ws(x) for x in lines}]
    assert not missing, f"{layout}: paragraphs merged or dropped: {missing[:2]}"


@pytest.mark.parametrize("damage", ["nothing", "merged", "dropped", "short"])
def test_page_lines_replace_a_damaged_trafilatura_result(monkeypatch, damage):
    # trafilatura returns nothing, runs paragraphs together (as it does with layout tables), drops
    # a numbered paragraph from inside the article, or keeps a small part of the page
    page = seed_html("000", layout="p")
    good = webpage._trafilatura(page)
    lines = good["text"].split("\n")
    i = next(n for n, ln in enumerate(lines) if ln.startswith("二要"))
    bad = {"nothing": "", "merged": " ".join(lines), "dropped": "\n".join(lines[:i] + lines[i + 1:]),
           "short": "\n".join(lines[i:i + 1])}[damage]
    monkeypatch.setattr(webpage, "_trafilatura", lambda p: {**good, "text": bad})
    article = extract_article(page)
    assert article.method == "lines"
    assert any(ln.startswith("二要") for ln in article.text.split("\n"))
    assert any(ln.startswith("三要") for ln in article.text.split("\n"))


def test_a_dropped_short_numbered_heading_is_noticed(monkeypatch):
    body = ("5月25日上午，市疫情防控工作领导小组召开例会。会议强调，要全面落实常态化疫情防控举措。\n"
            "一、严密防范境外疫情输入\n优化防控模式，坚持关口前移与网格兜底相统一，落实首站负责制。\n"
            "二、抓好重点场所防控\n加强对商场、超市等人员密集场所的防控管理，严格落实测温、扫码措施。")
    page = portal_html(body, title="例会", site="中国宁波网", published="2020-05-25")
    good = webpage._trafilatura(page)
    assert extract_article(page).method == "trafilatura"
    monkeypatch.setattr(webpage, "_trafilatura",
                        lambda p: {**good, "text": good["text"].replace("二、抓好重点场所防控\n", "")})
    article = extract_article(page)
    assert article.method == "lines" and "\n二、抓好重点场所防控\n" in article.text


PAGE_LINE_CASES = {
    "comments, scripts and a hidden select": (
        "<html><head><title>t</title><style>p{}</style></head><body><div>导航<!-- 注释 -->首页<script>x()</script>"
        "尾</div><p>第一段<b>加粗</b>文字<br>换行后<select><option>隐藏</option></select>可见</p>"
        "<table><tr><td>格一</td><td>格二</td></tr></table>末尾文字</body></html>"),
    "inline runs and white space": "<body><p>  甲 \n 乙<span> 丙 </span>丁\t</p>\n<div><div>戊</div>己</div></body>",
    "preformatted text": "<body><pre>一行\n  二行</pre><p>段落</p></body>",
    "control characters": "<body><p>第一\x08段</p><div>第二段\x1f</div>尾</body>",
}


@pytest.mark.parametrize("page", [seed_html(k, layout=lay) for k in sorted(SEEDS) for lay in LAYOUTS]
                         + list(PAGE_LINE_CASES.values()))
def test_page_lines_in_one_serialisation_read_as_node_by_node(page):
    fast = webpage.page_lines(webpage._parse(page))
    walked = webpage._page_lines_walk(webpage._parse(page))
    assert [_ws(ln) for ln in fast] == [_ws(ln) for ln in walked]
    assert "\ufdd0" not in "".join(fast)


def test_page_lines_of_a_small_page():
    lines = webpage.page_lines(webpage._parse(PAGE_LINE_CASES["comments, scripts and a hidden select"]))
    assert lines == ["导航首页尾", "第一段加粗文字", "换行后可见", "格一", "格二", "末尾文字"]


def test_trafilatura_result_is_kept_when_whole():
    assert extract_article(seed_html("000", layout="p")).method == "trafilatura"


# (label, charset declared, meta style, bytes encoding)
HTML_ENCODINGS = [
    ("gb2312 declared, GBK characters", "gb2312", "charset", "gb18030"),
    ("gbk via http-equiv", "gbk", "http-equiv", "gb18030"),
    ("undeclared GBK", "gbk", "none", "gb18030"),
    ("big5 with character references", "big5", "charset", "big5"),
    ("utf-16 with BOM", "utf-16", "charset", "utf-16"),
    ("utf-8 with BOM", "utf-8", "charset", "utf-8-sig"),
    ("gbk declared, served as utf-8", "gbk", "charset", "utf-8"),
    ("utf-8 declared, served as GBK", "utf-8", "charset", "gb18030"),
    ("iso-8859-1 declared, served as GBK", "iso-8859-1", "http-equiv", "gb18030"),
    ("utf-16 declared in ASCII, served as GBK", "utf-16", "charset", "gb18030"),
]


@pytest.mark.parametrize("label,charset,meta_style,encoding", HTML_ENCODINGS, ids=[h[0] for h in HTML_ENCODINGS])
@pytest.mark.parametrize("key", sorted(SEEDS))
def test_portal_page_in_every_encoding(ex, plain, key, label, charset, meta_style, encoding):
    page = seed_html(key, charset=charset, meta_style=meta_style)
    data = page.encode(encoding, errors="xmlcharrefreplace")  # as a CMS writes what the charset lacks
    loaded = loaded_from_bytes(data, f"{key}.shtml")
    assert loaded.is_html
    assert directive_texts(ex.extract_loaded(loaded)) == plain[key]
    assert loaded.encoding == {"gb18030": "gb18030", "big5": "big5hkscs", "utf-16": "utf-16",
                               "utf-8-sig": "utf-8-sig", "utf-8": "utf-8"}[encoding]
    if key == "002" and encoding in ("gb18030", "big5"):
        assert "&#" not in loaded.text  # character references were resolved


def test_html_saved_as_txt_is_read_as_html(ex, plain, tmp_path):
    path = tmp_path / "saved_page.txt"
    path.write_bytes(seed_html("001", layout="br", charset="gbk").encode("gb18030"))
    loaded = load_path(path)
    assert loaded.is_html and loaded.encoding == "gb18030"
    assert directive_texts(ex.extract_loaded(loaded)) == plain["001"]


def test_page_metadata_fills_title_and_date_the_text_lacks(ex):
    # a page whose text has no headline line and no date at all: both come from the page's metadata
    body = "\n".join(ln for ln in body_lines(SEEDS["004"].text())[3:])
    page = portal_html(body, title="宋宏伟主持召开市应对新冠肺炎疫情工作领导小组会议", site="双鸭山新闻网",
                       published="2020-04-21", layout="br", show_date=False)
    loaded = loaded_from_bytes(page.encode(), "p.html")
    assert not re.search(r"2020-0?4-21|2020年0?4月21日", loaded.text)
    assert loaded.html_title == "宋宏伟主持召开市应对新冠肺炎疫情工作领导小组会议"
    assert loaded.html_date == "2020-04-21"
    doc = ex.extract_loaded(loaded).document
    assert doc.title == loaded.html_title
    assert doc.published is not None and doc.published.isoformat() == "2020-04-21"


def test_html_fragment_from_a_database_dump(ex, plain):
    lines = body_lines(SEEDS["000"].text())
    fragment = "".join(f"<p>&nbsp;&nbsp;{ln}</p>" for ln in lines)
    loaded = loaded_from_bytes(fragment.encode(), "row.txt")
    assert loaded.is_html
    assert directive_texts(ex.extract_loaded(loaded)) == plain["000"]


def test_entities_in_plain_text_are_resolved():
    loaded = loaded_from_bytes("&nbsp;&nbsp;会议强调&ldquo;四早&rdquo;，要加强管控。&nbsp;".encode(), "x.txt")
    assert loaded.text == "\xa0\xa0会议强调\u201c四早\u201d，要加强管控。\xa0"


@pytest.mark.parametrize("title,expected", [
    ("市疫情防控工作领导小组例会_中国宁波网", "市疫情防控工作领导小组例会"),
    ("市委市政府深夜再部署 - 新华网", "市委市政府深夜再部署"),
    ("我县组织收听收看省委会议|沈丘县人民政府", "我县组织收听收看省委会议"),
    ("今天的疫情防控会议--观察者网", "今天的疫情防控会议"),
    ("会议召开_时政_中国宁波网", "会议召开_时政"),  # 时政 is a section, not a site: kept
    ("坚决打赢疫情防控阻击战——市委常委会会议召开", "坚决打赢疫情防控阻击战——市委常委会会议召开"),
])
def test_site_name_is_trimmed_from_the_title(title, expected):
    assert strip_site_name(title) == expected


@pytest.mark.parametrize("value,expected", [
    ("2020-05-25 20:01", "2020-05-25"), ("2020/5/25", "2020-05-25"), ("2020年05月25日 20:01", "2020-05-25"),
    ("2021-12-08T07:45:00+08:00", "2021-12-08"), ("20200525", "2020-05-25"), ("2020-13-45", ""), ("", ""),
])
def test_iso_date(value, expected):
    assert iso_date(value) == expected


# -- bad input --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(BINARIES))
@pytest.mark.parametrize("suffix", [".txt", ".html", ".pdf"])
def test_binary_under_any_suffix(tmp_path, kind, suffix):
    path = tmp_path / f"file{suffix}"
    path.write_bytes(BINARIES[kind]())
    with pytest.raises(LoadError, match=r"^binary file \((PDF|PNG|ZIP)[^)]*\), not a text notice$"):
        load_path(path)


def test_nul_bytes_are_binary():
    with pytest.raises(LoadError, match="binary file .*NUL"):
        loaded_from_bytes(b"\x00\x01\x02\x03garbage\x00\x00\xff" * 200, "x.txt")


def test_random_high_bytes_are_undecodable():
    rng = random.Random(7)
    data = bytes(rng.randrange(0x80, 0x100) for _ in range(20_000))
    with pytest.raises(LoadError, match="^cannot decode"):
        loaded_from_bytes(data, "x.txt")


@pytest.mark.parametrize("data,reason", [(b"", "empty file"), (b" \r\n\t\n", "empty file (only white space)"),
                                         ("\ufeff\n".encode(), "empty file (only white space)")])
def test_empty(data, reason):
    with pytest.raises(LoadError) as exc:
        loaded_from_bytes(data, "x.txt")
    assert str(exc.value) == reason


def test_too_large_is_refused_without_reading(tmp_path, monkeypatch):
    path = tmp_path / "dump.txt"
    with open(path, "wb") as fh:  # a sparse 50 MB file
        fh.truncate(50 * 2**20)
    monkeypatch.setattr(load, "open", lambda *a, **k: pytest.fail("read a file over the limit"), raising=False)
    with pytest.raises(LoadError, match=r"^file too large \(50\.0 MB; the limit is 20 MB\)$"):
        load_path(path)


def test_broken_link(tmp_path):
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "deleted.txt")
    with pytest.raises(LoadError, match=r"^broken link \(points to .*deleted\.txt, which does not exist\)$"):
        load_path(link)


def test_folder_and_fifo(tmp_path):
    with pytest.raises(LoadError, match="is a folder"):
        load_path(tmp_path)
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(LoadError, match="not a regular file"):
        load_path(fifo)  # must not block reading a pipe


def test_unreadable(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text(SEEDS["000"].text(), encoding="utf-8")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the open fail as it would for a user
        def deny(*args, **kwargs):
            raise PermissionError(13, "Permission denied", str(path))
        monkeypatch.setattr(load, "open", deny, raising=False)
    with pytest.raises(LoadError, match="^permission denied$"):
        load_path(path)


def test_novel_is_text_without_directives(ex):
    loaded = loaded_from_bytes(NOVEL.encode("gb18030"), "novel.txt")
    notice = ex.extract_loaded(loaded)
    assert notice.document.status == "no_directives"
    assert notice.directives == []
