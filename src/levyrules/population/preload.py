"""Imported once by the fork server of `levyrules batch --workers N` (population.forking),
before it forks the workers: what every worker would otherwise import itself at its first
chunk. pyarrow would import pandas (when installed) at its first conversion of a value,
about 0.2 CPU-seconds that no worker uses: it is told here, once, to do without
(extras.arrow_without_pandas), and the workers inherit that. Not imported by
``import levyrules``."""

import pyarrow.compute  # noqa: F401
import pyarrow.parquet  # noqa: F401

from ..batch import tables  # noqa: F401
from . import parquet_join, phases, runner  # noqa: F401
from .extras import arrow_without_pandas

arrow_without_pandas()
phases.mark("fork_server", "preloaded")
