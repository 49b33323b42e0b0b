"""`levyrules simulate`: the written plan tariffs pass `check` and reproduce every figure
of the report as the sum of `assess` over the population; the HTML renders in Chromium."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from levyrules import Household, assess, load_tariff
from levyrules.authoring.check import run as check_run
from levyrules.cli import main
from levyrules.simulate.models import model_households
from levyrules.simulate.report import run

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from population import generate  # noqa: E402

PLAN_A = """\
plan: A案
description: 標準割合（3方式 50:35:15）
base: iwaki/2025
basis: levied
tolerance: 50000
components:
  medical: {target: 30000000, method: 3}
  support: {target: 12000000, method: 3}
  care: {target: 4000000, method: 3}
"""
PLAN_B = """\
plan: B案
description: 応能:応益 = 60:40、介護分は2方式
base: iwaki/2025
basis: assessed
tolerance: 50000
rounding: {income_rate: "0.01%", amount: 10}
components:
  medical: {target: 34000000, method: 3, ratio: "60:40"}
  support: {target: 14000000, method: 3, ratio: "60:40"}
  care: {target: 4300000, method: 2}
"""


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    d = tmp_path_factory.mktemp("sim")
    pop = d / "city.jsonl"
    pop.write_text("".join(json.dumps(h, ensure_ascii=False) + "\n"
                           for h in generate(250, 2025, seed=7)), encoding="utf-8")
    (d / "plan-a.yaml").write_text(PLAN_A, encoding="utf-8")
    (d / "plan-b.yaml").write_text(PLAN_B, encoding="utf-8")
    w = run(pop, [str(d / "plan-a.yaml"), str(d / "plan-b.yaml")], d / "out", "iwaki/2025")
    households = [Household.from_json(json.loads(line))
                  for line in pop.read_text(encoding="utf-8").splitlines()]
    return d, w, households


def _csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_written_tariffs_pass_check(simulated):
    d, w, _ = simulated
    assert [p.name for p in w.tariffs] == ["plan-a.yaml", "plan-b.yaml"]
    lines, failed = check_run([str(p) for p in w.tariffs])
    assert not failed, lines


def test_every_total_is_the_sum_of_assess_under_the_written_tariff(simulated):
    d, w, households = simulated
    rows = _csv(d / "out" / "totals.csv")
    labels = {"医療分": "medical", "支援分": "support", "介護分": "care"}
    for plan, path in (("A案", w.tariffs[0]), ("B案", w.tariffs[1]), ("現行", None)):
        tariff = load_tariff(path if path else "iwaki/2025")
        sums: dict = {}
        for h in households:
            for name, c in assess(h, tariff).components.items():
                s = sums.setdefault(name, dict.fromkeys(
                    ("income_levy", "per_capita", "per_household", "amount", "over_cap",
                     "statutory", "preschool"), 0))
                for k in ("income_levy", "per_capita", "per_household", "amount", "over_cap"):
                    s[k] += getattr(c, k)
                for k in ("statutory", "preschool"):
                    s[k] += c.reductions.get(k, 0)
        mine = [r for r in rows if r["案"] == plan]
        assert len(mine) == 3
        for r in mine:
            s = sums[labels[r["区分"]]]
            assert int(r["所得割額"]) == s["income_levy"]
            assert int(r["均等割額"]) == s["per_capita"]
            assert int(r["平等割額"]) == s["per_household"]
            assert int(r["調定額"]) == s["amount"]
            assert int(r["限度超過額"]) == s["over_cap"]
            assert int(r["7・5・2割軽減額"]) == s["statutory"]
            assert int(r["未就学児軽減額"]) == s["preschool"]
            assert int(r["軽減額（保険基盤安定）"]) == s["statutory"] + s["preschool"]
            if plan != "現行":
                target = int(r["目標額"])
                measure = int(r["賦課額（軽減前）"] if plan == "B案" else r["調定額"])
                assert int(r["目標との差"]) == measure - target


def test_model_households_and_distribution(simulated):
    d, w, households = simulated
    models = _csv(d / "out" / "model_households.csv")
    plan_a = load_tariff(w.tariffs[0])
    base = load_tariff("iwaki/2025")
    for row, (label, h) in zip(models, model_households(2025)):
        assert row["モデル世帯"] == label
        a, b = assess(h, plan_a).total, assess(h, base).total
        assert (int(row["現行（円）"]), int(row["A案（円）"]), int(row["A案 増減（円）"])) == \
            (b, a, a - b)
    dist = _csv(d / "out" / "change_distribution.csv")
    assert sum(int(r["世帯数"]) for r in dist if r["案"] == "A案") == len(households)
    more = sum(1 for h in households if assess(h, plan_a).total > assess(h, base).total)
    deciles = _csv(d / "out" / "deciles.csv")
    assert sum(int(r["増える世帯"]) for r in deciles if r["案"] == "A案") == more
    assert sum(int(r["世帯数"]) for r in deciles if r["案"] == "A案") == len(households)


def test_report_is_japanese_html(simulated):
    d, w, _ = simulated
    html = w.report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'lang="ja"' in html
    for heading in ("税率案", "モデル世帯の年税額", "負担の変化", "ループ計算の経過", "@page"):
        assert heading in html
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert not list((d / "out").glob(".simulate-*"))     # the staging folder is gone


def test_cli_runs_and_rejects_a_bad_plan(simulated, tmp_path, capsys):
    d, _, _ = simulated
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan: x\nbase: iwaki/2025\ncomponents: {medical: {target: -1}}\n",
                   encoding="utf-8")
    assert main(["simulate", str(d / "city.jsonl"), "--plan", str(bad), "--out",
                 str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "components.medical.target" in err
    assert not (tmp_path / "o").exists()


CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                    reason="chromium not installed (required when CI is set)")
def test_report_renders_in_headless_chromium(simulated, tmp_path):
    if CHROMIUM is None:
        pytest.fail("CI is set but chromium is not installed (apt-get install -y chromium)")
    d, w, _ = simulated
    shot = tmp_path / "report.png"
    pdf = tmp_path / "report.pdf"
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--no-first-run",
             f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run(flags + ["--window-size=900,1400", f"--screenshot={shot}",
                            w.report.as_uri()], check=True, capture_output=True, timeout=120)
    subprocess.run(flags + [f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                            w.report.as_uri()], check=True, capture_output=True, timeout=120)
    assert shot.stat().st_size > 20_000
    assert pdf.read_bytes().startswith(b"%PDF")
    # on an A4-wide window (794 px at 96 dpi) nothing sticks out on the right
    probe = tmp_path / "probe.html"
    probe.write_text(w.report.read_text(encoding="utf-8").replace(
        "</body>", "<script>document.body.dataset.overflow = "
                   "document.documentElement.scrollWidth > window.innerWidth ? 'yes' : 'no';"
                   "</script></body>"), encoding="utf-8")
    out = subprocess.run(flags + ["--dump-dom", "--window-size=794,1123", probe.as_uri()],
                         capture_output=True, timeout=120, text=True)
    assert "国民健康保険税" in out.stdout
    assert 'data-overflow="no"' in out.stdout


def test_groups_add_up_to_the_assessed_totals(simulated):
    d, w, households = simulated
    base = load_tariff("iwaki/2025")
    total = sum(assess(h, base).total for h in households)
    rows = [r for r in _csv(d / "out" / "groups.csv") if r["案"] == "現行"]
    for dim in ("世帯類型", "所得階層", "軽減区分"):
        mine = [r for r in rows if r["分類"] == dim]
        assert sum(int(r["世帯数"]) for r in mine) == len(households)
        assert sum(int(r["調定額"]) for r in mine) == total


def test_without_a_baseline_the_first_plan_is_the_reference(simulated, tmp_path):
    d, _, households = simulated
    w = run(d / "city.jsonl", [str(d / "plan-a.yaml"), str(d / "plan-b.yaml")], tmp_path)
    assert [s.name for s in w.scenarios] == ["A案", "B案"]
    models = _csv(tmp_path / "model_households.csv")
    assert "A案（円）" in models[0] and "B案 増減（円）" in models[0]
    assert {r["案"] for r in _csv(tmp_path / "deciles.csv")} == {"B案"}


def test_summary_is_the_sum_of_assess(simulated):
    d, w, households = simulated
    summary = {r["案"]: r for r in _csv(d / "out" / "summary.csv")}
    base = load_tariff("iwaki/2025")
    for name, path in (("現行", None), ("A案", w.tariffs[0]), ("B案", w.tariffs[1])):
        t = load_tariff(path) if path else base
        totals = [assess(h, t).total for h in households]
        assert int(summary[name]["調定額"]) == sum(totals)
        if path:
            before = [assess(h, base).total for h in households]
            assert int(summary[name]["増える世帯"]) == sum(a > b for a, b in zip(totals, before))
            assert int(summary[name]["増減"]) == sum(totals) - sum(before)
