"""The columnar reader's memory for one household with very many rows of a table
(docs/research/hostile-2026-11-30.md, "Not fixed, for the next attacker").

A household has at most layout.MAX_ROWS rows of a table the reader accepts, and both
readers take MAX_ROWS + 1 of them (the same reject). The household reader
(population/sources.py `_Groups.take`) drops the rest row by row; the columnar reader
(batch/tablefiles.py `_Cursor.take`, then tablebuild) still loads every row of the
household as arrow data before the cut: `_Cursor._load` concatenates batch after batch
until a later household_id appears. Measured (pyarrow pool peak, one process per
reading): MAX_ROWS + 1 rows 0.6 MB, 600,000 rows 29.5 MB, 2,000,000 rows 93.5 MB
(RSS 138, 236, 438 MB): about 50 bytes a row in arrow, 150 in all, without bound.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ROWS = 1_000_000          # one household's insured_periods rows: an 8 KB Parquet file

MEASURE = """
import sys
from pathlib import Path
import pyarrow as pa
from levyrules.batch.tables import read_population
rejects = [r for read in read_population(Path(sys.argv[1]), 2025) for _, r in read.rejects]
print(pa.default_memory_pool().max_memory(), rejects[0].field, len(rejects))
"""


def _city_with_one_household_of(tmp_path, rows: int):
    from levyrules.population import synth
    synth.write(tmp_path / "city", 40, 2025, 3, "parquet")
    path = tmp_path / "city" / "insured_periods.parquet"
    t = pq.read_table(path)
    pq.write_table(pa.concat_tables([t.slice(0, 1).take(pa.array([0] * rows)), t.slice(1)]),
                   path)
    return tmp_path / "city"


def _peak(folder) -> tuple[int, str, int]:
    """(pyarrow's peak allocation, the first reject's field, rejects) of reading `folder`
    in a process of its own (the pool's peak is per process)."""
    out = subprocess.run([sys.executable, "-c", MEASURE, str(folder)], capture_output=True,
                         text=True, check=True).stdout.split()
    return int(out[0]), out[1], int(out[2])


def test_a_million_rows_of_one_household_take_the_memory_of_a_batch(tmp_path):
    peak, field, rejects = _peak(_city_with_one_household_of(tmp_path, ROWS))
    assert (field, rejects) == ("persons[0].insured", 1)
    assert peak < 16 * 2 ** 20, f"{peak / 2 ** 20:.1f} MB"
