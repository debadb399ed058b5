"""show: one notice with its directives and theme evidence highlighted (terminal or HTML).

For checking a label by its evidence: each directive is marked in the cleaned text, numbered,
and listed with its kind, marker, speaker, themes and the terms that fired.
"""

from __future__ import annotations

import html
from pathlib import Path

from .models import Notice

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


def render_html(notice: Notice) -> str:
    """A standalone HTML page: the cleaned text with directive spans marked, then a directive table."""
    doc = notice.document
    parts, pos = [], 0
    for row in notice.directives:
        parts.append(html.escape(doc.text[pos:row.start]))
        title = f"#{row.directive_no} {row.kind} · {row.themes or 'no theme'}"
        parts.append(f'<mark class="{row.kind}" title="{html.escape(title)}" id="d{row.directive_no}">'
                     f'<sup>{row.directive_no}</sup>{html.escape(doc.text[row.start:row.end])}</mark>')
        pos = row.end
    parts.append(html.escape(doc.text[pos:]))
    body = "".join(parts).replace("\n", "<br>\n")
    rows = []
    for row in notice.directives:
        evidence = "<br>".join(html.escape(e) for e in row.theme_terms.split("|")) if row.theme_terms else ""
        rows.append(f"<tr><td><a href='#d{row.directive_no}'>{row.directive_no}</a></td><td>{row.kind}</td>"
                    f"<td>{html.escape(row.marker)}</td><td>{html.escape(row.speaker)}</td>"
                    f"<td>{html.escape(row.heading)}</td><td>{html.escape(row.primary_theme)}</td>"
                    f"<td>{evidence}</td></tr>")
    meta = "".join(f"<dt>{k}</dt><dd>{html.escape(str(v))}</dd>" for k, v in (
        ("source", doc.source), ("published", doc.published), ("meeting date", doc.meeting_date),
        ("province", doc.province), ("city", doc.city), ("county", doc.county), ("issuer", doc.issuer),
        ("leaders", doc.leaders), ("evidence", doc.evidence), ("file", doc.source_path)) if v)
    style = "".join(f"mark.{k}{{background:{c}}}" for k, c in _KIND_COLOUR.items())
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(doc.title or doc.source_path)}</title>
<style>body{{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:60em;margin:2em auto;
line-height:1.7}}mark{{padding:.1em 0}}sup{{color:#555;margin-right:.2em}}{style}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .5em;vertical-align:top}}
dt{{font-weight:bold;float:left;width:8em}}dd{{margin-left:9em}}</style></head><body>
<h1>{html.escape(doc.title or doc.source_path)}</h1><dl>{meta}</dl>
<p>Marked: <mark class="numbered">numbered</mark> <mark class="unnumbered">unnumbered</mark>
<mark class="parallel">parallel</mark>. Hover a directive for its themes.</p>
<div class="text">{body}</div>
<h2>Directives</h2><table><tr><th>no</th><th>kind</th><th>marker</th><th>speaker</th><th>heading</th>
<th>primary</th><th>themes: evidence</th></tr>{''.join(rows)}</table></body></html>
"""


def write_html(notice: Notice, out: Path) -> None:
    import os
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(render_html(notice), encoding="utf-8")
    os.replace(tmp, out)
