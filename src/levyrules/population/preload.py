"""Imported once by the fork server of `levyrules batch --workers N` (population.forking),
before it forks the workers: what every worker would otherwise import itself at its first
chunk. pyarrow would import pandas (when installed) at its first conversion of a value,
about 0.2 CPU-seconds that no worker uses: it is told here, once, to do without
(extras.arrow_without_pandas), and the workers inherit that. Not imported by
``import levyrules``.

The fork server ends when the process that started it does (multiprocessing raises
SystemExit in it); it then skips the interpreter's teardown, some 40 ms of freeing the
modules imported here, during which it still held the command's stdout and stderr open
(a caller reading them to their end waited for it). Its workers never run this: they end
with os._exit in multiprocessing.forkserver."""

import atexit
import os
import sys

import pyarrow.compute  # noqa: F401
import pyarrow.parquet  # noqa: F401

from ..batch import tables  # noqa: F401
from . import parquet_join, phases, runner  # noqa: F401
from .extras import arrow_without_pandas


def _in_fork_server() -> bool:
    """Whether this import is the fork server's preload (multiprocessing.forkserver.main
    on the stack), not a program that imported this module: only the fork server may end
    without its teardown (another process would lose its exit status and the handlers
    registered before this one)."""
    server = sys.modules.get("multiprocessing.forkserver")
    main = getattr(server, "main", None)
    frame = sys._getframe()
    while frame is not None:
        if main is not None and frame.f_code is main.__code__:
            return True
        frame = frame.f_back
    return False


def _end(pid: int) -> None:
    if os.getpid() == pid:              # never a process forked from it
        os._exit(0)


arrow_without_pandas()
if _in_fork_server():
    atexit.register(_end, os.getpid())  # the last handler registered, so the first run
phases.mark("fork_server", "preloaded")
