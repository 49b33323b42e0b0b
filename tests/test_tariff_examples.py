"""Every example test beside a shipped tariff (tariffs/<municipality>/tests/*.yaml),
collected one test per file; a failure prints expected and actual per component."""

from __future__ import annotations

import pytest

from levyrules.authoring import tariff_tests
from levyrules.tariff.loader import tariffs_root

FILES = tariff_tests.discover()


def _id(path) -> str:
    return str(path.relative_to(tariffs_root()))


def test_there_are_shipped_examples():
    assert len(FILES) >= 9


@pytest.mark.parametrize("path", FILES, ids=[_id(p) for p in FILES])
def test_example(path):
    outcome = tariff_tests.run_file(path)
    assert outcome.ok, "\n" + outcome.report()
