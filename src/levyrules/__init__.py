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

# the engine and the tariff loader are imported at their first use (PEP 562), not by
# ``import levyrules`` itself: a process that needs only part of the package (the fork
# server of `levyrules batch`, the CLI before it starts one) does not pay for the rest
_LAZY = {"Household": "engine.household", "Person": "engine.household",
         "Tariff": "tariff", "load_tariff": "tariff", "assess": "engine.assess"}


def __getattr__(name: str):
    """The contract names imported at their first use (``levyrules.assess``, ``from
    levyrules import assess``), and the subpackages as attributes (``levyrules.engine``)
    as the eager imports made them."""
    import importlib.util
    where = _LAZY.get(name)
    if where is not None:
        value = getattr(importlib.import_module(f".{where}", __name__), name)
        globals()[name] = value
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | set(__all__))


def assess_many(households, tariff: "Tariff"):
    """Assess every household of a sequence under `tariff` at once, in columns (the
    columnar evaluator, levyrules.batch; needs ``pip install 'levyrules[batch]'``).

    Returns a :class:`levyrules.batch.columns.Columns`: one numpy array per column of the
    assessment file (population/rows.py ``schema``), one entry per household in input
    order, equal to ``population.rows.row(h, assess(h, tariff, partial=True), tariff)``;
    the households ``assess`` refuses are left out and listed in ``.rejects`` with their
    error (a LevyError naming the field)."""
    from .batch.evaluate import assess_columns
    from .batch.population import from_households
    from .engine.household import Household
    from .tariff import Tariff
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
