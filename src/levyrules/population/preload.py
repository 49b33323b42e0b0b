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

import pyarrow.compute  # noqa: F401
import pyarrow.parquet  # noqa: F401

from ..batch import tables  # noqa: F401
from . import parquet_join, phases, runner  # noqa: F401
from .extras import arrow_without_pandas

arrow_without_pandas()
atexit.register(os._exit, 0)        # the last handler registered, so the first run
phases.mark("fork_server", "preloaded")
