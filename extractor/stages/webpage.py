"""webpage: a decoded web page → its article text (one paragraph per line), headline and date.

Part of the ``load`` stage. trafilatura finds the article; a paragraph-preserving linearisation of
the whole page (lxml) is kept beside it, and used instead when trafilatura returns nothing, drops
prose paragraphs from inside the article, or runs paragraphs together (it flattens layout tables
into one line). The downstream stages need one paragraph per line: the segmenter reads numbered
items (一要…, 二要…) off line starts, and ``clean`` removes page chrome line by line.

The headline and the publication date come from the page's metadata (``ArticleTitle``/``PubDate``
meta tags of Chinese CMSs, Open Graph, then trafilatura's own title and date search), with the site
name trimmed off the ``<title>`` (``标题_中国宁波网`` → ``标题``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

log = logging.getLogger(__name__)

# Elements whose boundaries are line breaks.
_BLOCK = frozenset("""p div br li ul ol dl dt dd tr td th table tbody thead tfoot caption h1 h2 h3 h4 h5 h6
    section article header footer nav aside main blockquote pre hr form center figure figcaption address
    fieldset legend details summary""".split())
# Elements that hold no page text.
_SKIP = frozenset("""script style noscript template iframe object embed svg canvas select option button
    input textarea head map audio video""".split())
# The line break written into the tree: a Unicode noncharacter, reserved for a program's internal
# use and never part of a page's text.
_BREAK = "\ufdd0"
# Characters lxml does not accept in a text node.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_WS = re.compile(r"[ \t\r\n\f\v]+")  # source white space; &nbsp; (U+00A0) and &emsp; (U+2003) survive
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# A numbered item's start: 一、 二是 三要 (四) （五） 6. 7、
_ITEM = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、是要]|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.、．])")

# trafilatura's article must hold at least this share of the page's prose (else it found a side box).
_MIN_SHARE = 0.3

_TITLE_META = ("articletitle", "og:title", "twitter:title")
_DATE_META = ("pubdate", "publishdate", "publish_date", "publishtime", "firstpublishedtime", "pubtime",
              "article:published_time", "og:published_time", "og:release_date", "dc.date.issued",
              "dcterms.issued", "dc.date", "dcterms.created", "releasedate", "createdate", "date")
_SITE_META = ("contentsource", "sitename", "og:site_name", "application-name", "source")
# 标题_中国宁波网, 标题 - 新华网, 标题|沈丘县人民政府, 标题--观察者网
_TITLE_SEP = re.compile(r"\s*(?:_|\||｜|--|——|\s-\s|\s—\s)\s*")
_SITE_NAME = re.compile(r"(?:网|站|报|政府|门户|频道|在线|新闻|日报|晚报|中心|平台|客户端|号|\.com|\.cn|www\.)$", re.I)
# 2020-05-25 20:01, 2020/5/25, 2020年05月25日, 2020-05-25T20:01:00+08:00, 20200525
_DATE = re.compile(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})|(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")


@dataclass(frozen=True)
class Article:
    text: str
    title: str = ""
    date: str = ""  # ISO YYYY-MM-DD
    method: str = ""  # trafilatura | lines


def extract_article(page: str) -> Article:
    """The article of a page: text with one paragraph per line, headline, publication date."""
    page = _XML_DECL.sub("", page, count=1)
    root = _parse(page)
    metas = _metas(root) if root is not None else {}
    page_title = _page_title(root)
    lines = page_lines(root) if root is not None else []  # rewrites the tree: last to read it
    traf = _trafilatura(page)
    traf_lines = [ln for ln in (_norm(x) for x in (traf.get("text") or "").split("\n")) if ln]

    if traf_lines and _keeps_paragraphs(traf_lines, lines):
        text, method = "\n".join(traf_lines), "trafilatura"
    else:
        text, method = "\n".join(lines), "lines"
        log.info("article by page lines (trafilatura kept %d lines)", len(traf_lines))
    title = _title(metas, "", page_title)
    date = _date(metas, "")
    if not title or not date:  # trafilatura's metadata search is thorough but slow: only when needed
        found = _trafilatura_metadata(page)
        title = title or _title(metas, found.get("title") or "", page_title)
        date = date or _date(metas, found.get("date") or "")
    return Article(text=text, title=title, date=date, method=method)


def _parse(page: str):
    """The page's tree. Without ``huge_tree`` libxml2 drops every element below 256 levels of
    nesting, silently: a page of nested layout tables lost its article. With it the limit is 2,048,
    and a page nested deeper is refused with a reason rather than read without its text."""
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser(huge_tree=True)  # a parser per page: parsers are not thread-safe
    try:
        root = lxml.html.document_fromstring(page, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    for error in parser.error_log:
        if "Excessive depth" in error.message:
            from extractor.errors import LoadError

            raise LoadError("page nested too deeply (more than 2,048 elements): its text cannot be read")
    return root


def _norm(line: str) -> str:
    return _WS.sub(" ", line).strip()


def page_lines(root) -> list[str]:
    """The page's visible text, a line per block element or ``<br>``, white space collapsed.

    Rewrites ``root``: hidden elements are removed and line breaks written into the text, so
    that lxml serialises the text in one call instead of a Python step per node."""
    import lxml.etree as etree

    if root.find(".//pre") is not None:  # preformatted text keeps its own white space
        return _page_lines_walk(root)
    etree.strip_elements(root, *_SKIP, with_tail=False)
    etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)  # their tails stay
    if _NOT_XML.search(etree.tostring(root, method="text", encoding=str)):
        # lxml parses control characters that it refuses to write back into the tree
        return _page_lines_walk(root)
    for el in root.iter(*_BLOCK):
        el.text = _BREAK + el.text if el.text else _BREAK
        el.tail = _BREAK + el.tail if el.tail else _BREAK
    text = etree.tostring(root, method="text", encoding=str, with_tail=False)
    text = _WS.sub(" ", text).replace(_BREAK, "\n")
    return [ln for ln in (ln.strip() for ln in text.split("\n")) if ln]


def _page_lines_walk(root) -> list[str]:
    """``page_lines`` one node at a time (a ``<pre>`` keeps its white space)."""
    import lxml.etree as etree

    parts: list[str] = []
    skip = 0
    for event, el in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if not skip and el.tail:
                parts.append(_WS.sub(" ", el.tail))
            continue
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if skip or tag in _SKIP:
                skip += 1
                continue
            if tag in _BLOCK:
                parts.append("\n")
            if el.text:
                parts.append(el.text if tag == "pre" else _WS.sub(" ", el.text))
            continue
        if skip:
            skip -= 1
            if skip:
                continue
        elif tag in _BLOCK:
            parts.append("\n")
        if el.tail:  # text after an element belongs to its parent, and is visible
            parts.append(_WS.sub(" ", el.tail))
    return [ln for ln in (ln.strip() for ln in "".join(parts).split("\n")) if ln]


def _is_prose(line: str) -> bool:
    """A sentence of the article, or a numbered item however short (一、严密防范境外疫情输入)."""
    return ((_SENTENCE_END.search(line) is not None and sum(map(len, _CJK_RUN.findall(line))) >= 10)
            or _ITEM.match(line) is not None)


def _keeps_paragraphs(traf_lines: list[str], lines: list[str]) -> bool:
    """Whether trafilatura kept every prose paragraph of the article, whole and on its own line.

    The article is the span of page lines from the first to the last prose paragraph trafilatura
    kept; lines are counted, so a repeated body missing one copy of a paragraph fails too.
    """
    if not lines:
        return True
    prose = [(i, _key(ln)) for i, ln in enumerate(lines) if _is_prose(ln)]
    if not prose:
        return True
    traf_keys = [_key(ln) for ln in traf_lines]
    kept = Counter(traf_keys)
    found = [i for i, k in prose if k in kept]
    if not found:
        return False
    missing = 0
    for i, k in prose:
        if found[0] <= i <= found[-1]:
            if kept[k] > 0:
                kept[k] -= 1
            else:
                missing += 1
    span_chars = sum(len(k) for i, k in prose if found[0] <= i <= found[-1])
    total_chars = sum(len(k) for _, k in prose)
    return missing == 0 and span_chars >= _MIN_SHARE * total_chars


def _key(line: str) -> str:
    return "".join(line.split())  # str.split's white space is the regex \s


@lru_cache(maxsize=1)
def _trafilatura_options():
    """trafilatura's settings, built once: building them per page reads its configuration anew."""
    from trafilatura.settings import Extractor

    # fast: no second opinion from the fallback extractors; extract_article checks what was kept
    # and uses the page's own lines when trafilatura dropped any of the article.
    return Extractor(output_format="python", fast=True, recall=True, comments=False, tables=False,
                     images=False, links=False, dedup=False, with_metadata=False)


def _trafilatura(page: str) -> dict:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(page, options=_trafilatura_options())
    except Exception as exc:  # noqa: BLE001 - a page trafilatura cannot handle falls back to its lines
        log.info("trafilatura failed: %s: %s", type(exc).__name__, exc)
        return {}
    if doc is None:
        return {}
    if isinstance(doc, dict):
        return doc
    return {k: getattr(doc, k, None) for k in ("text", "title", "date", "sitename")}


def _trafilatura_metadata(page: str) -> dict:
    import trafilatura

    try:
        meta = trafilatura.extract_metadata(page)
    except Exception as exc:  # noqa: BLE001
        log.info("trafilatura metadata failed: %s: %s", type(exc).__name__, exc)
        return {}
    if meta is None:
        return {}
    return {k: getattr(meta, k, None) for k in ("title", "date", "sitename")}


# -- metadata ------------------------------------------------------------------------------------------

def _metas(root) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        value = _norm(meta.get("content") or "")
        if key and value and key not in found:
            found[key] = value
    return found


def _page_title(root) -> str:
    """The text of the page's ``<title>``."""
    t = root.find(".//title") if root is not None else None
    return t.text_content() if t is not None else ""


def _title(metas: dict[str, str], traf_title: str, page_title: str) -> str:
    candidates = [metas.get(k, "") for k in _TITLE_META] + [traf_title, page_title]
    sites = {metas.get(k, "").strip() for k in _SITE_META} - {""}
    for cand in candidates:
        cand = _norm(cand)
        if cand:
            return strip_site_name(cand, sites)
    return ""


def strip_site_name(title: str, sites: set[str] | frozenset[str] = frozenset()) -> str:
    """``标题_中国宁波网`` → ``标题``: drop trailing parts that name the site."""
    while True:
        seps = list(_TITLE_SEP.finditer(title))
        if not seps:
            return title
        last = title[seps[-1].end():].strip()
        head = title[:seps[-1].start()].strip()
        if head and (not last or last in sites or (len(last) <= 25 and _SITE_NAME.search(last))):
            title = head
        else:
            return title


def _date(metas: dict[str, str], traf_date: str) -> str:
    for key in _DATE_META:
        if key in metas:
            iso = iso_date(metas[key])
            if iso:
                return iso
    return iso_date(traf_date)


def iso_date(value: str) -> str:
    """The first plausible calendar date in ``value`` as ``YYYY-MM-DD``, or ``""``."""
    for m in _DATE.finditer(value or ""):
        y, mo, d = (int(x) for x in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
        try:
            date = dt.date(y, mo, d)
        except ValueError:
            continue
        if 1990 <= date.year <= dt.date.today().year + 1:
            return date.isoformat()
    return ""
