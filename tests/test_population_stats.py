"""`levyrules stats`: the totals a city reports (保険基盤安定 軽減額 by tier, 未就学児,
限度超過額, counts by tier, income band and household type), exact from the file."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from levyrules.population import report, runner, stats, synth

TARIFF = "iwaki/2025"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stats")
    src = synth.write(folder, 300, 2025, 21, "jsonl")
    runner.run(src, TARIFF, folder / "r.csv")
    runner.run(src, TARIFF, folder / "r.parquet")
    return folder


def test_totals_equal_the_sums_of_the_rows(results):
    with open(results / "r.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    st = stats.compute(results / "r.csv")
    assert st.households == 300 and st.components == ["medical", "support", "care"]
    for c in st.components:
        assert st.get("levy", "", c, "amount") == sum(int(r[f"{c}_amount"]) for r in rows)
        assert st.get("levy", "", c, "over_cap") == sum(int(r[f"{c}_over_cap"]) for r in rows)
        assert st.get("over_cap", "", c, "households") == sum(int(r[f"{c}_over_cap"]) > 0 for r in rows)
        for tier in ("70", "50", "20"):
            for part in ("per_capita", "per_household"):
                assert st.get("statutory_by_tier", tier, c, part) == sum(
                    int(r[f"{c}_statutory_{part}"]) for r in rows if r["tier"] == tier)
        assert st.get("reductions", "preschool", c, "amount") == sum(
            int(r[f"{c}_preschool"]) for r in rows)
    assert st.get("all", "", "", "total") == sum(int(r["total"]) for r in rows)
    assert st.get("preschool", "", "", "children") == sum(int(r["preschool_children"]) for r in rows)
    tiers = Counter(r["tier"] for r in rows)
    assert {t: st.get("tier", t, "", "households") for t in tiers} == dict(tiers)
    assert sum(st.get("income_band", b, "", "households") for b in stats.band_labels()) == 300
    assert sum(st.get("household_type", t, "", "persons") for t in report.TYPE_JA) == \
        sum(int(r["insured_persons"]) for r in rows)


def test_parquet_and_csv_give_the_same_statistics(results):
    assert stats.compute(results / "r.csv").table() == stats.compute(results / "r.parquet").table()


def test_income_bands():
    assert stats.band(0) == "≤0"
    assert stats.band(430_000) == "1–430000"
    assert stats.band(430_001) == "430001–1000000"
    assert stats.band(50_000_000) == "10000001–"


def test_stats_files_and_summary_page(results, tmp_path):
    from levyrules.cli import main
    assert main(["stats", str(results / "r.parquet"), "--out", str(tmp_path / "s")]) == 0
    out = tmp_path / "s"
    with open(out / "stats.csv", encoding="utf-8") as f:
        table = list(csv.reader(f))
    assert table[0] == list(stats.STATS_COLUMNS)
    page = (out / "summary.html").read_text(encoding="utf-8")
    md = (out / "summary.md").read_text(encoding="utf-8")
    assert "法定軽減額（保険基盤安定 保険税軽減分）" in page and "7割軽減" in md
    pytest.importorskip("matplotlib")
    assert page.count("data:image/png;base64,") == 2
    assert (out / "tax_by_income_band.png").read_bytes().startswith(b"\x89PNG")
    assert "![tax_by_income_band.png](tax_by_income_band.png)" in md


def test_stats_refuses_a_file_that_is_not_an_assessment_file(tmp_path):
    from levyrules.errors import InputError
    p = tmp_path / "x.csv"
    p.write_text("household_id,total\nH-1,100\n", encoding="utf-8")
    with pytest.raises(InputError, match="fiscal_year: the file is not an assessment file"):
        stats.compute(p)
