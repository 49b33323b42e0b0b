"""The chunk evaluator: a chunk of households in, a chunk of assessment-file rows out.

This is the one function the batch, the worker pool and the Dask path call to compute
anything. Today it runs :func:`levyrules.assess` household by household; the columnar
evaluator of the law steps replaces its body without touching the reading, writing,
statistics, CLI or Dask code, which only see :class:`Chunk`.
"""

from __future__ import annotations

from typing import Sequence

import attrs

from ..assess import assess
from ..errors import LevyError
from ..household import Household
from ..tariff.model import Tariff
from .rejects import Reject
from .rows import row


@attrs.frozen(slots=True)
class Chunk:
    """Rows in the order of :func:`rows.schema`, and the households that were rejected."""
    rows: list
    rejects: list


def evaluate(households: Sequence[tuple[str, Household]], tariff: Tariff) -> Chunk:
    """Assess each (source, household) under `tariff`: one row per household, or a
    reject naming the field when the engine refuses it (e.g. another fiscal year, a relief
    rule the tariff ships disabled). A component the tariff does not know gives empty
    cells and complete = false, never a guessed number."""
    rows: list = []
    rejects: list = []
    for source, household in households:
        try:
            result = assess(household, tariff, partial=True)
        except LevyError as e:
            rejects.append(Reject.from_error(household.id, source, e))
            continue
        rows.append(row(household, result, tariff))
    return Chunk(rows, rejects)
