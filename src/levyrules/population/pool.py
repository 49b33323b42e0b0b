"""The worker processes of `levyrules batch --workers N`: a pool forked from the fork
server (population.forking), each worker started with the tariff the main process loaded
and with the memory settings of a worker (Arrow and large arrays on the C library's
heap); calls run in order with a bounded number in flight; the pool left to exit while
the main process writes, and waited for before the run returns."""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Iterator

from . import forking, phases
from .extras import need

_TARIFF: dict = {}


def init(tariff) -> None:
    """A worker's start: the tariff the main process loaded (pickled: the workers cannot
    see another version of its files, and need no YAML parsing)."""
    phases.mark("worker", "forked")
    worker_memory()
    _TARIFF["tariff"] = tariff


def worker_memory() -> None:
    """In a worker process (batch's, Dask's): memory from the heap, reused, rather than
    fresh pages the kernel zeroes at each chunk: Arrow on the C library's allocator (its
    default, mimalloc, hands segments back and faults them in again as 2 MiB huge pages),
    and large numpy arrays not each a fresh mmap. glibc serves blocks above its mmap
    threshold (128 KiB at first) with mmap, faulted in page by page and unmapped when
    freed; it slides the threshold up as they are freed, but not when
    MALLOC_TRIM_THRESHOLD_ is set, as Dask sets it for its workers (there a third of the
    CPU of a partition went to the kernel): set the values the sliding threshold reaches
    (32 MiB, trim at twice that). The C library's part on glibc only."""
    import ctypes
    try:
        import pyarrow as pa
        pa.set_memory_pool(pa.system_memory_pool())
    except ImportError:             # JSON Lines to CSV needs no pyarrow
        pass
    try:
        libc = ctypes.CDLL(None)            # this process's symbols: the C library's
        libc.gnu_get_libc_version           # glibc only
    except (OSError, AttributeError, TypeError):
        return
    libc.mallopt(-3, 32 << 20)              # M_MMAP_THRESHOLD
    libc.mallopt(-1, 64 << 20)              # M_TRIM_THRESHOLD


@contextmanager
def system_pool(columnar: bool) -> Iterator[None]:
    """Arrow on the C library's allocator for a run in this process (worker_memory), the
    caller's pool back afterwards."""
    if not columnar:
        yield
        return
    pa = need("pyarrow", "batch", "the batch")
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(before)


def worker_tariff():
    return _TARIFF["tariff"]


def pooled(calls, tariff, workers: int, depth: int = 2,
           first: tuple | None = None) -> Iterator[tuple[int, object]]:
    """(len of the first argument, result) of each call (function, args…) run in a pool
    of `workers` processes, in order, at most `depth` calls per worker in flight.
    `first`: a call (function, args…) run in a worker before the others, `calls` then
    being a function of its result that gives them (the plan of a run made by a worker,
    where NumPy and pyarrow are imported already, rather than in this process). A worker
    that dies ends the run with BrokenProcessPool instead of hanging it. Once every result
    is in, the workers are left to exit (their address spaces torn down by the kernel)
    while this process writes the outputs; otherwise (an error, the consumer stopping)
    the pool is shut down and waited for before anything else. The shutdown of a pool
    left to exit runs on a thread in EXITING until :func:`join_workers`."""
    executor = ProcessPoolExecutor(workers, mp_context=forking.context(), initializer=init,
                                   initargs=(tariff,))
    try:
        if first is not None:
            fn, *args = first
            calls = calls(executor.submit(fn, *args).result())
        pending: deque = deque()
        for fn, arg, *rest in calls:
            size = len(arg) if isinstance(arg, list) else 0
            pending.append((size, executor.submit(fn, arg, *rest)))
            if len(pending) >= depth * workers:
                n, fut = pending.popleft()
                yield n, fut.result()
        while pending:
            n, fut = pending.popleft()
            yield n, fut.result()
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    closing = threading.Thread(target=executor.shutdown, name="levyrules-pool-shutdown")
    closing.start()
    EXITING.append(closing)


EXITING: list = []     # the shutdowns of pools whose workers exit while this one writes


def join_workers() -> None:
    """Waits for the workers of the pools left to exit (their exit overlapped the writing
    of the outputs): when `run` returns, no process of the run is left, so the caller may
    end its own process at once (the CLI does: cli.population._end_process)."""
    while EXITING:
        EXITING.pop().join()
