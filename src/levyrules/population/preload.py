"""Imported once by the fork server of `levyrules batch --workers N` (runner._context),
before it forks the workers: what every worker would otherwise import itself at its first
chunk. pyarrow imports pandas (when installed) at its first conversion of a NumPy array,
about 0.2 CPU-seconds a process; done here once, the workers inherit it. Not imported by
``import levyrules``."""

import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401
import pyarrow.parquet  # noqa: F401

from ..batch import tables  # noqa: F401
from . import parquet_join, runner  # noqa: F401

pa.array(np.zeros(1, np.int64))
