"""chart: a heatmap of theme shares by group (a comparison table from ``compare``).

Rows are the groups (with their number of notices, so a row resting on one notice is seen as
such), columns the themes ordered by overall weight, cells the share of the group's directives
carrying the theme. A cell that should not be read on its own is faded and hatched, as the legend
says: its group has fewer than ``MIN_NOTICES`` notices, or the share's 95% Wilson interval is
wider than ``WIDE_INTERVAL``. Labels are Chinese, drawn with Noto Sans CJK SC from the ``mplfonts``
package, so the chart looks the same on a machine without any CJK system font. Rendering uses
the Agg canvas directly: no pyplot, no change to a notebook's or program's backend.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
CHART_FORMATS = (".png", ".svg")
VALUES = {
    "share_directives": "share of the group's directives carrying the theme",
    "share_notices": "share of the group's notices mentioning the theme",
}
ANNOTATE_MAX_CELLS = 600  # write the percentage in each cell up to this many cells
MIN_NOTICES = 5  # a group with fewer notices than this is marked as a weak basis
WIDE_INTERVAL = 0.4  # a 95% interval wider than this (40 percentage points) is marked too


def cjk_font_path() -> Path:
    """The Noto Sans CJK SC font file that ``mplfonts`` ships."""
    path = resources.files("mplfonts").joinpath("fonts", CJK_FONT_FILE)
    if not path.is_file():
        raise OSError(f"the CJK font {CJK_FONT_FILE} is missing from the mplfonts package ({path})")
    return Path(str(path))


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the CJK font bundled by ``mplfonts`` with matplotlib; return its family name."""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def uncertain_cells(table: Any, by: str, value: str = "share_directives", min_notices: int = MIN_NOTICES,
                    wide: float = WIDE_INTERVAL) -> Any:
    """Group × theme grid (a boolean DataFrame in ``table``'s group and theme order) of the cells
    to mark: the group has fewer than ``min_notices`` notices, or ``value``'s 95% interval is
    wider than ``wide``."""
    few = table["group_notices"] < min_notices
    width = table[f"{value}_high"] - table[f"{value}_low"]
    flags = table.assign(_mark=few | (width > wide))
    groups, themes = _order(table, by)
    return flags.pivot(index=by, columns="theme", values="_mark").reindex(index=groups, columns=themes)


def _order(table: Any, by: str) -> tuple[list[str], list[str]]:
    groups = list(dict.fromkeys(table[by]))
    weight = table.groupby("theme", sort=False)["n_directives"].sum()
    return groups, sorted(weight.index, key=lambda t: (-weight[t], t))


def theme_heatmap(table: Any, by: str, value: str = "share_directives", title: str | None = None,
                  min_notices: int = MIN_NOTICES, wide: float = WIDE_INTERVAL) -> Any:
    """A matplotlib ``Figure`` of ``table[value]`` by group (rows) and theme (columns).

    ``table`` is ``compare_themes``'s output: groups keep its order, themes are ordered by
    overall weight (directives carrying the theme across all groups). The figure grows with the
    number of groups and themes so that 40 groups stay readable. Cells of ``uncertain_cells``
    are faded and hatched, and the legend says why.
    """
    import matplotlib
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if value not in VALUES:
        raise ValueError(f"cannot chart {value!r}; use one of {', '.join(VALUES)}")
    if table.empty:
        raise ValueError("nothing to chart: the comparison has no themes")
    from matplotlib.patches import Patch, Rectangle

    groups, themes = _order(table, by)
    marked = uncertain_cells(table, by, value, min_notices, wide).to_numpy(dtype=bool)
    grid = table.pivot(index=by, columns="theme", values=value).reindex(index=groups, columns=themes)
    labels = table.drop_duplicates("theme").set_index("theme")["label"]
    size = table.drop_duplicates(by).set_index(by)
    row_labels = [f"{g}  ({_count(size.at[g, 'group_notices'], 'notice')}, "
                  f"{_count(size.at[g, 'group_directives'], 'directive')})" for g in groups]
    col_labels = [f"{labels.get(t, t)}" for t in themes]

    family = cjk_font()
    n_rows, n_cols = len(groups), len(themes)
    width = 3.2 + 0.48 * n_cols
    height = 3.0 + 0.34 * n_rows
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"], "font.size": 9,
                                "axes.unicode_minus": False, "svg.fonttype": "path"}):
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        values = grid.to_numpy(dtype=float)
        # the colour scale ends at the largest share rounded up to 10%, so small shares stay distinct
        top = min(1.0, max(0.1, math.ceil(float(np.nanmax(values)) * 10) / 10)) if values.size else 1.0
        image = ax.imshow(values, cmap="YlGnBu", vmin=0, vmax=top, aspect="auto", interpolation="nearest")
        ax.set_xticks(range(n_cols), col_labels, rotation=55, ha="right", rotation_mode="anchor")
        ax.set_yticks(range(n_rows), row_labels)
        ax.set_xticks([x - 0.5 for x in range(1, n_cols)], minor=True)
        ax.set_yticks([y - 0.5 for y in range(1, n_rows)], minor=True)
        ax.grid(which="minor", color="white", linewidth=0.8)
        ax.tick_params(which="minor", length=0)
        ax.tick_params(which="major", length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        for i, j in zip(*np.nonzero(marked)):  # faded and hatched: not to be read on its own
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=(1, 1, 1, 0.5), edgecolor="#9a9a9a",
                                   hatch="///", linewidth=0))
        if n_rows * n_cols <= ANNOTATE_MAX_CELLS:
            for (i, j), v in _cells(grid):
                dark = v > 0.55 * top and not marked[i, j]
                ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7,
                        color="white" if dark else "#333333")
        if marked.any():
            few = f"group of fewer than {min_notices} notices"
            fig.legend(handles=[Patch(facecolor="white", edgecolor="#9a9a9a", hatch="///", linewidth=0.5,
                                      label=f"{few}, or 95% interval wider than {wide:.0%}: "
                                            "a weak basis, not to be compared on its own")],
                       loc="outside lower left", frameon=False, fontsize=8)
        bar = fig.colorbar(image, ax=ax, shrink=min(1.0, max(0.3, 8 / max(n_rows, 1))), pad=0.01,
                           format=lambda x, _: f"{x:.0%}")
        bar.set_label(VALUES[value])
        ax.set_title(title or f"Themes by {by}: {VALUES[value]}", loc="left", fontsize=11)
    return fig


def write_chart(table: Any, by: str, out: Path, value: str = "share_directives",
                title: str | None = None, min_notices: int = MIN_NOTICES, wide: float = WIDE_INTERVAL) -> Path:
    """Draw ``theme_heatmap`` and write it to ``out`` (.png or .svg), atomically."""
    import os

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in CHART_FORMATS:
        raise ValueError(f"{out}: unsupported chart format {out.suffix!r}; use .png or .svg")
    fig = theme_heatmap(table, by, value, title, min_notices, wide)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        fig.savefig(tmp, format=suffix[1:], dpi=150)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _cells(grid: Any):
    values = grid.to_numpy(dtype=float)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if values[i, j] == values[i, j]:  # not NaN
                yield (i, j), values[i, j]
