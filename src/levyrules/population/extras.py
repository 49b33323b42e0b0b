"""Optional dependencies, imported only when a feature needs them."""

from __future__ import annotations

import importlib

from ..errors import LevyError


class MissingExtra(LevyError):
    """A feature needs a package that is not installed: names the extra to install."""


def need(module: str, extra: str, what: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(f"{what} needs {module.split('.')[0]}: "
                           f"pip install 'levyrules[{extra}]'") from None
