"""levyrules: the 国民健康保険税 assessment of one household for one fiscal year.

    import levyrules
    tariff = levyrules.load_tariff("iwaki/2025")
    household = levyrules.Household.from_json(data)
    result = levyrules.assess(household, tariff)
    result.total, result.components["medical"].amount, result.to_json()

A whole population at once (the ``[batch]`` extra): ``levyrules.assess_many(households,
tariff)`` gives the assessment-file columns, equal to ``assess`` on each household.
"""

from .version import __version__  # noqa: E402
from .errors import InputError, LevyError, MissingTariffValue, TariffError  # noqa: E402
from .engine.household import Household, Person  # noqa: E402
from .tariff import Tariff, load_tariff  # noqa: E402
from .engine.assess import assess  # noqa: E402


def assess_many(households, tariff: Tariff):
    """Assess every household of a sequence under `tariff` at once, in columns (the
    columnar evaluator, levyrules.batch; needs ``pip install 'levyrules[batch]'``).

    Returns a :class:`levyrules.batch.columns.Columns`: one numpy array per column of the
    assessment file (population/rows.py ``schema``), one entry per household in input
    order, equal to ``population.rows.row(h, assess(h, tariff, partial=True), tariff)``;
    the households ``assess`` refuses are left out and listed in ``.rejects`` with their
    error (a LevyError naming the field)."""
    from .batch.evaluate import assess_columns
    from .batch.population import from_households
    households = list(households)
    for h in households:
        if type(h) is not Household:
            raise TypeError("assess_many() takes Household objects "
                            f"(Household.from_json), not {type(h).__name__}")
    if type(tariff) is not Tariff:
        raise TypeError(f"assess_many() takes a Tariff (load_tariff), not {type(tariff).__name__}")
    return assess_columns(from_households(households, tariff.fiscal_year), tariff)

__all__ = ["Household", "InputError", "LevyError", "MissingTariffValue", "Person", "Tariff",
           "TariffError", "assess", "assess_many", "load_tariff", "__version__"]
