"""The text columns of the columnar evaluator (batch/columns.py `text_column`): numpy
object arrays of str that pyarrow converts from their labels or from the Arrow ids they
were read from. Whatever way pyarrow takes them, the strings are the array's own."""

from __future__ import annotations

import types

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

from levyrules.batch.columns import _ids, labels_column  # noqa: E402
from levyrules.batch.population import Texts  # noqa: E402


def test_labels_convert_to_the_strings_they_hold():
    codes = np.array([2, 0, 1, 1, 2, 0], np.int8)
    col = labels_column(np, ("", "specified", "continuing"), codes)
    expected = ["continuing", "", "specified", "specified", "continuing", ""]
    assert col.tolist() == expected
    assert pa.array(col, pa.string()).to_pylist() == expected
    assert pa.array(col[1::2], pa.string()).to_pylist() == expected[1::2]   # a view
    assert pa.array(col.take([5, 0]), pa.string()).to_pylist() == ["", "continuing"]
    assert pa.array(col, pa.large_string()).type == pa.large_string()
    with pytest.raises(ValueError):
        col[0] = "specified"             # read-only: what pyarrow reads cannot go stale


def test_ids_convert_from_the_arrow_array_they_were_read_from():
    arr = pa.array(["H-1", "H-2", "H-3"])
    pop = types.SimpleNamespace(household_ids=Texts(arr),
                                ids=lambda: arr.to_numpy(zero_copy_only=False))
    whole = _ids(np, pop, None)
    assert pa.array(whole, pa.string()).to_pylist() == whole.tolist() == ["H-1", "H-2", "H-3"]
    some = _ids(np, pop, np.array([0, 2]))
    assert pa.array(some, pa.string()).to_pylist() == some.tolist() == ["H-1", "H-3"]
