"""evaluate: score a directive table against hand-annotated gold (codebook §1–3).

Gold format: ``{"documents": [{"file", "province", "city", "published", "meeting_date",
"directives": [{"kind", "marker", "anchor", "primary", "themes"}]}]}``. A predicted directive
matches a gold one when the gold anchor (NFKC, no white space) lies within the first
``len(anchor) + 12`` characters of the predicted text; pairs are made greedily in document order.
Themes and primary themes are scored on matched pairs; a gold field that is null is not scored.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ANCHOR_WINDOW = 12
DOC_FIELDS = ("province", "city", "published", "meeting_date")


def _norm(s: Any) -> str:
    s = unicodedata.normalize("NFKC", "" if s is None else str(s))
    return "".join(ch for ch in s if not ch.isspace())


def _themes(cell: Any) -> set[str]:
    return {t.strip() for t in str(cell or "").replace(";", "|").split("|") if t.strip()}


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else (1.0 if n_gold == 0 else 0.0)
    r = tp / n_gold if n_gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class DocScore:
    file: str
    n_gold: int
    n_pred: int
    n_matched: int
    fields: dict[str, bool | None]
    missed: list[str]
    spurious: list[str]


@dataclass
class Figures:
    summary: dict[str, float | None]  # None: n/a, nothing to score
    documents: list[DocScore] = field(default_factory=list)


def load_gold(path: Path) -> list[dict]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return data["documents"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a gold file ({exc})") from None


def match_directives(gold: list[dict], pred: list[dict]) -> list[tuple[dict, dict]]:
    used: set[int] = set()
    texts = [_norm(r.get("text")) for r in pred]
    pairs = []
    for g in gold:
        anchor = _norm(g["anchor"])
        for i, t in enumerate(texts):
            if i not in used and anchor in t[: len(anchor) + ANCHOR_WINDOW]:
                used.add(i)
                pairs.append((g, pred[i]))
                break
    return pairs


def evaluate(gold: list[dict], rows: list[dict]) -> Figures:
    """Score directive rows (dicts with the contract's columns) against gold documents."""
    by_doc: dict[str, list[dict]] = {}
    for r in rows:
        by_doc.setdefault(Path(str(r.get("source_path", ""))).name, []).append(r)
    t = dict(gold=0, pred=0, tp=0, num_gold=0, num_tp=0, th_tp=0, th_pred=0, th_gold=0, prim_n=0, prim_ok=0)
    f_ok = dict.fromkeys(DOC_FIELDS, 0)
    f_n = dict.fromkeys(DOC_FIELDS, 0)
    docs = []
    for doc in gold:
        pred = by_doc.get(doc["file"], [])
        pairs = match_directives(doc["directives"], pred)
        t["gold"] += len(doc["directives"])
        t["pred"] += len(pred)
        t["tp"] += len(pairs)
        t["num_gold"] += sum(g["kind"] == "numbered" for g in doc["directives"])
        t["num_tp"] += sum(g["kind"] == "numbered" for g, _ in pairs)
        for g, r in pairs:
            gs, ps = set(g["themes"]), _themes(r.get("themes"))
            t["th_tp"] += len(gs & ps)
            t["th_pred"] += len(ps)
            t["th_gold"] += len(gs)
            if g.get("primary"):
                t["prim_n"] += 1
                t["prim_ok"] += str(r.get("primary_theme") or "").strip() == g["primary"]
        first = pred[0] if pred else {}
        fields: dict[str, bool | None] = {}
        for name in DOC_FIELDS:
            if doc.get(name) is None:
                fields[name] = None
                continue
            ok = bool(pred) and _norm(first.get(name))[:10] == _norm(doc[name])[:10]
            fields[name] = ok
            f_ok[name] += ok
            f_n[name] += 1
        matched_gold = {id(g) for g, _ in pairs}
        matched_pred = {id(r) for _, r in pairs}
        docs.append(DocScore(doc["file"], len(doc["directives"]), len(pred), len(pairs), fields,
                             [g["anchor"] for g in doc["directives"] if id(g) not in matched_gold],
                             [str(r.get("text", ""))[:30] for r in pred if id(r) not in matched_pred]))
    p, r, f = _prf(t["tp"], t["pred"], t["gold"])
    # Theme figures are over matched directives: with none matched (an empty prediction) they are
    # not 1.000 but undefined, None (n/a), and so is a figure with nothing to count.
    tp_, tr_, tf_ = _prf(t["th_tp"], t["th_pred"], t["th_gold"]) if t["tp"] else (None, None, None)
    summary = {
        "directive_precision": p, "directive_recall": r, "directive_f1": f,
        "numbered_recall": t["num_tp"] / t["num_gold"] if t["num_gold"] else None,
        "theme_precision": tp_, "theme_recall": tr_, "theme_f1": tf_,
        "primary_accuracy": t["prim_ok"] / t["prim_n"] if t["prim_n"] else None,
        **{f"{k}_accuracy": f_ok[k] / f_n[k] if f_n[k] else None for k in DOC_FIELDS},
    }
    return Figures(summary, docs)


def evaluate_table(gold: list[dict], df: Any) -> Figures:
    """Score a directive DataFrame (as read by ``table.read_directives``)."""
    records = df.astype(object).where(df.notna(), "").to_dict("records")
    return evaluate(gold, records)


def evaluate_paths(gold: list[dict], paths: list[str]) -> Figures:
    """Extract the notices under ``paths`` and score them."""
    from .pipeline import Extractor, iter_input_files
    from .table import row_values

    ex = Extractor()
    rows = []
    for path in iter_input_files(paths):
        notice = ex.extract_path(path)
        for d in notice.directives:
            rows.append(dict(zip(type(d).model_fields, row_values(d))))
    return evaluate(gold, rows)


def format_report(figures: Figures) -> str:
    lines = [f"{'document':34} gold pred match  " + " ".join(f[:5] for f in DOC_FIELDS)]
    for d in figures.documents:
        flags = " ".join("-    " if v is None else "ok   " if v else "WRONG" for v in d.fields.values())
        lines.append(f"{d.file:34} {d.n_gold:4} {d.n_pred:4} {d.n_matched:5}  {flags}")
        lines.extend(f"    missed: {a}" for a in d.missed)
        lines.extend(f"    extra:  {s}" for s in d.spurious)
    lines.append("")
    lines.extend(f"{k}: {'n/a' if v is None else f'{v:.3f}'}" for k, v in figures.summary.items())
    return "\n".join(lines)
