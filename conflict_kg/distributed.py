"""Extraction in worker processes: on this machine (`conflict-kg build ... --jobs N`) or on a
Dask cluster (`conflict-kg build ... --dask tcp://HOST:8786`).

Each worker runs the whole extraction (parse and rules) and sends back only the facts, which
are small: no spaCy `Doc` crosses a process boundary, and the rules run in parallel too. The
building process meanwhile turns facts into RDF, validates and writes.

The articles go to the cluster's workers in batches; each worker process loads the spaCy
pipeline once (per `ExtractOptions`) and sends back the `ArticleFacts` records (or an
`ExtractionFailure`), with the warnings of each batch. Results are taken in input order and
merged into one graph by the caller exactly as a local build merges them, so the graph is the
same as a single-process build's (`tests/test_robustness.py` checks it on a `LocalCluster`).
At most `IN_FLIGHT_PER_THREAD` batches per worker thread are out at a time, so memory stays
bounded by the batch, not the corpus.

The workers need conflict-kg and the spaCy model installed (the same versions as here), and
any `--gazetteer` file at the same path. A batch that fails on the cluster (a worker lost,
an import error there) fails its own articles, named with their file and line; the others go on.

Install with ``pip install 'conflict-kg[dask]'``.
"""
from __future__ import annotations

import multiprocessing
import re
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, TypeVar

from .extract.records import Article, ArticleFacts, ExtractionFailure

if TYPE_CHECKING:
    from .extract.extractor import ExtractOptions, Extractor

IN_FLIGHT_PER_THREAD = 2  # Dask tasks of `batch_size` articles queued per worker thread
ARTICLES_PER_TASK = 8  # small tasks keep every local worker busy to the end of a corpus
# Local tasks queued per worker process: while the building process validates and writes a batch
# (50 articles by default, a few seconds), the workers must have work queued that outlasts it,
# or they wait for it. Six tasks of 8 per worker hold about two batches of facts: still bounded.
IN_FLIGHT_PER_PROCESS = 6
_ADDRESS = re.compile(r"(?:tcp|tls|ws|wss|ucx|inproc)://\S+")
Result = ArticleFacts | ExtractionFailure
T = TypeVar("T")


class ClusterError(ValueError):
    """The Dask cluster cannot be used (dask missing, scheduler unreachable)."""


def extract_on_cluster(articles: Iterable[Article], *, options: ExtractOptions,
                       warn: Callable[[str], None] | None = None,
                       connect_timeout: float = 30.0) -> Iterator[Result]:
    """Facts per article, in input order, extracted on the cluster at `options.scheduler`.

    Raises ClusterError when dask.distributed is not installed or the scheduler does not answer
    within `connect_timeout` seconds.
    """
    address = str(options.scheduler or "")
    if not _ADDRESS.fullmatch(address):
        raise ClusterError(f"{address!r} is not a Dask scheduler address: give tcp://HOST:PORT "
                           f"(or tls://, ws://, wss://)")
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("--dask needs dask.distributed: pip install 'conflict-kg[dask]'") from None
    try:
        client = Client(options.scheduler, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {options.scheduler}: {exc}") from None
    on_worker = replace(options, scheduler=None, n_process=1)
    size = max(1, options.batch_size)
    with client:
        threads = max(1, sum(client.nthreads().values()))
        out: deque = deque()
        for batch in batches(articles, size):
            out.append((batch, client.submit(extract_batch, on_worker, batch, pure=False)))
            if len(out) >= IN_FLIGHT_PER_THREAD * threads:
                yield from _collect(*out.popleft(), warn)
        while out:
            yield from _collect(*out.popleft(), warn)


def extract_in_processes(articles: Iterable[Article], *, options: ExtractOptions,
                         warn: Callable[[str], None] | None = None) -> Iterator[Result]:
    """Facts per article, in input order, extracted in `options.n_process` local processes.

    The processes are started fresh ("spawn": the building process holds an open database and
    threads, which a fork would copy) and load the pipeline once each. They start at this call,
    with the first tasks, not at the first result asked for: they load the pipeline (seconds)
    while the caller gets ready. Once every task is handed out they are let go, each leaving
    when its last task is done, so their exit (about half a second each: the interpreter
    tearing down the model) overlaps the caller's work on the last results instead of
    following it.
    """
    on_worker = replace(options, scheduler=None, n_process=1)
    workers = max(1, options.n_process)
    in_flight = IN_FLIGHT_PER_PROCESS * workers
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    tasks = batches(articles, max(1, min(options.batch_size, ARTICLES_PER_TASK)))
    out: deque = deque()
    try:
        _hand_out(pool, on_worker, tasks, out, in_flight)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return _in_order(pool, on_worker, tasks, out, in_flight, warn)


def wait_for_workers(timeout_s: float = 60.0) -> bool:
    """Wait until this process's worker processes have exited (and been reaped); whether they
    have. `extract_in_processes` lets its workers go without waiting for them: a caller that
    reads their resource usage (`RUSAGE_CHILDREN`, which counts reaped children only) or must
    see them gone waits here."""
    deadline = time.monotonic() + timeout_s
    while multiprocessing.active_children():  # also reaps those that have exited
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _hand_out(pool: ProcessPoolExecutor, options: ExtractOptions, tasks: Iterator[list[Article]],
              out: deque, in_flight: int) -> None:
    """Submit tasks until `in_flight` are out; once `tasks` is exhausted, let the workers go."""
    while len(out) < in_flight:
        batch = next(tasks, None)
        if batch is None:
            pool.shutdown(wait=False)  # pending tasks still run; then each worker leaves
            return
        out.append((batch, _submit(pool, options, batch)))


def _in_order(pool: ProcessPoolExecutor, options: ExtractOptions, tasks: Iterator[list[Article]],
              out: deque, in_flight: int, warn: Callable[[str], None] | None) -> Iterator[Result]:
    try:
        while out:
            batch, future = out.popleft()
            _hand_out(pool, options, tasks, out, in_flight)  # the workers stay busy meanwhile
            yield from _collect(batch, future, warn)
    finally:  # also when the caller stops early: nothing more is started
        pool.shutdown(wait=False, cancel_futures=True)


def _submit(pool: ProcessPoolExecutor, options: ExtractOptions, batch: list[Article]) -> Future:
    """The batch's future; once a worker has died the pool takes no more work, and the batch
    fails (named, article by article) instead of the build."""
    try:
        return pool.submit(extract_batch, options, batch)
    except BrokenProcessPool as exc:
        failed: Future = Future()
        failed.set_exception(exc)
        return failed


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last may be shorter), read lazily."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _collect(batch: list[Article], future, warn: Callable[[str], None] | None) -> Iterator[Result]:
    try:
        results, warnings = future.result()
    except Exception as exc:  # a lost worker or a failure there fails this batch only
        message = f"extraction in a worker process failed: {type(exc).__name__}: {exc}"
        yield from (ExtractionFailure(article, message) for article in batch)
        return
    finally:
        if hasattr(future, "release"):  # a Dask future: let the cluster forget the result
            future.release()
    for line in warnings if warn else ():
        warn(line)
    yield from results


_EXTRACTORS: dict[ExtractOptions, tuple[Extractor, threading.Lock]] = {}
_LOADING = threading.Lock()


def extract_batch(options: ExtractOptions, batch: list[Article]) -> tuple[list[Result], list[str]]:
    """Run on a worker: facts of a batch, and the warnings, with the worker's cached pipeline."""
    from .extract.extractor import Extractor

    with _LOADING:
        if options not in _EXTRACTORS:
            _EXTRACTORS[options] = (Extractor(options), threading.Lock())
        extractor, lock = _EXTRACTORS[options]
    warnings: list[str] = []
    with lock:  # one spaCy pipeline is not shared by two threads at once
        results = list(extractor.extract(batch, warn=warnings.append))
    return results, warnings
