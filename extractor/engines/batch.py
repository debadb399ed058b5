"""batch: run the extractor over many files and stream the rows into one output.

Order is deterministic (sorted input files) and identical for any number of jobs: files are cut
into chunks, a bounded window of chunks is in flight in a process pool, and results are written in
submission order as they arrive. Memory stays flat however large the corpus: only the window's
notices and a set of seen document ids are held, never the corpus.

An interrupted run (Ctrl-C, a crash) leaves the previous output files as they were: the writer
commits by renaming temporary files only after the last notice. Workers ignore Ctrl-C (the main
process stops them) and exit by themselves when the main process disappears.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from extractor.models import DocumentRow, Notice
from extractor.pipeline import iter_input_files, shared_extractor

log = logging.getLogger(__name__)

MAX_CHUNK = 32  # files per task
WINDOW_PER_JOB = 4  # chunks in flight per worker process
MIN_FILES_PER_JOB = 100  # by default, one worker process per this many files at most
PROGRESS_DELAY = 2.0  # seconds before a progress bar appears; short runs stay silent


@dataclass
class RunSummary:
    n_documents: int = 0
    n_directives: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    no_directives: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source_path, duplicate_of)
    repaired: list[tuple[str, str]] = field(default_factory=list)  # (source_path, encoding): damaged bytes


def list_inputs(paths: Iterable[str | os.PathLike]) -> list[str]:
    """The input files under ``paths`` in run order (``pipeline.iter_input_files``)."""
    return [str(p) for p in iter_input_files(paths)]


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def auto_jobs(n_files: int, cores: int | None = None, busy: int | None = None) -> int:
    """The default number of processes for ``n_files``: the cores no other program is using, but
    no more than one per ``MIN_FILES_PER_JOB`` files, so a small batch runs in this process alone.

    A pool has costs one process does not: forking, results pickled across, a tail where one
    worker finishes the last chunk alone, and the main process writing beside the workers on the
    same cores. Below some hundreds of files (a few tenths of a second of work per core) they
    are more than a second process saves. And a core another program keeps busy is not ours to
    gain: Linux shares the processor between sessions (autogroups), not between processes, so a
    second worker beside a busy program gets no more time and only adds those costs. ``busy`` is
    the number of other runnable tasks (``busy_elsewhere``) and is looked up when not given."""
    cores = cores or default_jobs()
    jobs = min(cores, n_files // MIN_FILES_PER_JOB)
    if jobs <= 1:
        return 1
    busy = busy_elsewhere() if busy is None else busy
    return max(1, min(jobs, cores - busy))


def busy_elsewhere(samples: int = 5, interval: float = 0.01) -> int:
    """Tasks other than this one running or waiting for a processor now (``procs_running`` of
    ``/proc/stat``, the least of a few samples so a passing task is not counted); 0 where that
    is not known."""
    least = None
    for i in range(samples):
        try:
            with open("/proc/stat", "rb") as fh:
                running = next(int(line.split()[1]) for line in fh if line.startswith(b"procs_running"))
        except (OSError, StopIteration, ValueError, IndexError):
            return 0
        least = running - 1 if least is None else min(least, running - 1)  # this process is one
        if i + 1 < samples:
            time.sleep(interval)
    return max(0, least or 0)


def chunk_size(n_files: int, jobs: int) -> int:
    """Enough chunks to keep every worker busy to the end, few enough that tasks are not tiny."""
    return max(1, min(MAX_CHUNK, -(-n_files // (max(1, jobs) * WINDOW_PER_JOB))))


# -- workers ------------------------------------------------------------------------------------------

def _init_worker(options: dict, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the whole group; the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker must not inherit the CLI's handler
    shared_extractor(**options)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A worker whose main process was killed (SIGKILL, a crash) exits instead of waiting forever."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)


def _extract_chunk(files: list[str], options: dict) -> list[Notice]:
    ex = shared_extractor(**options)
    return [ex.extract_path(f) for f in files]


def _pool_context():
    import multiprocessing as mp

    # fork shares the rules the main process already compiled; elsewhere, the platform default
    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() and sys.platform == "linux" else None


def iter_extract(paths: Sequence[str | os.PathLike], options: dict | None = None, jobs: int = 1,
                 files: list[str] | None = None) -> Iterator[Notice]:
    """Notices in input order, extracted by ``jobs`` processes."""
    options = options or {}
    if files is None:
        files = list_inputs(paths)
    jobs = max(1, min(jobs, len(files) // 2))
    if jobs == 1:
        ex = shared_extractor(**options)
        for f in files:
            yield ex.extract_path(f)
        return

    ctx = _pool_context()
    if ctx is not None and ctx.get_start_method() == "fork":
        _warm(options)

    def new_pool(workers: int = jobs) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(options, os.getpid()))

    size = chunk_size(len(files), jobs)
    chunks = (files[i:i + size] for i in range(0, len(files), size))
    pool = new_pool()
    pending: deque[tuple[list[str], Future]] = deque()
    finished = False
    try:
        for chunk in chunks:
            pending.append((chunk, pool.submit(_extract_chunk, chunk, options)))
            if len(pending) >= jobs * WINDOW_PER_JOB:
                break
        while pending:
            chunk, future = pending.popleft()
            try:
                notices = future.result()
            except BrokenProcessPool:
                # a worker died (killed for memory, a crash in a parser): the chunks in flight are
                # lost; redo this one file by file to find the culprit, the others in a new pool
                _stop(pool)
                notices = _extract_isolated(chunk, options, new_pool)
                pool = new_pool()
                pending = deque((c, pool.submit(_extract_chunk, c, options)) for c, _ in pending)
            for chunk in chunks:  # keep the window full
                pending.append((chunk, pool.submit(_extract_chunk, chunk, options)))
                break
            yield from notices
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            _stop(pool)


def _extract_isolated(files: list[str], options: dict, new_pool) -> list[Notice]:
    """Each file in a worker of its own; a file whose worker dies becomes a ``status=error`` notice."""
    notices = []
    for f in files:
        pool = new_pool(1)
        try:
            notices.extend(pool.submit(_extract_chunk, [f], options).result())
        except BrokenProcessPool:
            log.warning("%s: the worker process died reading it", f)
            notices.append(Notice(document=DocumentRow(
                source_path=f, status="error",
                error="extraction failed: the worker process died reading it (out of memory, or a crash)")))
        finally:
            _stop(pool)
    return notices


_WARM_TEXT = "市疫情防控工作领导小组召开例会。会议强调，一要加强核酸检测。二要落实隔离措施。"
_WARM_PAGE = ("<html><head><meta charset='utf-8'><title>会议</title></head><body><div class='article'>"
              "<h1>市疫情防控工作领导小组召开例会</h1><p>2021-01-05 来源：某市政府网</p>"
              f"<p>{_WARM_TEXT}</p><p>{_WARM_TEXT}</p></div></body></html>")


def _warm(options: dict) -> None:
    """Compile the rules, load the dictionaries and import every reader (web pages, legacy
    encodings, traditional script) once, before the workers are forked: what a worker loads on
    first use it loads for itself, and two workers loading trafilatura or a codec cost twice the
    CPU of one process that does."""
    from extractor.stages.load import loaded_from_bytes

    ex = shared_extractor(**options)
    ex.extract_text(_WARM_TEXT, "<warm-up>")
    ex.extract_text(_WARM_PAGE, "<warm-up>")
    for encoding in ("gb18030", "big5"):
        try:
            ex.extract_loaded(loaded_from_bytes(_WARM_TEXT.replace("会议", "會議").encode(encoding), "<warm-up>"))
        except Exception:  # noqa: BLE001 - warming is an optimisation; a failure shows up on real files
            log.debug("warm-up with %s failed", encoding, exc_info=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop at once: cancel queued chunks and end the workers (they ignore Ctrl-C)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    procs = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown() forgets these too
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.kill()
    for proc in procs:
        proc.join(timeout=5)
    # A worker killed while sending its chunk's notices leaves half a message in the result pipe:
    # the pool's manager thread then waits in recv() for the rest forever, and the interpreter,
    # which joins that thread at exit, hangs at 0% CPU after the run has reported its error. With
    # the workers dead, this process holds the pipe's last write end: closing it ends the wait
    # (EOF), which the manager thread takes for a broken pool, and it cleans up and exits.
    writer = getattr(results, "_writer", None)
    if writer is not None and not any(proc.is_alive() for proc in procs):
        writer.close()
    if manager is not None:
        manager.join(timeout=5)


# -- progress -----------------------------------------------------------------------------------------

class Progress:
    """A progress bar on standard error, shown only for runs longer than ``PROGRESS_DELAY`` seconds
    and only when standard error is a terminal."""

    def __init__(self, total: int, enabled: bool | None = None, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.enabled = (_isatty(self.stream) if enabled is None else enabled) and total > 0
        self.done = 0
        self._start = time.monotonic()
        self._bar = None
        self._task = None

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        if self._bar is None:
            if time.monotonic() - self._start < PROGRESS_DELAY:
                return
            self._open()
        self._bar.update(self._task, completed=self.done)

    def _open(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(TextColumn("extracting"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                                 console=Console(file=self.stream), transient=True)
        self._task = self._bar.add_task("extract", total=self.total, completed=self.done)
        self._bar.start()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# -- writing ------------------------------------------------------------------------------------------

def run_extract(paths: Sequence[str | os.PathLike], out: Path | None, options: dict | None = None,
                jobs: int | None = None, *, dedupe: bool = False, progress: bool | None = None) -> RunSummary:
    """Extract every input under ``paths`` into ``out`` (or CSV on standard output), with ``jobs``
    processes (default: ``auto_jobs``).

    ``progress``: None shows a bar when standard error is a terminal, False never."""
    files = list_inputs(paths)
    notices = iter_extract(paths, options, jobs or auto_jobs(len(files)), files=files)
    return write_notices(notices, out, dedupe=dedupe, total=len(files), progress=progress)


def write_notices(notices: Iterable[Notice], out: Path | None, *, dedupe: bool = False,
                  total: int | None = None, progress: bool | None = False) -> RunSummary:
    """Stream notices (from any engine: local processes, Dask) into ``out``, committed at the end.

    A notice whose cleaned text (so ``doc_id``) was seen before in this run gets ``duplicate_of``,
    the first one's ``source_path``; with ``dedupe``, its directive rows are left out."""
    from extractor.stages.load import repaired
    from extractor.output.table import TableWriter

    summary = RunSummary()
    first_path: dict[str, str] = {}
    with TableWriter(out) as writer, Progress(total or 0, progress) as bar:
        for notice in notices:
            doc = notice.document
            if doc.status == "error":
                summary.errors.append((doc.source_path, doc.error))
            elif doc.doc_id:
                first = first_path.setdefault(doc.doc_id, doc.source_path)
                if first != doc.source_path:
                    summary.duplicates.append((doc.source_path, first))
                    doc = doc.model_copy(update={"duplicate_of": first})
                    notice = Notice(document=doc, directives=[] if dedupe else notice.directives)
                if doc.status == "no_directives":
                    summary.no_directives.append(doc.source_path)
                if repaired(doc.encoding):
                    summary.repaired.append((doc.source_path, doc.encoding))
            writer.add(notice)
            bar.advance()
        summary.n_documents = writer.n_documents
        summary.n_directives = writer.n_directives
    return summary
