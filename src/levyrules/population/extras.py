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


class _NoPandas:
    """A meta path finder that refuses pandas (see arrow_without_pandas)."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("pandas is not used here", name=name)
        return None


def arrow_without_pandas() -> None:
    """Lets pyarrow decide now, once for this process, that it works without pandas: its
    first conversion of any value (``pa.array``, ``pa.scalar``) imports pandas when it is
    installed, 0.2 CPU-seconds that the batch never uses. Only for processes of our own
    that use no pandas (the fork server and workers of `levyrules batch`, the CLI's batch
    process), never a library caller's: pandas stays importable (refused only during
    the one conversion here), and pyarrow imports it again when asked for a pandas
    object (``to_pandas``). Nothing is done where pandas is imported already, or
    pyarrow is missing."""
    import sys
    if "pandas" in sys.modules:
        return
    try:
        import pyarrow as pa
    except ImportError:
        return
    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(_NoPandas)
