"""batch: run the extractor over many files and stream the rows into one output.

Order is deterministic (sorted input files) and identical for any number of jobs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .models import Notice
from .pipeline import Extractor, iter_input_files

log = logging.getLogger(__name__)

_WORKER: Extractor | None = None


@dataclass
class RunSummary:
    n_documents: int = 0
    n_directives: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    no_directives: list[str] = field(default_factory=list)


def _init_worker(options: dict) -> None:
    global _WORKER
    _WORKER = Extractor(**options)


def _work(path: str) -> Notice:
    assert _WORKER is not None
    return _WORKER.extract_path(path)


def iter_extract(paths: Sequence[str | os.PathLike], options: dict | None = None, jobs: int = 1,
                 chunksize: int = 16) -> Iterator[Notice]:
    """Notices in input order, extracted by ``jobs`` processes."""
    options = options or {}
    files = [str(p) for p in iter_input_files(paths)]
    if jobs <= 1 or len(files) <= 1:
        ex = Extractor(**options)
        for f in files:
            yield ex.extract_path(f)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(options,)) as pool:
        yield from pool.map(_work, files, chunksize=chunksize)


def default_jobs() -> int:
    return os.cpu_count() or 1


def run_extract(paths: Sequence[str | os.PathLike], out: Path | None, options: dict | None = None,
                jobs: int | None = None) -> RunSummary:
    """Extract every input under ``paths`` into ``out`` (or CSV on standard output)."""
    return write_notices(iter_extract(paths, options, jobs or default_jobs()), out)


def write_notices(notices: Iterable[Notice], out: Path | None) -> RunSummary:
    """Stream notices (from any engine: local processes, Dask) into ``out``, committed at the end."""
    from .table import TableWriter

    summary = RunSummary()
    with TableWriter(out) as writer:
        for notice in notices:
            doc = notice.document
            if doc.status == "error":
                summary.errors.append((doc.source_path, doc.error))
            elif doc.status == "no_directives":
                summary.no_directives.append(doc.source_path)
            writer.add(notice)
        summary.n_documents = writer.n_documents
        summary.n_directives = writer.n_directives
    return summary
