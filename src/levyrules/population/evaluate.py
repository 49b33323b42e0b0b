"""The chunk evaluator: a chunk of households in, a chunk of assessment-file rows out.

This is the one function the batch, the worker pool and the Dask path call to compute
anything: the columnar evaluator (levyrules.batch.assess_columns) over the chunk, equal
to :func:`levyrules.assess` household by household. The reading, writing, statistics,
CLI and Dask code only see :class:`Chunk`.
"""

from __future__ import annotations

from typing import Sequence

import attrs

from ..batch.evaluate import assess_columns
from ..batch.population import from_households
from ..engine.household import Household
from ..tariff.model import Tariff
from .rejects import Reject


@attrs.frozen(slots=True)
class Chunk:
    """Rows in the order of :func:`rows.schema`, and the households that were rejected."""
    rows: list
    rejects: list


def evaluate(households: Sequence[tuple[str, Household]], tariff: Tariff) -> Chunk:
    """Assess each (source, household) under `tariff`: one row per household, or a
    reject naming the field when the engine refuses it (e.g. another fiscal year, a relief
    rule the tariff ships disabled). A component the tariff does not know gives empty
    cells and complete = false, never a guessed number. The columnar evaluator does the
    work (levyrules.batch: equal to `assess` on every household)."""
    if not households:
        return Chunk([], [])
    cols = assess_columns(from_households([h for _, h in households], tariff.fiscal_year),
                         tariff)
    rejects = [Reject.from_error(households[i][1].id, households[i][0], e)
               for i, e in cols.rejects]
    return Chunk(cols.rows(), rejects)


# ---------------------------------------------------------------- tables read as columns

def columns_evaluator():
    """The columnar evaluator for tables read as columns
    (levyrules.batch.tables.read_population), or None where they cannot be read so (the
    ``[batch]`` extra's pyarrow is not installed): the tables are then read row by row.
    Told without importing pyarrow: the main process of a run whose workers read the
    tables in parts never imports it."""
    import importlib.util
    return assess_columns if importlib.util.find_spec("pyarrow") is not None else None


@attrs.frozen(slots=True)
class ColumnChunk:
    """The assessment-file columns of a chunk (name -> array, one entry per household
    assessed; None when there is none), its rejects in input order, and the items read
    (households rows and rows naming no household), as :class:`Chunk` for columns."""
    arrays: dict | None
    rejects: list
    items: int


def evaluate_read(read, tariff: Tariff) -> ColumnChunk:
    """Assess a chunk read by :func:`levyrules.batch.tables.read_population`: the
    households the engine refuses join the reader's rejects in input order."""
    pop = read.population
    rejects = list(read.rejects)
    arrays = None
    if pop.size:
        columns = assess_columns(pop, tariff)
        arrays = columns.arrays if len(columns) else None
        rejects += [((int(read.order[i]), 1),
                     Reject.from_error(pop.household_ids[i], read.sources[i], e))
                    for i, e in columns.rejects]
        rejects.sort(key=lambda r: r[0])
    return ColumnChunk(arrays, [r for _, r in rejects], read.items)
