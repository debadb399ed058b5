"""evaluate: score a directive table against hand-annotated gold (codebook §1–3).

Gold format: ``{"documents": [{"file", "province", "city", "county", "admin_level", "published", "meeting_date",
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
DOC_FIELDS = ("province", "city", "county", "admin_level", "published", "meeting_date")


def _norm(s: Any) -> str:
    s = unicodedata.normalize("NFKC", "" if s is None else str(s))
    return "".join(ch for ch in s if not ch.isspace())


def _themes(cell: Any) -> set[str]:
    return {t.strip() for t in str(cell or "").replace(";", "|").split("|") if t.strip()}


def _theme_terms(cell: Any) -> dict[str, list[str]]:
    """``theme:term,term|theme:term`` (the ``theme_terms`` column) → {theme: [terms]}."""
    out: dict[str, list[str]] = {}
    for part in str(cell or "").split("|"):
        tid, sep, terms = part.partition(":")
        if sep and tid.strip():
            out[tid.strip()] = [t for t in terms.split(",") if t]
    return out


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
class ThemeScore:
    """One theme on the matched pairs: counts, and the terms that fired where gold has no such theme."""

    theme: str
    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0
    fp_terms: dict[str, int] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return _prf(self.tp, self.n_pred, self.n_gold)[0]

    @property
    def recall(self) -> float:
        return _prf(self.tp, self.n_pred, self.n_gold)[1]


@dataclass
class Figures:
    summary: dict[str, float | None]  # None: n/a, nothing to score
    documents: list[DocScore] = field(default_factory=list)
    by_theme: dict[str, ThemeScore] = field(default_factory=dict)
    agreement: dict[str, dict[str, float]] = field(default_factory=dict)  # theme → precision, recall, kappa …


def cohen_kappa(pairs: list[tuple[Any, Any]]) -> float:
    """Cohen's κ of two coders' labels on the same units: (p_o − p_e) / (1 − p_e), p_e from each
    coder's own label frequencies. NaN when undefined (no units, or both coders gave every unit
    the same single label, so chance agreement is 1)."""
    n = len(pairs)
    if not n:
        return float("nan")
    from collections import Counter

    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    p_o = sum(a == b for a, b in pairs) / n
    p_e = sum(first[k] * second[k] for k in first) / (n * n)
    if p_e >= 1.0:
        return float("nan")
    return (p_o - p_e) / (1 - p_e)


def theme_agreement(pairs: list[tuple[set[str], set[str]]]) -> tuple[dict[str, dict[str, float]], float]:
    """Per theme, over matched directives (reference themes, tool themes): precision, recall and
    Cohen's κ of present/absent, with the counts; and the pooled κ, from the 2×2 tables of all
    themes either side used, summed (every theme is judged on the same directives)."""
    themes = sorted(set().union(*(g | p for g, p in pairs))) if pairs else []
    out: dict[str, dict[str, float]] = {}
    pooled: list[tuple[bool, bool]] = []
    for theme in themes:
        cells = [(theme in g, theme in p) for g, p in pairs]
        pooled.extend(cells)
        tp = sum(g and p for g, p in cells)
        n_pred = sum(p for _, p in cells)
        n_gold = sum(g for g, _ in cells)
        prec, rec, f1 = _prf(tp, n_pred, n_gold)
        out[theme] = {"precision": prec, "recall": rec, "f1": f1, "kappa": cohen_kappa(cells),
                      "n_gold": n_gold, "n_pred": n_pred, "n_both": tp}
    return out, cohen_kappa(pooled)


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


def evaluate(gold: list[dict], rows: list[dict], documents: dict[str, dict] | None = None) -> Figures:
    """Score directive rows (dicts with the contract's columns) against gold documents. The document
    fields are read from ``documents`` (file name → document row) when given, so that a notice with
    no directive still has its place and dates scored; else from the notice's first directive row."""
    by_doc: dict[str, list[dict]] = {}
    for r in rows:
        by_doc.setdefault(Path(str(r.get("source_path", ""))).name, []).append(r)
    t = dict(gold=0, pred=0, tp=0, num_gold=0, num_tp=0, th_tp=0, th_pred=0, th_gold=0, prim_n=0, prim_ok=0)
    f_ok = dict.fromkeys(DOC_FIELDS, 0)
    f_n = dict.fromkeys(DOC_FIELDS, 0)
    docs = []
    theme_pairs: list[tuple[set[str], set[str]]] = []
    by_theme: dict[str, ThemeScore] = {}
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
            theme_pairs.append((gs, ps))
            t["th_tp"] += len(gs & ps)
            t["th_pred"] += len(ps)
            t["th_gold"] += len(gs)
            fired = _theme_terms(r.get("theme_terms"))
            for tid in gs | ps:
                score = by_theme.setdefault(tid, ThemeScore(tid))
                score.tp += tid in gs and tid in ps
                score.n_pred += tid in ps
                score.n_gold += tid in gs
                if tid in ps and tid not in gs:
                    for term in fired.get(tid, ["?"]):
                        score.fp_terms[term] = score.fp_terms.get(term, 0) + 1
            if g.get("primary"):
                t["prim_n"] += 1
                t["prim_ok"] += str(r.get("primary_theme") or "").strip() == g["primary"]
        first = (documents or {}).get(doc["file"]) or (pred[0] if pred else {})
        fields: dict[str, bool | None] = {}
        for name in DOC_FIELDS:
            if doc.get(name) is None:
                fields[name] = None
                continue
            ok = bool(first) and _norm(first.get(name))[:10] == _norm(doc[name])[:10]
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
    agreement, pooled = theme_agreement(theme_pairs)
    summary["theme_kappa"] = pooled
    return Figures(summary, docs, dict(sorted(by_theme.items())), agreement)


def evaluate_table(gold: list[dict], df: Any, documents: Any = None) -> Figures:
    """Score a directive DataFrame (as read by ``table.read_directives``), with the document
    table beside it when there is one (its fields are then scored for every notice)."""
    records = df.astype(object).where(df.notna(), "").to_dict("records")
    by_file = None
    if documents is not None:
        by_file = {Path(str(r.get("source_path", ""))).name: r
                   for r in documents.astype(object).where(documents.notna(), "").to_dict("records")}
    return evaluate(gold, records, by_file)


def evaluate_paths(gold: list[dict], paths: list[str]) -> Figures:
    """Extract the notices under ``paths`` and score them."""
    from extractor.pipeline import Extractor, iter_input_files
    from extractor.output.table import row_values

    ex = Extractor()
    rows = []
    documents = {}
    for path in iter_input_files(paths):
        notice = ex.extract_path(path)
        doc = notice.document
        documents.setdefault(Path(doc.source_path).name, dict(zip(type(doc).model_fields, row_values(doc))))
        for d in notice.directives:
            rows.append(dict(zip(type(d).model_fields, row_values(d))))
    return evaluate(gold, rows, documents)


MIN_OVERLAP = 0.5


def match_spans(gold: list[dict], pred: list[dict]) -> list[tuple[dict, dict]]:
    """Pairs of a reference selection and a predicted directive of the same notice whose spans
    overlap by at least half of the longer one, each used once, best overlap first."""
    candidates = []
    for i, g in enumerate(gold):
        for j, r in enumerate(pred):
            lo, hi = max(g["start"], int(r["start"])), min(g["end"], int(r["end"]))
            longer = max(g["end"] - g["start"], int(r["end"]) - int(r["start"]), 1)
            if hi > lo and (hi - lo) / longer >= MIN_OVERLAP:
                candidates.append(((hi - lo) / longer, -i, -j))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, mi, mj in sorted(candidates, reverse=True):
        i, j = -mi, -mj
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return [(gold[i], pred[j]) for i, j in sorted(pairs)]


def evaluate_project(reference: list[dict], rows: list[dict]) -> Figures:
    """Agreement of directive rows with a reviewed REFI-QDA project (``qda.read_project``): the
    project's coded selections are the reference. Directives pair up within a notice (by file
    name) when their spans overlap by half the longer one (``match_spans``). Reported: directive
    precision/recall/F1; on paired directives theme precision/recall/F1, per theme with Cohen's κ,
    the pooled κ over themes, and κ of kind and of modality."""
    # a notice is its source_path when both sides name the same one, else its file name
    paths = {str(r.get("source_path", "")) for r in rows}

    def key(path: str) -> str:
        return path if path in paths else Path(path).name

    by_doc: dict[str, list[dict]] = {}
    for r in rows:
        path = str(r.get("source_path", ""))
        by_doc.setdefault(path, []).append(r)
        if Path(path).name != path:
            by_doc.setdefault(Path(path).name, []).append(r)
    ref_by_doc: dict[str, list[dict]] = {}
    for g in reference:
        ref_by_doc.setdefault(key(str(g.get("source_path") or g.get("source_name", ""))), []).append(g)
    n_gold = n_pred = n_tp = 0
    theme_pairs: list[tuple[set[str], set[str]]] = []
    kind_pairs, modality_pairs = [], []
    docs = []
    for name, ref in ref_by_doc.items():
        pred = by_doc.get(name, [])
        pairs = match_spans(ref, pred)
        n_gold += len(ref)
        n_pred += len(pred)
        n_tp += len(pairs)
        for g, r in pairs:
            theme_pairs.append((_themes(g.get("themes")), _themes(r.get("themes"))))
            kind_pairs.append((g.get("kind") or "", str(r.get("kind") or "")))
            modality_pairs.append((g.get("modality") or "", str(r.get("modality") or "")))
        got_g = {id(g) for g, _ in pairs}
        got_p = {id(r) for _, r in pairs}
        docs.append(DocScore(name, len(ref), len(pred), len(pairs), {},
                             [str(g.get("text", ""))[:30] for g in ref if id(g) not in got_g],
                             [str(r.get("text", ""))[:30] for r in pred if id(r) not in got_p]))
    p, r, f = _prf(n_tp, n_pred, n_gold)
    th_tp = sum(len(g & q) for g, q in theme_pairs)
    tp_, tr_, tf_ = _prf(th_tp, sum(len(q) for _, q in theme_pairs), sum(len(g) for g, _ in theme_pairs))
    agreement, pooled = theme_agreement(theme_pairs)
    summary = {"directive_precision": p, "directive_recall": r, "directive_f1": f,
               "theme_precision": tp_, "theme_recall": tr_, "theme_f1": tf_, "theme_kappa": pooled,
               "kind_kappa": cohen_kappa(kind_pairs), "modality_kappa": cohen_kappa(modality_pairs)}
    return Figures(summary, docs, agreement=agreement)


def extracted_rows(paths: list[str]) -> list[dict]:
    """Directive rows (dicts) of the notices under ``paths``."""
    from extractor.pipeline import Extractor, iter_input_files
    from extractor.output.table import row_values

    ex = Extractor()
    rows = []
    for path in iter_input_files(paths):
        for d in ex.extract_path(path).directives:
            rows.append(dict(zip(type(d).model_fields, row_values(d))))
    return rows


def format_agreement(figures: Figures) -> str:
    """Per theme: reference and tool counts, precision, recall and κ."""
    if not figures.agreement:
        return ""
    lines = [f"{'theme':22} {'ref':>4} {'tool':>4} {'both':>4}  precision recall  kappa"]
    for theme, a in figures.agreement.items():
        kappa = "    –" if a["kappa"] != a["kappa"] else f"{a['kappa']:6.3f}"
        lines.append(f"{theme:22} {a['n_gold']:4} {a['n_pred']:4} {a['n_both']:4}  {a['precision']:9.3f} "
                     f"{a['recall']:6.3f} {kappa}")
    return "\n".join(lines)


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


def format_by_theme(figures: Figures, top: int = 6) -> str:
    """Precision and recall per theme on the matched directives, with the terms that fired most
    often on false positives (a term seen on a theme the gold directive lacks)."""
    lines = [f"{'theme':22} {'tp':>4} {'pred':>4} {'gold':>4}  prec   rec  false-positive terms"]
    for s in figures.by_theme.values():
        terms = sorted(s.fp_terms.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        shown = ", ".join(f"{term}×{n}" if n > 1 else term for term, n in terms)
        lines.append(f"{s.theme:22} {s.tp:4} {s.n_pred:4} {s.n_gold:4}  {s.precision:.2f}  {s.recall:.2f}  {shown}")
    return "\n".join(lines)
