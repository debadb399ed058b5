"""Test inputs built from the seed notices at test time: portal HTML pages, every encoding a Chinese
web page uses, and the bad files a real scrape contains. Nothing here is committed as a binary.

``portal_html`` wraps a notice's lines in the chrome of a government or newspaper portal (top
links, navigation, breadcrumb, headline, info bar, share tools, related-news list, footer with an
ICP number) in one of three layouts seen on such sites:

* ``p``      a ``TRS_Editor``-style content div, one ``<p>`` per paragraph, markers in ``<strong>``;
* ``br``     a ``#zoom`` div, paragraphs separated by ``<br>`` and indented with ``&emsp;``;
* ``table``  an old table layout, the article in a ``<td>``, paragraphs as ``<p>`` with ``<font>``.
"""

from __future__ import annotations

import html
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"

LAYOUTS = ("p", "br", "table")


@dataclass(frozen=True)
class Seed:
    name: str
    title: str  # the headline line exactly as it appears in the seed
    site: str
    published: str  # ISO date of the page, read off the seed's dateline
    time: str = "08:00"

    @property
    def path(self) -> Path:
        return SEEDS_DIR / self.name

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


SEEDS = {
    "000": Seed("000_1f447dccc34fc85d.txt", "市疫情防控工作领导小组例会:毫不松懈绷紧疫情防控之弦",
                "中国宁波网", "2020-05-25", "20:01"),
    "001": Seed("001_1412db90bc7f81d3.txt", "市委市政府深夜再部署:优化流程 推动后几轮检测全面提速",
                "中国宁波网", "2021-12-08", "07:45"),
    "002": Seed("002_ab591247d2211865.txt",
                "防輸入和防擴散并重,抓防控和抓救治并舉!今天的疫情防控工作領導小組會議研究部署下一步重點工作",
                "觀察者網", "2020-02-05", "20:42"),
    "003": Seed("003_fa9ed41a6c031e20.txt", "我县组织收听收看省委新冠肺炎疫情防控工作第九次专题会议",
                "沈丘县政府网", "2021-12-13"),
    "004": Seed("004_e0210ab8d126b4d2.txt",
                "宋宏伟:严格落实外防输入内防反弹防控策略\xa0深刻汲取教训决不让疫情形势发生逆转",
                "双鸭山日报", "2020-04-21", "13:29"),
}

# A leading directive marker, bolded on many portals: 一要 / 二是 / (三) / 1.
_MARKER = re.compile(r"^([一二三四五六七八九十]+[要是]|[((][一二三四五六七八九十]+[))]|\d+[.、])")
# 阻擊戰(zhàn): a pinyin gloss, which no Big5 page could carry as text.
_GLOSS = re.compile(r"\([a-zàáèéíóúùāēīōūǎěǐǒǔǚǜ ]+\)")

_NAV = ["首页", "要闻", "时政", "区县", "民生", "视频", "图片", "专题", "政务公开", "互动交流"]
_RELATED = [("我市召开安全生产工作专题会议", "2020-05-20"), ("市领导调研重点项目建设情况", "2020-05-21"),
            ("全市经济运行分析会召开", "2020-05-22"), ("2020年全市文明城市创建推进会举行", "2020-05-23"),
            ("市政府常务会议研究部署近期工作", "2020-05-24")]


def body_lines(text: str) -> list[str]:
    """The non-empty lines of a notice, stripped."""
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def _para(line: str) -> str:
    esc = html.escape(line, quote=False)
    m = _MARKER.match(line)
    if m:
        esc = f"<strong>{html.escape(m.group(1))}</strong>{html.escape(line[m.end():], quote=False)}"
    return esc


def portal_html(text: str, *, title: str, site: str, published: str, time: str = "08:00",
                layout: str = "p", charset: str = "utf-8", meta_style: str = "charset",
                keep_title_in_body: bool = False, show_date: bool = True) -> str:
    """A portal page carrying ``text``'s lines as its article, ``title`` as its headline, and
    ``published`` in its ``PubDate`` meta tag and (unless ``show_date`` is false) its info bar."""
    lines = body_lines(text)
    if not keep_title_in_body:
        lines = [ln for ln in lines if ln != title.strip()]
    t = html.escape(title, quote=False)
    if meta_style == "charset":
        meta = f'<meta charset="{charset}">'
    elif meta_style == "http-equiv":
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />'
    else:
        meta = ""
    head = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{meta}
<title>{t}_{html.escape(site)}</title>
<meta name="keywords" content="疫情防控,领导小组,例会" />
<meta name="description" content="{html.escape(title)}" />
<meta name="PubDate" content="{published} {time}" />
<meta name="ContentSource" content="{html.escape(site)}" />
<link rel="stylesheet" href="/css/style.css" />
<script type="text/javascript">var _hmt = _hmt || []; document.write("<div>统计</div>");</script>
<style>.nav li {{ float: left; }}</style>
</head>
<body>
"""
    nav = "".join(f'<li><a href="/{i}/index.html">{n}</a></li>' for i, n in enumerate(_NAV))
    related = "".join(f'<li><a href="/{i}.html" target="_blank">{html.escape(r)}</a><span>{d}</span></li>'
                      for i, (r, d) in enumerate(_RELATED))
    crumb = (f'您当前的位置 : <a href="/">{html.escape(site)}</a> &gt; <a href="/news/">新闻中心</a>'
             ' &gt; <a href="/news/sz/">时政</a> &gt; 正文')
    info = f'来源：{html.escape(site)}&nbsp;&nbsp;&nbsp;发布时间：{published} {time}&nbsp;&nbsp;浏览次数：1024'
    if not show_date:  # the date only in the page's metadata
        info = f'来源：{html.escape(site)}&nbsp;&nbsp;浏览次数：1024'
    tools = '字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>&nbsp;<a href="javascript:window.print()">打印本页</a>'
    footer = (f'<p>版权所有：{html.escape(site)}&nbsp;&nbsp;主办：市人民政府办公室</p>'
              '<p>浙ICP备05003963号-1&nbsp;&nbsp;浙公网安备33020302000123号&nbsp;&nbsp;网站标识码：3302000001</p>'
              '<p>联系电话：0574-81850000&nbsp;&nbsp;技术支持：市大数据中心</p>')

    if layout == "p":
        paras = "\n".join(f'<p style="text-indent:2em;">{_para(ln)}</p>' for ln in lines)
        body = f"""<div class="top-bar"><a href="/">网站首页</a> | <a href="/m/">手机版</a> | <a href="/en/">English</a></div>
<div class="header"><div class="logo"><img src="/images/logo.png" alt="{html.escape(site)}" /></div>
<ul class="nav">{nav}</ul></div>
<div class="crumb">{crumb}</div>
<div class="main"><div class="article">
<h1 class="title">{t}</h1>
<div class="info">{info}</div>
<div class="tools">{tools}</div>
<div class="TRS_Editor" id="content">
{paras}
</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
</div>
<div class="side"><h3>相关新闻</h3><ul class="related">{related}</ul></div></div>
<div class="footer">{footer}</div>
"""
    elif layout == "br":
        paras = "<br />\n".join(f"&emsp;&emsp;{_para(ln)}" for ln in lines)
        body = f"""<div id="top"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/bsfw/">办事服务</a></div>
<div id="nav"><ul>{nav}</ul></div>
<div id="position">{crumb}</div>
<div id="article">
<div id="title"><h2>{t}</h2></div>
<div id="source">{info}</div>
<div id="zoom">
{paras}
</div>
<div id="print">{tools}</div>
</div>
<div id="relnews"><div class="hd">相关新闻</div><ul>{related}</ul></div>
<div id="footer">{footer}</div>
"""
    elif layout == "table":
        paras = "\n".join(f'<p><font face="宋体" size="3">{_para(ln)}</font></p>' for ln in lines)
        cells = "".join(f'<td><a href="/{i}/">{n}</a></td>' for i, n in enumerate(_NAV))
        body = f"""<table width="1000" border="0" align="center"><tr>{cells}</tr></table>
<table width="1000" align="center"><tr><td class="weizhi">{crumb}</td></tr></table>
<table width="1000" align="center"><tr>
<td width="720" valign="top">
<table width="100%"><tr><td class="bt" align="center"><b>{t}</b></td></tr>
<tr><td class="xx" align="center">{info}</td></tr>
<tr><td class="nr">
{paras}
</td></tr></table>
</td>
<td width="260" valign="top"><table><tr><td class="hd">相关新闻</td></tr>
{"".join(f'<tr><td><a href="/{i}.html">{html.escape(r)}</a></td><td>{d}</td></tr>' for i, (r, d) in enumerate(_RELATED))}
</table></td></tr></table>
<table width="1000" align="center"><tr><td class="footer">{footer}</td></tr></table>
"""
    else:
        raise ValueError(f"unknown layout {layout!r}")
    return head + body + "</body>\n</html>\n"


def seed_html(key: str, **kwargs) -> str:
    seed = SEEDS[key]
    return portal_html(seed.text(), title=seed.title, site=seed.site, published=seed.published,
                       time=seed.time, **kwargs)


def big5_ready(text: str) -> str:
    """What a Big5 text file of this notice can hold: no pinyin glosses, no no-break spaces, and no
    other character Big5 lacks (a transcoding drops them)."""
    text = _GLOSS.sub("", text).replace("\xa0", " ")
    return "".join(ch for ch in text if _in_big5(ch))


def _in_big5(ch: str) -> bool:
    try:
        ch.encode("big5")
    except UnicodeEncodeError:
        return False
    return True


def to_traditional(text: str) -> str:
    """The notice as a Taiwan or Hong Kong site would repost it (Big5-encodable forms: 為 群 眾)."""
    import opencc
    return opencc.OpenCC("s2tw").convert(text)


def encode(text: str, encoding: str) -> bytes:
    """``text`` as a file in ``encoding``; ``utf-8-sig``/``utf-16`` carry a BOM, ``utf-16-le`` none."""
    return text.encode(encoding)


# -- bad inputs -------------------------------------------------------------------------------------

def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    ihdr = (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


def _pdf() -> bytes:
    return (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def _zip() -> bytes:
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notice.txt", "会议强调，一要加强核酸检测。")
    return buf.getvalue()


BINARIES = {"pdf": _pdf, "png": _png, "zip": _zip}

# A chapter of a novel: prose, not a notice; must come out as no_directives, not as an error.
NOVEL = """第一回　宴桃园豪杰三结义　斩黄巾英雄首立功

话说天下大势，分久必合，合久必分。周末七国分争，并入于秦。及秦灭之后，楚、汉分争，又并入于汉。
汉朝自高祖斩白蛇而起义，一统天下，后来光武中兴，传至献帝，遂分为三国。
推其致乱之由，殆始于桓、灵二帝。桓帝禁锢善类，崇信宦官。及桓帝崩，灵帝即位，大将军窦武、太傅陈蕃共相辅佐。
时有宦官曹节等弄权，窦武、陈蕃谋诛之，机事不密，反为所害，中涓自此愈横。
"""


# -- corpora ------------------------------------------------------------------------------------------

def numbered_variant(text: str, n: int) -> str:
    """The notice with a sentence naming ``n`` after its first paragraph: a distinct document (its own
    doc_id) with the same directives."""
    lines = text.split("\n")
    i = next((k for k, ln in enumerate(lines) if ln.rstrip().endswith("。")), 0)
    lines.insert(i + 1, f"本文为存档第{n}号稿件。")
    return "\n".join(lines)


def make_corpus(folder: Path, n: int, html_every: int = 0) -> list[Path]:
    """``n`` distinct notices made from the seeds, every ``html_every``-th one as a portal page."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = sorted(SEEDS)
    texts = {k: SEEDS[k].text() for k in keys}
    paths = []
    for i in range(n):
        key = keys[i % len(keys)]
        text = numbered_variant(texts[key], i)
        seed = SEEDS[key]
        if html_every and i % html_every == 0:
            path = folder / f"{i:06d}_{key}.html"
            path.write_text(portal_html(text, title=seed.title, site=seed.site, published=seed.published,
                                        time=seed.time), encoding="utf-8")
        else:
            path = folder / f"{i:06d}_{key}.txt"
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
