"""Tariffs (税率表): model, loading and checks."""

from .loader import find_for_municipality, load_tariff, national
from .model import ComponentRates, Tariff

__all__ = ["ComponentRates", "Tariff", "find_for_municipality", "load_tariff", "national"]
