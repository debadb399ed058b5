"""qda: REFI-QDA projects (.qdpx) and codebooks (.qdc) for NVivo, ATLAS.ti and MAXQDA.

A .qdpx is a zip holding ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``, the REFI-QDA
Project Exchange schema of March 2019) and ``sources/<guid>.txt``, one per notice: its cleaned text,
so that every directive is a ``PlainTextSelection`` at its own ``start``/``end`` offsets (Unicode
characters) in that text. The codebook holds three trees of codes: ``themes`` (one code per theme
id, the label as description), ``kind`` and ``modality``; each directive is coded with its themes,
its kind and its modality.

GUIDs are derived from the content (UUID 5), so the same notices give the same project, and a
project read back maps each code to its theme by GUID, or by name for codes a reviewer added.

``read_project`` reads a project back, as a reviewer left it, into directive rows that
``evaluate`` scores the tool against (see ``evaluate.evaluate_project``).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_NS = uuid.UUID("2f7d1a52-8c1e-5b7a-9d43-6a0f3c8e1b27")  # namespace of this tool's GUIDs
ORIGIN = "policy-directives"
AXES = {"themes": "themes", "kind": "kind", "modality": "modality"}
KINDS = ("numbered", "unnumbered", "parallel")
MODALITIES = ("require", "prohibit", "recommend")
DOC_FIELDS = ("doc_id", "source_path", "title", "source", "published", "meeting_date", "province", "city",
              "county", "admin_level", "issuer")


def guid(*parts: str) -> str:
    return str(uuid.uuid5(_NS, "\x1f".join(parts)))


def code_guid(axis: str, value: str) -> str:
    return guid("code", axis, value)


def _colour(i: int) -> str:
    palette = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F",
               "#BCBD22", "#17BECF")
    return palette[i % len(palette)]


def codebook_tree(themes: list[Any]) -> list[tuple[str, str, str, list[tuple[str, str, str]]]]:
    """The codes: (axis, guid, description, [(value, guid, description)]) per tree."""
    return [
        ("themes", guid("tree", "themes"), "Themes of the codebook (§2); each code's name is the theme id.",
         [(t.id, code_guid("themes", t.id), t.label + (f" — {t.description}" if t.description else ""))
          for t in themes]),
        ("kind", guid("tree", "kind"), "How the directive is marked: numbered, unnumbered or parallel (§1).",
         [(k, code_guid("kind", k), k) for k in KINDS]),
        ("modality", guid("tree", "modality"), "require / prohibit / recommend (rules/measures.yaml).",
         [(m, code_guid("modality", m), m) for m in MODALITIES]),
    ]


def _codes_element(E: Any, themes: list[Any]) -> Any:
    codes = E.Codes()
    for i, (axis, tree_guid, description, children) in enumerate(codebook_tree(themes)):
        parent = E.Code(E.Description(description), guid=tree_guid, name=axis, isCodable="false")
        for j, (value, child_guid, child_description) in enumerate(children):
            parent.append(E.Code(E.Description(child_description), guid=child_guid, name=value,
                                 isCodable="true", color=_colour(i * 3 + j)))
        codes.append(parent)
    return codes


def _maker(ns: str) -> Any:
    from lxml.builder import ElementMaker

    return ElementMaker(namespace=ns, nsmap={None: ns})


def codebook_xml(themes: list[Any]) -> bytes:
    """A REFI-QDA codebook (.qdc) of the themes, kinds and modalities."""
    from lxml import etree

    E = _maker(CODEBOOK_NS)
    root = E.CodeBook(_codes_element(E, themes), origin=ORIGIN)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_codebook(themes: list[Any], out: Path) -> None:
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(codebook_xml(themes))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class ProjectWriter:
    """Streams notices into a .qdpx: each notice's text goes into the zip as it arrives and its
    ``TextSource`` element into a temporary file; ``close`` writes ``project.qde`` around them."""

    def __init__(self, tmp_path: Path, themes: list[Any] | None = None) -> None:
        from lxml import etree

        if themes is None:
            from extractor.stages.tag import load_taxonomy
            themes = list(load_taxonomy().themes)
        self._etree = etree
        self._E = _maker(PROJECT_NS)
        self._themes = themes
        self._known_themes = {t.id for t in themes}
        self._zip = zipfile.ZipFile(tmp_path, "w", compression=zipfile.ZIP_DEFLATED)
        self._sources = tempfile.TemporaryFile(dir=tmp_path.parent)
        self._user = guid("user", ORIGIN)
        self._when = _now()
        self._seen: set[str] = set()
        self.n_sources = 0
        self.n_selections = 0

    def add(self, notice: Any) -> None:
        doc = notice.document
        if doc.status == "error" or not doc.text:
            return
        E = self._E
        source_guid = guid("source", doc.doc_id, doc.source_path)
        if source_guid in self._seen:  # the same file given twice
            return
        self._seen.add(source_guid)
        self._zip.writestr(f"sources/{source_guid}.txt", doc.text.encode("utf-8"))
        description = "\n".join(f"{k}: {_text(getattr(doc, k))}" for k in DOC_FIELDS if _text(getattr(doc, k)))
        source = E.TextSource(E.Description(description), guid=source_guid, name=Path(doc.source_path).name,
                              plainTextPath=f"internal://{source_guid}.txt", creatingUser=self._user,
                              creationDateTime=self._when)
        for row in notice.directives:
            sel_guid = guid("selection", source_guid, str(row.start), str(row.end))
            sel = E.PlainTextSelection(
                E.Description(f"{row.directive_no} {row.marker} {row.heading}".strip()), guid=sel_guid,
                name=f"{row.directive_no} {row.heading or row.text[:20]}", startPosition=str(row.start),
                endPosition=str(row.end), creatingUser=self._user, creationDateTime=self._when)
            values = [("themes", t) for t in row.themes.split("|") if t]
            values += [("kind", row.kind)] + ([("modality", row.modality)] if row.modality else [])
            for axis, value in values:
                target = code_guid(axis, value)
                sel.append(E.Coding(E.CodeRef(targetGUID=target), guid=guid("coding", sel_guid, target),
                                    creatingUser=self._user, creationDateTime=self._when))
            source.append(sel)
            self.n_selections += 1
        self._sources.write(self._etree.tostring(source, encoding="utf-8"))
        self.n_sources += 1

    def close(self) -> None:
        E = self._E
        head = self._etree.tostring(E.Project(
            E.Users(E.User(guid=self._user, name=ORIGIN)), E.CodeBook(_codes_element(E, self._themes)),
            E.Sources(), name="policy directives", origin=ORIGIN, creatingUserGUID=self._user,
            creationDateTime=self._when), encoding="utf-8")
        # The empty <Sources/> of the skeleton is where the streamed sources go.
        empty = b"<Sources/>"
        at = head.rindex(empty)
        info = zipfile.ZipInfo("project.qde", dt.datetime.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        with self._zip.open(info, "w", force_zip64=True) as out:
            out.write(b'<?xml version="1.0" encoding="utf-8"?>\n')
            out.write(head[:at] + b"<Sources>")
            self._sources.seek(0)
            shutil.copyfileobj(self._sources, out, 1 << 20)
            out.write(b"</Sources>" + head[at + len(empty):])
        self._sources.close()
        self._zip.close()

    def abort(self) -> None:
        self._sources.close()
        self._zip.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).replace("\n", " ").strip()


# -- reading a project back ---------------------------------------------------------------------------------
def _safe_parser() -> Any:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def read_codes(root: Any, ns: str = PROJECT_NS) -> dict[str, tuple[str, str]]:
    """Code GUID → (axis, value): the codes under the ``themes``, ``kind`` and ``modality`` trees
    (matched by name, so a reviewer's own codes under them count); a top-level code named like
    a kind or modality value belongs to that axis, any other top-level code is a theme."""
    q = f"{{{ns}}}"
    out: dict[str, tuple[str, str]] = {}
    codes = root.find(f"{q}CodeBook/{q}Codes") if ns == PROJECT_NS else root.find(f"{q}Codes")
    if codes is None:
        return out

    def walk(node: Any, axis: str | None) -> None:
        for code in node.findall(f"{q}Code"):
            name = (code.get("name") or "").strip()
            children = code.findall(f"{q}Code")
            if axis is None and name in AXES:
                walk(code, AXES[name])
                continue
            if axis is None:
                here = "kind" if name in KINDS else "modality" if name in MODALITIES else "themes"
            else:
                here = axis
            if code.get("isCodable", "true") != "false":
                out[code.get("guid")] = (here, name)
            if children:
                walk(code, here)
    walk(codes, None)
    return out


def read_project(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The coded selections of a .qdpx as directive rows: the source's document fields (from its
    description), ``source_path`` (the source's name when the description lacks it), ``start``,
    ``end``, ``text`` (the selection's slice of the source), ``themes`` (joined with ``|``, in the
    file's order), ``kind`` and ``modality``. Selections with no coding are rows with no themes."""
    from lxml import etree

    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}: not a REFI-QDA project (.qdpx is a zip): {exc}") from None
    with zf:
        names = [n for n in zf.namelist() if n.lower().endswith(".qde")]
        if not names:
            raise ValueError(f"{path}: no project.qde inside")
        root = etree.fromstring(zf.read(names[0]), _safe_parser())
        q = f"{{{PROJECT_NS}}}"
        if root.tag != f"{q}Project":
            raise ValueError(f"{path}: {names[0]} is not a REFI-QDA project (root {root.tag})")
        codes = read_codes(root)
        members = {n.lower(): n for n in zf.namelist()}  # programs differ in the case of sources/
        rows: list[dict[str, Any]] = []
        for source in root.iterfind(f"{q}Sources/{q}TextSource"):
            text = _source_text(zf, source, q, members)
            fields = dict.fromkeys(DOC_FIELDS, "") | _description_fields(source.findtext(f"{q}Description") or "")
            fields["source_path"] = fields["source_path"] or source.get("name") or ""
            for sel in source.iterfind(f"{q}PlainTextSelection"):
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                row = dict(fields, start=start, end=end, text=text[start:end], source_name=source.get("name") or "")
                themes, kind, modality = [], "", ""
                for ref in sel.iterfind(f"{q}Coding/{q}CodeRef"):
                    axis, value = codes.get(ref.get("targetGUID"), ("", ""))
                    if axis == "themes" and value not in themes:
                        themes.append(value)
                    elif axis == "kind":
                        kind = value
                    elif axis == "modality":
                        modality = value
                row.update(themes="|".join(themes), kind=kind, modality=modality)
                rows.append(row)
    return rows


def _source_text(zf: zipfile.ZipFile, source: Any, q: str, members: dict[str, str]) -> str:
    inline = source.findtext(f"{q}PlainTextContent")
    if inline is not None:
        return inline
    ref = source.get("plainTextPath") or ""
    if ref.startswith("internal://"):
        name = "sources/" + ref[len("internal://"):]
        if name.lower() not in members:
            raise ValueError(f"source {source.get('name')!r}: {name} is missing from the project")
        return zf.read(members[name.lower()]).decode("utf-8-sig")
    raise ValueError(f"source {source.get('name')!r}: its text is not in the project ({ref or 'no path'})")


def _description_fields(description: str) -> dict[str, str]:
    out = {}
    for line in description.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key in DOC_FIELDS:
            out[key] = value.strip()
    return out


def project_frame(path: str | os.PathLike) -> Any:
    """``read_project`` as a directive DataFrame with the tracker codes recomputed from the
    project's themes (so a reviewer's corrections carry through to ``compare --scheme oxcgrt``)."""
    import pandas as pd

    from extractor.stages.measures import Measurer

    rows = read_project(path)
    measurer = Measurer()
    for r in rows:
        oxcgrt, coronanet, evidence = measurer.codes(r["text"], [t for t in r["themes"].split("|") if t])
        r.update(oxcgrt="|".join(oxcgrt), coronanet="|".join(coronanet), crosswalk_terms="|".join(evidence))
    return pd.DataFrame(rows)


def notices_to_project(notices: Iterable[Any], out: Path, themes: list[Any] | None = None) -> ProjectWriter:
    """Write notices to ``out`` (.qdpx) in one go; returns the closed writer (its counts)."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    writer = ProjectWriter(tmp, themes)
    try:
        for n in notices:
            writer.add(n)
        writer.close()
        os.replace(tmp, out)
    except BaseException:
        writer.abort()
        tmp.unlink(missing_ok=True)
        raise
    return writer
