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
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

GROUP_BYS = ("city", "province", "month", "issuer", "admin_level")
# What is counted: the theme ids of a directive, or the tracker codes the crosswalk gave it.
SCHEMES = {"theme": "themes", "oxcgrt": "oxcgrt", "coronanet": "coronanet"}
UNKNOWN = "(unknown)"
Z95 = 1.959963984540054  # standard normal quantile for a two-sided 95% interval

COLUMNS = ["theme", "label", "n_directives", "group_directives", "share_directives",
           "share_directives_low", "share_directives_high", "n_notices", "group_notices",
           "share_notices", "share_notices_low", "share_notices_high"]


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes in ``n`` trials; ``(nan, nan)`` when ``n`` is 0.

    Unlike the normal approximation it stays inside [0, 1] and is not zero-width at 0 of n or
    n of n: ``wilson_interval(0, 5)`` is (0, 0.434).
    """
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return (low, high)


def split_themes(themes: Any) -> list[str]:
    """``"testing|quarantine"`` → ``["testing", "quarantine"]``; empty or missing → ``[]``."""
    if not isinstance(themes, str):
        return []
    return [t for t in (s.strip() for s in themes.split("|")) if t]


def city_group(city: Any, province: Any, admin_level: Any) -> str:
    """The ``--by city`` group of a row.

    The city when known. A province-level body (``admin_level`` province, or unknown) with no
    city is listed under its province (河南省), so provincial meetings sit beside the cities
    instead of disappearing into ``(unknown)``; municipalities already carry their city (上海市).
    A city- or county-level row whose city is unknown goes to ``(unknown)``.
    """
    city, province, level = (_text(v) for v in (city, province, admin_level))
    if city:
        return city
    if province and level in ("province", ""):
        return province
    return UNKNOWN


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


def compare_records(records: Iterable[tuple[str, str, str]], by: str = "group",
                    labels: Mapping[str, str] | None = None, chronological: bool = False) -> Any:
    """Theme counts, shares and Wilson intervals per group from ``(group, doc_id, themes)``.

    Groups are ordered by number of notices, then directives, then name (chronologically when
    ``chronological``), ``(unknown)`` last; within a group themes are ordered by overall weight
    (directives carrying them across all groups), so the same theme order repeats for each
    group. The first column is named ``by``.
    """
    import pandas as pd

    labels = labels if labels is not None else theme_labels()
    n_dir: Counter[str] = Counter()
    docs: dict[str, set[str]] = defaultdict(set)
    n_theme: Counter[tuple[str, str]] = Counter()
    docs_theme: dict[tuple[str, str], set[str]] = defaultdict(set)
    overall: Counter[str] = Counter()
    for group, doc_id, themes in records:
        group = group or UNKNOWN
        n_dir[group] += 1
        docs[group].add(doc_id)
        for theme in dict.fromkeys(split_themes(themes)):
            n_theme[(group, theme)] += 1
            docs_theme[(group, theme)].add(doc_id)
            overall[theme] += 1

    groups = order_groups(n_dir, {g: len(d) for g, d in docs.items()}, chronological)
    themes = sorted(overall, key=lambda t: (-overall[t], t))
    rows = []
    for g in groups:
        nd, nn = n_dir[g], len(docs[g])
        for t in themes:
            kd, kn = n_theme[(g, t)], len(docs_theme[(g, t)])
            dlo, dhi = wilson_interval(kd, nd)
            nlo, nhi = wilson_interval(kn, nn)
            rows.append([g, t, labels.get(t, t), kd, nd, kd / nd, dlo, dhi, kn, nn, kn / nn, nlo, nhi])
    df = pd.DataFrame(rows, columns=[by, *COLUMNS])
    for col in ("n_directives", "group_directives", "n_notices", "group_notices"):
        df[col] = df[col].astype("int64")
    return df


def order_groups(n_directives: Mapping[str, int], n_notices: Mapping[str, int],
                 chronological: bool = False) -> list[str]:
    """Groups by number of notices, then directives, then name (or by name when
    ``chronological``: months), with ``(unknown)`` last."""
    if chronological:
        return sorted(n_directives, key=lambda g: (g == UNKNOWN, g))
    return sorted(n_directives, key=lambda g: (g == UNKNOWN, -n_notices[g], -n_directives[g], g))


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
        from .measures import OXCGRT_LABELS
        return dict(OXCGRT_LABELS)
    if scheme == "coronanet":
        from .measures import CORONANET_TYPES
        return {t: t for t in CORONANET_TYPES}
    return theme_labels()


def theme_labels() -> dict[str, str]:
    """Theme id → label of the built-in codebook (testing → 核酸检测与筛查)."""
    from .tag import load_taxonomy

    return {t.id: t.label for t in load_taxonomy().themes}


def sheet_rows(table: Any, digits: int = 4) -> list[list[Any]]:
    """A comparison table as spreadsheet rows, header first, shares rounded to ``digits``."""
    rounded = round_shares(table, digits)
    return [list(rounded.columns), *(list(r) for r in rounded.itertuples(index=False))]


def round_shares(table: Any, digits: int = 4) -> Any:
    """Shares and interval bounds rounded for writing; counts untouched."""
    out = table.copy()
    for col in out.columns:
        if col.startswith("share_"):
            out[col] = out[col].round(digits)
    return out


def write_comparison(table: Any, out: Path, terms: Any = None, by: str = "group") -> list[Path]:
    """Write a comparison (shares rounded to 4 digits) to .csv or .xlsx, atomically.

    Distinctive ``terms``, when given, go to ``<stem>.terms.csv`` beside a .csv, or to a second
    sheet ``terms_by_<by>`` of an .xlsx (whose first sheet is ``themes_by_<by>``). Returns the
    files written.
    """
    from .table import companion_path, write_frame

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"{out}: unsupported output format {out.suffix!r}; use .csv or .xlsx")
    table = round_shares(table)
    if terms is None or suffix == ".csv":
        write_frame(table, out)
        if terms is None:
            return [out]
        write_frame(terms.round({"z": 4, "delta": 4}), companion_path(out, "terms"))
        return [out, companion_path(out, "terms")]
    import pandas as pd

    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            table.to_excel(xw, sheet_name=f"themes_by_{by}"[:31], index=False)
            terms.round({"z": 4, "delta": 4}).to_excel(xw, sheet_name=f"terms_by_{by}"[:31], index=False)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return [out]


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


def _text(value: Any) -> str:
    """A cell as stripped text; NaN, None and NaT → ``""``."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover
        pass
    return str(value).strip()


def _dates(df: Any, col: str) -> Any:
    import pandas as pd

    if col not in df:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    values = df[col].map(lambda v: _text(v) or None)
    return pd.to_datetime(values, errors="coerce", format="mixed")
