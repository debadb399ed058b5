"""dask_engine: ``directives extract --engine dask`` — the same run, spread over a Dask cluster.

The input files are listed and cut into chunks as for a local run (``batch``), and each chunk is
extracted by a Dask worker (one ``Extractor`` per worker process, built once). Results come back in
input order and go through the same writer as a local run, so the output is identical row for row.

A bounded window of chunks is in flight at a time: memory stays flat however large the corpus,
and rows are written while the cluster works. Workers read the files themselves, so on a remote
cluster the paths must be visible to the workers under the same names (a shared file system), and
the workers need this package installed (``pip install 'policy-directives[dask]'``).

Dask is an optional extra; without it, ``--engine dask`` fails with a message saying what to install.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from extractor.engines import batch
from extractor.models import Notice

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'policy-directives[dask]'  (or: pip install 'dask[dataframe]' distributed)"


class DaskUnavailable(ValueError):
    """Dask (``distributed``) is not installed."""


def require_dask() -> None:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise DaskUnavailable(f"--engine dask needs Dask, which is not installed ({exc.name} is missing); "
                              f"install it with: {INSTALL_HINT}") from None


@contextmanager
def dask_client(scheduler: str | None = None, jobs: int | None = None, verbose: bool = False):
    """A ``distributed.Client`` on ``scheduler`` (an address such as ``tcp://host:8786``, or a
    scheduler JSON file), or on a LocalCluster of ``jobs`` single-threaded worker processes."""
    require_dask()
    from distributed import Client, LocalCluster

    quiet = logging.INFO if verbose else logging.ERROR
    logging.getLogger("distributed").setLevel(quiet)  # its own default is INFO, on standard error
    if scheduler:
        if scheduler.endswith(".json") and os.path.isfile(scheduler):
            client = Client(scheduler_file=scheduler)
        else:
            client = Client(scheduler, timeout="30s")
        try:
            yield client
        finally:
            client.close()
        return
    n = jobs or batch.default_jobs()
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=quiet) as cluster, Client(cluster) as client:
        yield client


def iter_extract_dask(paths: Sequence[str | os.PathLike], options: dict | None = None,
                      scheduler: str | None = None, jobs: int | None = None, verbose: bool = False,
                      files: list[str] | None = None) -> Iterator[Notice]:
    """Notices in input order (the order of a local run), extracted on a Dask cluster.

    Files, chunks, window and the task itself are those of a local run (``batch``)."""
    options = options or {}
    if files is None:
        files = batch.list_inputs(paths)
    if not files:
        return
    with dask_client(scheduler, jobs, verbose) as client:
        n_workers = max(1, sum(client.nthreads().values()))
        size = batch.chunk_size(len(files), n_workers)
        chunks = [files[i:i + size] for i in range(0, len(files), size)]
        log.info("dask: %d files in %d chunks of ≤ %d on %d worker threads (%s)", len(files), len(chunks),
                 size, n_workers, client.scheduler.address if client.scheduler else "?")
        window = n_workers * batch.WINDOW_PER_JOB
        pending: deque = deque()
        todo = iter(chunks)

        def submit_next() -> None:
            for chunk in todo:
                # pure=False: a fresh key, so a chunk is never served from another run's result
                pending.append(client.submit(batch._extract_chunk, chunk, options, pure=False))
                return

        for _ in range(window):
            submit_next()
        while pending:
            future = pending.popleft()
            notices = future.result()
            future.release()
            submit_next()
            yield from notices
