"""The pipeline: load → clean → locate → segment → tag → table, over one reusable ``Extractor``.

``extract_notice`` and ``extract_table`` are the two public verbs; both delegate to a
lazily built default ``Extractor`` that holds the compiled rules. Nothing heavy happens at
import time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from extractor.models import DirectiveRow, DocumentRow, Loaded, Metadata, Notice

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

log = logging.getLogger(__name__)

# Suffixes read when a folder is scanned: text, web pages as servers name them, database records.
NOTICE_SUFFIXES = (".txt", ".text", ".html", ".htm", ".shtml", ".xhtml", ".asp", ".aspx", ".jsp", ".php",
                   ".json")


def doc_id_for(cleaned_text: str) -> str:
    """Stable document id: the first 16 hex digits of the SHA-1 of the cleaned text."""
    return hashlib.sha1(cleaned_text.encode("utf-8")).hexdigest()[:16]


class Extractor:
    """Holds the compiled rules (theme lexicon, marker families) and runs the stages.

    Build once and reuse: rules are loaded on first use, not at construction.
    """

    def __init__(self, taxonomy: str | os.PathLike | None = None, taxonomy_mode: str | None = None,
                 manifest: dict[str, dict[str, str]] | None = None) -> None:
        self.taxonomy = Path(taxonomy) if taxonomy else None
        self.taxonomy_mode = taxonomy_mode
        self.manifest = manifest or {}

    @cached_property
    def tagger(self):
        from extractor.stages.tag import Tagger
        return Tagger.from_files(self.taxonomy, self.taxonomy_mode)

    @cached_property
    def measurer(self):
        from extractor.stages.measures import Measurer
        return Measurer()

    @cached_property
    def segmenter(self):
        from extractor.stages.segment import Segmenter
        return Segmenter.default()

    # -- one notice -------------------------------------------------------------------------
    def extract_loaded(self, loaded: Loaded) -> Notice:
        """Run clean → locate → segment → tag on decoded text."""
        from extractor.stages.clean import clean_text
        from extractor.stages.locate import locate

        cleaned = clean_text(loaded.text, html_title=loaded.html_title)
        meta = locate(cleaned, loaded)
        meta = self._apply_manifest(meta, loaded.path)
        doc_id = doc_id_for(cleaned.text)
        spans = self.segmenter.segment(cleaned.text, leaders=meta.leaders)
        rows: list[DirectiveRow] = []
        tags = self.tagger.tag_spans(cleaned.text, [(sp.start, sp.end, sp.heading) for sp in spans])
        for no, (span, (primary, hits)) in enumerate(zip(spans, tags), start=1):
            text = cleaned.text[span.start:span.end]
            measure = self.measurer.measure(text, [h.theme for h in hits])
            rows.append(DirectiveRow(
                doc_id=doc_id, source_path=loaded.path, title=meta.title, source=meta.source,
                published=meta.published, meeting_date=meta.meeting_date, province=meta.province,
                city=meta.city, county=meta.county, admin_level=meta.admin_level, issuer=meta.issuer,
                speaker=span.speaker, directive_no=no, kind=span.kind, numbered=span.kind == "numbered",
                marker=span.marker, heading=span.heading, text=text, primary_theme=primary,
                themes="|".join(h.theme for h in hits),
                theme_terms="|".join(f"{h.theme}:{','.join(h.terms)}" for h in hits),
                start=span.start, end=span.end, modality=measure[0], modality_term=measure[1], scope=measure[2],
                scope_term=measure[3], oxcgrt=measure[4], coronanet=measure[5], crosswalk_terms=measure[6],
            ))
        document = DocumentRow(
            doc_id=doc_id, source_path=loaded.path, status="ok" if rows else "no_directives",
            title=meta.title, source=meta.source, url=meta.url, published=meta.published,
            meeting_date=meta.meeting_date, province=meta.province, city=meta.city, county=meta.county,
            admin_level=meta.admin_level, issuer=meta.issuer,
            leaders="|".join(f"{p.post}:{p.name}" for p in meta.leaders), n_directives=len(rows),
            script=cleaned.script, encoding=loaded.encoding,
            evidence="|".join(f"{k}←{v}" for k, v in meta.evidence.items()), text=cleaned.text,
        )
        return Notice(document=document, directives=rows)

    def extract_text(self, text: str, source_path: str = "<text>") -> Notice:
        """Extract from a notice already in memory (plain text or HTML)."""
        from extractor.stages.load import loaded_from_text
        return self.extract_loaded(loaded_from_text(text, source_path))

    def extract_path(self, path: str | os.PathLike) -> Notice:
        """Extract from one file. Never raises for bad input: returns ``status=error``."""
        from extractor.stages.load import LoadError, load_path
        try:
            loaded = load_path(Path(path))
        except LoadError as exc:
            log.warning("%s: %s", path, exc)
            return Notice(document=DocumentRow(source_path=str(path), status="error", error=str(exc)))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop a batch
            return _failed(path, "loading", exc)
        try:
            return self.extract_loaded(loaded)
        except Exception as exc:  # noqa: BLE001 - one bad notice must not stop a batch
            return _failed(path, "extraction", exc)

    def iter_notices(self, paths: Iterable[str | os.PathLike]) -> Iterator[Notice]:
        """Notices for every input file under ``paths``, in a deterministic order."""
        for path in iter_input_files(paths):
            yield self.extract_path(path)

    def _apply_manifest(self, meta: Metadata, path: str) -> Metadata:
        known = self.manifest.get(path) or self.manifest.get(Path(path).name)
        if not known:
            return meta
        update = {}
        for key in ("province", "city", "county", "published", "url", "meeting_date", "admin_level",
                    "source", "title", "issuer"):
            value = (known.get(key) or "").strip()
            if value:
                update[key] = value
                meta.evidence[key] = "manifest"
        return Metadata.model_validate({**meta.model_dump(), **update})


def _failed(path: str | os.PathLike, stage: str, exc: BaseException) -> Notice:
    """A ``status=error`` notice for an exception that is not a verdict on the input (a bug, a
    parser's recursion limit, memory): its reason goes in the error column, which the command line
    prints; the traceback is logged at INFO level (``directives -v``)."""
    reason = str(exc).splitlines()[0] if str(exc) else ""
    error = f"{stage} failed: {type(exc).__name__}" + (f": {reason}" if reason else "")
    log.warning("%s: %s", path, error)
    log.info("%s: %s failed", path, stage, exc_info=exc)
    return Notice(document=DocumentRow(source_path=str(path), status="error", error=error))


def iter_input_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Files named directly (any suffix), and notice files found recursively in folders (broken
    links included, so that they are reported), sorted; a file named twice is given once."""
    paths = list(paths)
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = [Path(p) for p in sorted(_notice_files(str(path)), key=lambda p: p.split(os.sep))]
        else:
            found = [path]
        if len(paths) == 1:  # one folder lists each file once: no need to remember them all
            yield from found
            continue
        for p in found:
            key = os.path.abspath(p)
            if key not in seen:
                seen.add(key)
                yield p


def _notice_files(folder: str) -> list[str]:
    """Notice files below ``folder`` as strings (a Path per file costs memory on big corpora);
    links are listed whatever they point to, so that a broken one is reported, and a folder that
    cannot be listed is listed itself, so that reading it fails with the reason."""
    out = []
    for root, files, unreadable in walk_folder(folder):
        out.extend(unreadable)
        for name in files:
            if os.path.splitext(name)[1].lower() in NOTICE_SUFFIXES:
                out.append(os.path.join(root, name))
    return out


def walk_folder(folder: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """(folder, its file names, folders found since the last step that cannot be listed) for
    ``folder`` and every folder below it. Linked folders are followed, each real folder once (a
    link to a parent folder does not loop)."""
    unreadable: list[str] = []
    seen: set[tuple[int, int]] = set()

    def onerror(exc: OSError) -> None:
        unreadable.append(exc.filename)

    for root, dirs, files in os.walk(folder, onerror=onerror, followlinks=True):
        try:
            st = os.stat(root)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs.sort()
        errors, unreadable[:] = list(unreadable), []
        yield root, files, errors
    if unreadable:  # the top folder itself
        yield folder, [], list(unreadable)


def skipped_in_folders(paths: Iterable[str | os.PathLike]) -> dict[str, int]:
    """Files inside the given folders that a scan does not read, counted by suffix."""
    from collections import Counter

    counts: Counter[str] = Counter()
    for raw in paths:
        if os.path.isdir(raw):
            for _root, files, _unreadable in walk_folder(os.fspath(raw)):
                for name in files:
                    suffix = os.path.splitext(name)[1].lower()
                    if suffix not in NOTICE_SUFFIXES:
                        counts[suffix or "(no suffix)"] += 1
    return dict(counts)


_SHARED: dict[str, Extractor] = {}


def shared_extractor(**options) -> Extractor:
    """The process's ``Extractor`` for these options (``taxonomy``, ``taxonomy_mode``, ``manifest``).

    Workers of a process pool, a Dask cluster or a Spark executor call this per task, so the rules
    are compiled once per process, not once per task or per notice."""
    key = json.dumps(options, sort_keys=True, default=str)
    ex = _SHARED.get(key)
    if ex is None:
        ex = _SHARED[key] = Extractor(**options)
    return ex


def default_extractor() -> Extractor:
    return shared_extractor()


def extract_notice(text_or_path: str | os.PathLike) -> Notice:
    """One notice → ``Notice``.

    A ``Path`` is a file to read. A str is a file name when it is one line that names an existing
    file or ends in a notice suffix (``seeds/x.txt``, ``a.html``): that file is read, and a missing
    one is a ``status=error`` notice (``no such file``), not a text of one line. Any other str is
    the notice's text. ``Extractor.extract_path`` and ``Extractor.extract_text`` take one kind only."""
    ex = default_extractor()
    if isinstance(text_or_path, os.PathLike) or looks_like_path(text_or_path):
        return ex.extract_path(text_or_path)
    return ex.extract_text(text_or_path)


def looks_like_path(value: str) -> bool:
    """A str that is a file name rather than a notice's text (see ``extract_notice``)."""
    if not value or len(value) > 4096 or "\n" in value or "\r" in value or value != value.strip():
        return False
    if os.path.splitext(value)[1].lower() in NOTICE_SUFFIXES:
        return True
    try:
        return os.path.isfile(value)
    except (OSError, ValueError):  # a name too long or with a NUL
        return False


def extract_table(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> pd.DataFrame:
    """Files or folders → the directive table as a pandas DataFrame, with the dtypes of
    ``extract_frame`` (``frame.frame_dtypes``)."""
    from extractor.output.table import directives_frame
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    rows = [row for notice in default_extractor().iter_notices(paths) for row in notice.directives]
    return directives_frame(rows)
