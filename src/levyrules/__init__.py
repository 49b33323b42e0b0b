"""levyrules: the 国民健康保険税 assessment of one household for one fiscal year.

    import levyrules
    tariff = levyrules.load_tariff("iwaki/2025")
    household = levyrules.Household.from_json(data)
    result = levyrules.assess(household, tariff)
    result.total, result.components["medical"].amount, result.to_json()
"""

__version__ = "0.1.0"

from .errors import InputError, LevyError, MissingTariffValue, TariffError  # noqa: E402
from .household import Household, Person  # noqa: E402
from .tariff import Tariff, load_tariff  # noqa: E402
from .assess import assess  # noqa: E402

__all__ = ["Household", "InputError", "LevyError", "MissingTariffValue", "Person", "Tariff",
           "TariffError", "assess", "load_tariff", "__version__"]
