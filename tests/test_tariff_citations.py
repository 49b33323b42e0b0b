"""A shipped tariff's text stands alone: its notes (printed by `check`, `show`,
`assess --explain` from an installed wheel) and comments cite the law, the 条例 or the
municipality's pages, never a file of this repository that the wheel does not carry
(docs/…, the rulebook, examples.md, a research note)."""

from __future__ import annotations

import re

import pytest

from levyrules.tariff.loader import tariffs_root

_URL = re.compile(r"https?://\S+")
_CITES = re.compile(r"docs/|rulebook|examples\.md|benchmarks/|§|\b[\w.-]+\.md\b", re.I)


def _citation(text: str) -> str | None:
    """The first citation of a document the wheel lacks, web addresses left out."""
    m = _CITES.search(_URL.sub("", text))
    return m.group(0) if m else None


@pytest.mark.parametrize("text, found", [
    ("（調査の記録: docs/research/tariffs-koriyama-iwaki-2026.md）", "docs/"),
    ("100円 is the rulebook default (§11.4)", "rulebook"),
    ("# not published: default (§12.2)", "§"),
    ("see examples.md", "examples.md"),
    ("see notes.md for the search", "notes.md"),
    ("url: https://www.city.minamiuonuma.niigata.jp/docs/1357.html", None),
    ("地方税法20条の4の2第6項; 条例第3条", None),
])
def test_the_citation_pattern(text, found):
    assert _citation(text) == found


def test_no_shipped_tariff_cites_a_document_the_wheel_does_not_carry():
    files = sorted(tariffs_root().rglob("*.yaml"))
    assert len(files) > 20
    cited = {str(p.relative_to(tariffs_root())): c for p in files
             if (c := _citation(p.read_text(encoding="utf-8")))}
    assert not cited
