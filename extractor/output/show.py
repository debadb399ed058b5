"""show: one notice with its directives and theme evidence highlighted (terminal or HTML).

For checking a label by its evidence: each directive is marked in the cleaned text, numbered,
and listed with its kind, marker, speaker, themes and the terms that fired.
"""

from __future__ import annotations

import html
from pathlib import Path

from extractor.models import Notice

_KIND_STYLE = {"numbered": "bold cyan", "unnumbered": "bold green", "parallel": "bold magenta"}
_KIND_COLOUR = {"numbered": "#d7f0fb", "unnumbered": "#dcf5dc", "parallel": "#f3def5"}


def render_terminal(notice: Notice) -> None:
    """Print the notice to the terminal with rich: metadata, highlighted text, directive list."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    doc = notice.document
    console = Console()
    console.rule(f"[bold]{doc.title or doc.source_path}")
    meta = [f"{k}: {v}" for k, v in (("source", doc.source), ("published", doc.published),
                                     ("meeting", doc.meeting_date), ("province", doc.province),
                                     ("city", doc.city), ("county", doc.county), ("issuer", doc.issuer),
                                     ("leaders", doc.leaders), ("status", doc.status)) if v]
    console.print("  ".join(meta))
    if doc.status == "error":
        console.print(f"[red]{doc.error}")
        return
    text = Text(doc.text)
    for row in notice.directives:
        text.stylize(_KIND_STYLE[row.kind], row.start, row.end)
        text.stylize("reverse", row.start, row.start + len(row.marker) if row.marker else row.start + 1)
    console.print(text)
    table = Table(show_lines=True)
    for col in ("no", "kind", "marker", "speaker", "heading", "themes (evidence)"):
        table.add_column(col, overflow="fold")
    for row in notice.directives:
        evidence = "\n".join(row.theme_terms.split("|")) if row.theme_terms else "-"
        table.add_row(str(row.directive_no), row.kind, row.marker, row.speaker, row.heading, evidence)
    console.print(table)


# Two shades a kind, alternating from one directive to the next, and a left rule in the kind's
# colour: where one directive ends and the next begins shows even between two of the same kind.
_KIND_SHADES = {"numbered": ("#dff1fb", "#bfe3f6", "#1b7fb5"), "unnumbered": ("#e2f5e2", "#c4eac4", "#2e8b2e"),
                "parallel": ("#f5e4f7", "#e8c8ed", "#8e3a9d")}
# Fonts a Chinese page is set in where they exist, then the subset of Noto Sans CJK SC embedded in
# the page (``embed_font``), so that a machine with no CJK font at all still shows the text.
CJK_FONT_STACK = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
                  '"Microsoft YaHei", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback", '
                  '"Embedded CJK", sans-serif')


def render_html(notice: Notice, embed_font: bool = True) -> str:
    """A standalone HTML page: the cleaned text with each directive's extent marked (alternating
    shades, a left rule, its number), the document fields with their evidence, and a table of the
    directives with the terms that fired. ``embed_font``: carry a subset of a CJK font covering the
    page's characters (about 100 KB), so that the page reads the same on a machine without one."""
    doc = notice.document
    esc = html.escape
    parts, pos = [], 0
    for i, row in enumerate(notice.directives):
        parts.append(esc(doc.text[pos:row.start]))
        title = f"#{row.directive_no} {row.kind} · {row.themes or 'no theme'}"
        parts.append(f'<mark class="d {row.kind} {"even" if i % 2 else "odd"}" title="{esc(title)}" '
                     f'id="d{row.directive_no}"><b class="no">{row.directive_no}</b>'
                     f'{esc(doc.text[row.start:row.end])}</mark>')
        pos = row.end
    parts.append(esc(doc.text[pos:]))
    body = "".join(parts).replace("\n", "<br>\n")
    rows = []
    for row in notice.directives:
        rows.append(f"<tr><td><a href='#d{row.directive_no}'>{row.directive_no}</a></td>"
                    f"<td><span class='kind {row.kind}'>{row.kind}</span></td>"
                    f"<td>{esc(row.marker)}</td><td>{esc(row.speaker)}</td>"
                    f"<td>{esc(row.heading)}</td><td>{_measure(row)}</td><td>{esc(row.primary_theme)}</td>"
                    f"<td>{_pairs_table(row.theme_terms, ':', ('theme', 'terms'))}</td></tr>")
    fields = (("title", doc.title), ("source", doc.source), ("published", doc.published),
              ("meeting_date", doc.meeting_date), ("province", doc.province), ("city", doc.city),
              ("county", doc.county), ("admin_level", doc.admin_level), ("issuer", doc.issuer),
              ("leaders", doc.leaders), ("url", doc.url), ("source_path", doc.source_path),
              ("status", doc.status), ("error", doc.error))
    evidence = dict(_pairs(doc.evidence, "←"))
    meta = "".join(f"<tr><th>{k}</th><td>{esc(str(v))}</td><td class='ev'>{esc(evidence.get(k, ''))}</td></tr>"
                   for k, v in fields if v)
    style = "".join(f"mark.{k}.odd{{background:{a}}}mark.{k}.even{{background:{b}}}"
                    f"mark.{k}{{border-left-color:{rule}}}mark.{k} b.no,span.kind.{k}{{background:{rule}}}"
                    for k, (a, b, rule) in _KIND_SHADES.items())
    page_title = esc(doc.title or doc.source_path)
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{page_title}</title>
<style>/*font*/
body{{font-family:{CJK_FONT_STACK};max-width:62em;margin:2em auto;padding:0 1em;line-height:1.9;color:#222}}
mark{{color:inherit;padding:.15em .25em .15em .3em;border-left:3px solid;-webkit-box-decoration-break:clone;
box-decoration-break:clone}}
b.no{{color:#fff;font-size:.7em;font-weight:bold;border-radius:.6em;padding:0 .45em;margin-right:.3em;
vertical-align:.15em}}
span.kind{{color:#fff;font-size:.8em;border-radius:.3em;padding:0 .35em}}
{style}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}}
table.fields th{{background:#f4f4f4;font-weight:normal;color:#555;white-space:nowrap}}td.ev,span.ev{{color:#666;font-size:.85em}}
table.pairs{{font-size:.85em;margin:0}}table.pairs td,table.pairs th{{border:none;border-bottom:1px solid #e4e4e4;
padding:.05em .4em}}table.pairs th{{color:#777;font-weight:normal}}
.legend mark{{margin-right:.5em}}.text{{margin:1em 0 2em}}</style></head><body>
<h1>{page_title}</h1>
<table class="fields"><tr><th>field</th><th>value</th><th>evidence</th></tr>{meta}</table>
<p class="legend">{notice.document.n_directives} directives, marked:
<mark class="d numbered odd">numbered</mark><mark class="d unnumbered odd">unnumbered</mark>
<mark class="d parallel odd">parallel</mark> · consecutive directives alternate shades · hover one for its
themes</p>
<div class="text">{body}</div>
<h2>Directives</h2><table class="directives"><tr><th>no</th><th>kind</th><th>marker</th><th>speaker</th>
<th>heading</th><th>measure</th><th>primary</th><th>themes and the terms that fired</th></tr>{"".join(rows)}</table></body></html>
"""
    if embed_font:
        face = _font_face(page)
        if face:
            page = page.replace("/*font*/", face, 1)
    return page


def _measure(row) -> str:
    """Modality and scope with the cue that decided each (``prohibit 严禁``), where the row has them."""
    parts = []
    for name in ("modality", "scope"):
        value, cue = getattr(row, name, ""), getattr(row, f"{name}_term", "")
        if value:
            parts.append(f"{html.escape(value)}" + (f" <span class='ev'>{html.escape(cue)}</span>" if cue else ""))
    return "<br>".join(parts)


def _pairs(value: str, sep: str) -> list[tuple[str, str]]:
    """``a←x|b←y`` → ``[("a", "x"), ("b", "y")]``."""
    return [(k, v) for k, _, v in (part.partition(sep) for part in value.split("|")) if k] if value else []


def _pairs_table(value: str, sep: str, header: tuple[str, str]) -> str:
    pairs = _pairs(value, sep)
    if not pairs:
        return ""
    cells = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v.replace(',', '、'))}</td></tr>"
                    for k, v in pairs)
    return f"<table class='pairs'><tr><th>{header[0]}</th><th>{header[1]}</th></tr>{cells}</table>"


def _font_face(page: str) -> str:
    """An ``@font-face`` rule with the glyphs of ``page`` cut from the CJK font matplotlib's charts
    use (Noto Sans CJK SC, from mplfonts), base64-encoded; empty if the font is not there."""
    import base64
    import io

    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont

        from extractor.output.chart import cjk_font_path
        path = cjk_font_path()
    except (ImportError, OSError):
        return ""
    options = subset.Options()
    options.layout_features, options.name_IDs, options.hinting = [], [], False
    font = TTFont(str(path), lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=page)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'@font-face{{font-family:"Embedded CJK";font-display:swap;'
            f'src:url(data:font/otf;base64,{data}) format("opentype")}}')


def write_html(notice: Notice, out: Path, embed_font: bool = True) -> None:
    import os

    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(render_html(notice, embed_font), encoding="utf-8")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
