"""compare: theme counts and shares by city, province, month, issuer or admin level.

The input is a directive table written by ``extract`` (one row per directive). For each group
and theme the comparison gives

* ``n_directives`` of the group's ``group_directives`` directives carry the theme, and their
  share ``share_directives`` with a 95% Wilson score interval (``share_directives_low`` …
  ``_high``);
* ``n_notices`` of the group's ``group_notices`` notices (distinct ``doc_id``) have at least one
  directive carrying it, with ``share_notices`` and its interval.

The intervals are what make small groups honest: 3 of 5 notices is 60% with an interval of
roughly 23%–88%, so a city with five notices cannot be told apart from one at 40%.

Every group gets a row for every theme seen anywhere in the input (zero counts included), so
groups can be compared cell by cell. The ``themes_by_city`` sheet of ``extract``'s .xlsx output
is ``compare_records`` over the same ``(group, doc_id, themes)`` records.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from extractor.shares import (  # noqa: F401 - re-exported: compare is where users look for them
    COLUMNS,
    UNKNOWN,
    Z95,
    _text,
    city_group,
    compare_records,
    order_groups,
    round_shares,
    split_themes,
    theme_labels,
    wilson_interval,
)

GROUP_BYS = ("city", "province", "month", "issuer", "admin_level")
# What is counted: the theme ids of a directive, or the tracker codes the crosswalk gave it.
SCHEMES = {"theme": "themes", "oxcgrt": "oxcgrt", "coronanet": "coronanet"}


def group_labels(df: Any, by: str) -> Any:
    """One group label per directive row of ``df`` (a pandas Series aligned with ``df``)."""
    import pandas as pd

    if by not in GROUP_BYS:
        raise ValueError(f"cannot group by {by!r}; use one of {', '.join(GROUP_BYS)}")
    if by == "month":
        when = _dates(df, "meeting_date").fillna(_dates(df, "published"))
        return when.dt.strftime("%Y-%m").fillna(UNKNOWN).rename("month")
    missing = [c for c in (("city", "province", "admin_level") if by == "city" else (by,))
               if c not in df]
    if missing:
        raise ValueError(f"the directive table has no column {', '.join(missing)}")
    if by == "city":
        values = [city_group(c, p, a) for c, p, a in zip(df["city"], df["province"], df["admin_level"])]
        return pd.Series(values, index=df.index, name="city", dtype=object)
    return df[by].map(lambda v: _text(v) or UNKNOWN).astype(object).rename(by)


def directive_records(df: Any, by: str, scheme: str = "theme") -> list[tuple[str, str, str]]:
    """``(group, doc_id, themes)`` for each directive row: the input of ``compare_records``.

    With ``scheme`` oxcgrt or coronanet the third item is the row's tracker codes instead of its
    themes, so the comparison counts indicators."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
    column = SCHEMES[scheme]
    for col in ("doc_id", column):
        if col not in df:
            hint = " (written before the crosswalk existed: extract it again)" if col in ("oxcgrt", "coronanet") else ""
            raise ValueError(f"the directive table has no column {col!r}{hint}")
    groups = group_labels(df, by)
    return [(g, _text(d), _text(t)) for g, d, t in zip(groups, df["doc_id"], df[column])]


def compare_themes(df: Any, by: str = "city", labels: Mapping[str, str] | None = None,
                   scheme: str = "theme") -> Any:
    """The comparison table of a directive table ``df`` grouped ``by`` (see the module doc).

    ``scheme`` oxcgrt or coronanet counts the tracker codes of the crosswalk instead of themes;
    the ``theme`` column then holds the code (C8) and ``label`` its name."""
    if labels is None and scheme != "theme":
        labels = scheme_labels(scheme)
    return compare_records(directive_records(df, by, scheme), by, labels, chronological=by == "month")


def scheme_labels(scheme: str) -> dict[str, str]:
    """Code → label: OxCGRT indicator names (C8 → International travel controls); CoronaNet types
    are their own labels; themes → their Chinese labels."""
    if scheme == "oxcgrt":
        from extractor.stages.measures import OXCGRT_LABELS
        return dict(OXCGRT_LABELS)
    if scheme == "coronanet":
        from extractor.stages.measures import CORONANET_TYPES
        return {t: t for t in CORONANET_TYPES}
    return theme_labels()


def write_comparison(table: Any, out: Path, terms: Any = None, by: str = "group") -> list[Path]:
    """Write a comparison (shares rounded to 4 digits) to .csv or .xlsx, atomically.

    An .xlsx has a sheet ``themes_by_<by>`` (shares as percentages) and, with distinctive
    ``terms``, a second sheet ``terms_by_<by>``; beside a .csv the terms go to
    ``<stem>.terms.csv``. Returns the files written.
    """
    from extractor.output.table import companion_path, write_frame

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"{out}: unsupported output format {out.suffix!r}; use .csv or .xlsx")
    table = round_shares(table)
    terms = terms.round({"z": 4, "delta": 4}) if terms is not None else None
    if suffix == ".xlsx":
        from extractor.output.xlsx import write_frames

        sheets = {f"themes_by_{by}": table}
        if terms is not None:
            sheets[f"terms_by_{by}"] = terms
        write_frames(out, sheets)
        return [out]
    write_frame(table, out)
    if terms is None:
        return [out]
    write_frame(terms, companion_path(out, "terms"))
    return [out, companion_path(out, "terms")]


def format_share(share: float, low: float, high: float) -> str:
    """``0.6, 0.231, 0.882`` → ``60% (23–88)``."""
    if math.isnan(share):
        return "–"
    return f"{share:.0%} ({low * 100:.0f}–{high * 100:.0f})"


def print_table(table: Any, by: str, console: Any = None, show_zero: bool = False) -> None:
    """Print a comparison as a terminal table (rich: Chinese double-width characters align)."""
    from rich.table import Table

    console = console or _console()
    shown = table if show_zero else table[table["n_directives"] > 0]
    n_groups = table[by].nunique()
    out = Table(title=f"Themes by {by}: {n_groups} groups · shares with 95% Wilson intervals",
                caption=None if show_zero else "themes a group never mentions are left out here; "
                                                   "-o writes every group × theme",
                show_lines=False, header_style="bold")
    out.add_column(by)
    out.add_column("theme")
    out.add_column("label")
    out.add_column("directives", justify="right")
    out.add_column("share of directives", justify="right")
    out.add_column("notices", justify="right")
    out.add_column("share of notices", justify="right")
    previous = None
    for r in shown.itertuples(index=False):
        group = r[0]
        if previous is not None and group != previous:
            out.add_section()
        out.add_row(group if group != previous else "", r.theme, r.label,
                    f"{r.n_directives}/{r.group_directives}",
                    format_share(r.share_directives, r.share_directives_low, r.share_directives_high),
                    f"{r.n_notices}/{r.group_notices}",
                    format_share(r.share_notices, r.share_notices_low, r.share_notices_high))
        previous = group
    console.print(out)


def print_terms(terms: Any, by: str, console: Any = None) -> None:
    """Print distinctive terms, one line per group: term (z) …"""
    from rich.table import Table

    console = console or _console()
    out = Table(title=f"Distinctive terms by {by} (weighted log-odds z against the other groups)",
                header_style="bold")
    out.add_column(by)
    out.add_column("terms (z-score, count in group)")
    for group, part in terms.groupby(by, sort=False):
        out.add_row(str(group), "  ".join(f"{r.term} ({r.z:.1f}, {r.count})"
                                          for r in part.itertuples(index=False)))
    console.print(out)


def _console() -> Any:
    from rich.console import Console

    console = Console()
    if not console.is_terminal:  # piped or redirected: no wrapping at 80 columns
        console = Console(width=max(console.width, 140))
    return console


def _dates(df: Any, col: str) -> Any:
    import pandas as pd

    if col not in df:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    values = df[col].map(lambda v: _text(v) or None)
    return pd.to_datetime(values, errors="coerce", format="mixed")
