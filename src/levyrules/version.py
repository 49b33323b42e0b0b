"""The version of levyrules (also `levyrules.__version__`), in a module of its own so the
engine can name itself without importing the package it is part of."""

__version__ = "0.1.0"
