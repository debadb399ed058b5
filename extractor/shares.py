"""shares: theme counts, shares and Wilson intervals per group, from ``(group, doc_id, themes)``.

The arithmetic both ``compare`` (the analysis of a directive table) and the ``themes_by_city``
sheet that ``table`` writes into an .xlsx need, kept here so that the writers do not import the
analysis. ``compare`` re-exports every name.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

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


def theme_labels() -> dict[str, str]:
    """Theme id → label of the built-in codebook (testing → 核酸检测与筛查)."""
    from extractor.stages.tag import load_taxonomy

    return {t.id: t.label for t in load_taxonomy().themes}


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


def round_shares(table: Any, digits: int = 4) -> Any:
    """Shares and interval bounds rounded for writing; counts untouched."""
    out = table.copy()
    for col in out.columns:
        if col.startswith("share_"):
            out[col] = out[col].round(digits)
    return out
