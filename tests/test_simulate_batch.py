"""`levyrules simulate` → the written plan tariffs → `levyrules check`, `batch` and `stats`
(issue 12: "the written plan tariffs pass `levyrules check` and reproduce the report's
totals with `levyrules batch`").

The whole chain runs through the CLI on a synthetic city (`levyrules synth`): two plans
per city, each written tariff checked, then batched (one by its path, one by its id
through $LEVYRULES_TARIFFS) and its statistics compared with the report's CSV figures
yen for yen: per component the elements, each 軽減, 軽減額 (保険基盤安定), 賦課額,
調定額, 限度超過額 and the households over the cap; per plan the 年税額 total; per
軽減区分 and 世帯類型 the households and their tax. The baseline column is batched too.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml

from levyrules.authoring.check import run as check_run
from levyrules.cli import main
from levyrules.authoring.diff import COMPONENT_LABELS
from levyrules.simulate.labels import REDUCTION_LABELS, TIER_LABELS, TYPE_LABELS

pq = pytest.importorskip("pyarrow.parquet")

CITIES = {
    # FY2025, 3 components with 平等割 in the base; A案 by the 標準割合, B案 60:40 and 2方式
    "iwaki/2025": ("""\
plan: A案
base: iwaki/2025
basis: levied
tolerance: 50000
components:
  medical: {target: 30000000, method: 3}
  support: {target: 12000000, method: 3}
  care: {target: 4000000, method: 3}
""", """\
plan: B案
base: iwaki/2025
basis: assessed
tolerance: 50000
rounding: {income_rate: "0.01%", amount: 10}
components:
  medical: {target: 34000000, method: 3, ratio: "60:40"}
  support: {target: 14000000, method: 3, ratio: "60:40"}
  care: {target: 4300000, method: 2}
"""),
    # FY2026 with the 子ども分 (18歳未満 均等割軽減): C案 solves all four, D案 solves the
    # 医療分 by β and gives the 子ども分 fixed rates with a per_capita_adult
    "machida/2026": ("""\
plan: C案
base: machida/2026
basis: assessed
tolerance: 20000
components:
  medical: {target: 30000000, method: 2}
  support: {target: 12000000, method: 3}
  care: {target: 4000000, method: 2}
  child: {target: 1500000, method: 2}
""", """\
plan: D案
base: machida/2026
basis: levied
tolerance: 0
rounding: {amount: 10}
components:
  medical: {target: 28000000, method: 3, beta: "0.9"}
  child: {rates: {income_rate: "0.3%", per_capita: 2000, per_capita_adult: 2500, cap: 30000}}
"""),
}
COMPONENTS = {label: name for name, label in COMPONENT_LABELS.items()}


def _csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module", params=sorted(CITIES))
def simulated(request, tmp_path_factory):
    """synth → simulate with two plans and the baseline; returns the folder and the ids."""
    baseline = request.param
    fy = baseline.split("/")[1]
    d = tmp_path_factory.mktemp("simbatch")
    assert main(["synth", "--households", "300", "--fiscal-year", fy, "--seed", "5",
                 "--out", str(d / "city")]) == 0
    plans = []
    for i, text in enumerate(CITIES[baseline]):
        p = d / f"plan-{i}.yaml"
        p.write_text(text, encoding="utf-8")
        plans += ["--plan", str(p)]
    assert main(["simulate", str(d / "city" / "population.jsonl"), *plans,
                 "--baseline", baseline, "--out", str(d / "report")]) == 0
    return d, baseline


def _batch(d: Path, tariff: str, name: str) -> tuple[dict, Path]:
    """`levyrules batch … --stats`: the statistics as {(section, group, component,
    measure): value} and the assessment file."""
    out = d / f"{name}.parquet"
    assert main(["batch", str(d / "city" / "population.jsonl"), "--tariff", tariff,
                 "--out", str(out), "--stats"]) == 0
    meta = json.loads((d / f"{name}.meta.json").read_text(encoding="utf-8"))
    assert meta["counts"] == {"read": 300, "assessed": 300, "rejected": 0}
    stats = {(r["section"], r["group"], r["component"], r["measure"]): int(r["value"])
             for r in _csv(d / f"{name}.stats" / "stats.csv")}
    return stats, out


def _written(d: Path, baseline: str, monkeypatch) -> list[tuple[str, str]]:
    """(plan name, tariff reference) per column of the report: the baseline by its id,
    the first plan's tariff by its path, the second by an id on $LEVYRULES_TARIFFS."""
    names = [line.split(":", 1)[1].strip() for text in CITIES[baseline]
             for line in text.splitlines() if line.startswith("plan:")]
    first, second = (d / "report" / "tariffs" / f"plan-{i}.yaml" for i in (0, 1))
    folder = d / "search"
    (folder / "sim-plan").mkdir(parents=True, exist_ok=True)
    fy = baseline.split("/")[1]
    shutil.copy(second, folder / "sim-plan" / f"{fy}.yaml")
    monkeypatch.setenv("LEVYRULES_TARIFFS", str(folder))
    return [("現行", baseline), (names[0], str(first)), (names[1], f"sim-plan/{fy}")]


def test_written_plan_tariffs_pass_check_with_notes_about_the_plan(simulated):
    d, baseline = simulated
    paths = sorted((d / "report" / "tariffs").glob("*.yaml"))
    assert len(paths) == 2
    lines, failed = check_run([str(p) for p in paths])
    assert not failed, lines
    # the notes describe the plan, in Japanese (status_note) and English (status_note_en),
    # not the base tariff's sources
    assert not [x for x in lines if "status_note" in x], lines
    for p in paths:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        assert data["status_note_en"].startswith("Rate plan")
        assert f"on the base tariff {baseline}" in data["status_note_en"]


def test_batch_and_stats_reproduce_the_report_yen_for_yen(simulated, monkeypatch):
    d, baseline = simulated
    totals = _csv(d / "report" / "totals.csv")
    summary = {r["案"]: r for r in _csv(d / "report" / "summary.csv")}
    groups = _csv(d / "report" / "groups.csv")
    for i, (plan, ref) in enumerate(_written(d, baseline, monkeypatch)):
        st, result = _batch(d, ref, f"batch-{i}")
        table = pq.read_table(result)

        def g(section, group="", component="", measure=""):
            return st.get((section, group, component, measure), 0)

        rows = [r for r in totals if r["案"] == plan]
        assert rows, plan
        kiban_all = over_all = 0
        for r in rows:
            c = COMPONENTS[r["区分"]]
            statutory = sum(g("statutory_by_tier", str(t), c, part)
                            for t in (70, 50, 20) for part in ("per_capita", "per_household"))
            reductions = {"statutory": statutory,
                          **{k: g("reductions", k, c, "amount")
                             for k in REDUCTION_LABELS if k != "statutory"}}
            kiban = statutory + reductions["preschool"] + reductions["child_under18"]
            months = table.column(f"{c}_months").to_pylist()
            expected = {
                "所得割額": g("levy", "", c, "income_levy"),
                "資産割額": g("levy", "", c, "asset_levy"),
                "均等割額": g("levy", "", c, "per_capita"),
                "平等割額": g("levy", "", c, "per_household"),
                **{REDUCTION_LABELS[k]: v for k, v in reductions.items()},
                "軽減額（保険基盤安定）": kiban,
                "調定額": g("levy", "", c, "amount"),
                "賦課額（軽減前）": g("levy", "", c, "amount") + kiban,
                "限度超過額": g("levy", "", c, "over_cap"),
                "限度超過世帯数": g("over_cap", "", c, "households"),
                "世帯数": sum(1 for m in months if m),
            }
            assert {k: int(r[k]) for k in expected} == expected, (plan, c)
            kiban_all += kiban
            over_all += expected["限度超過額"]
        s = summary[plan]
        assert (int(s["世帯数"]), int(s["調定額"]), int(s["軽減額（保険基盤安定）"]),
                int(s["限度超過額"])) == (g("all", "", "", "households"),
                                        g("all", "", "", "total"), kiban_all, over_all)
        for dim, section, labels in (("軽減区分", "tier", TIER_LABELS),
                                     ("世帯類型", "household_type", TYPE_LABELS)):
            mine = {r["区分"]: (int(r["世帯数"]), int(r["調定額"])) for r in groups
                    if r["案"] == plan and r["分類"] == dim}
            theirs = {labels[k if section == "household_type" else int(k)]:
                      (g(section, k, "", "households"), g(section, k, "", "total"))
                      for (sec, k, _, m) in st if sec == section and m == "households"}
            assert mine == theirs, (plan, dim)
