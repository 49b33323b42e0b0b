"""`levyrules simulate`: solve each plan, compare them with the baseline, write the report.

Output folder: `report.html` (the 運営協議会 資料), one CSV per table (UTF-8 with BOM,
for spreadsheet software), and `tariffs/<plan file stem>.yaml`, the tariff of each plan
(it passes `levyrules check` and reproduces the report's totals). Everything is computed
before anything is written; the files are staged and moved into place at the end.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

import attrs
import yaml

from ..errors import InputError
from ..tariff.loader import load_tariff
from .compare import Scenario, tables
from .html import render
from .plan import PlanError, base_data, build_tariff, load_plan
from .recheck import read_population, recheck
from .solve import MAX_PASSES, solve
from .split import measure_bases


@attrs.frozen(slots=True)
class Written:
    report: Path
    csvs: tuple
    tariffs: tuple
    scenarios: tuple


def compare(households, plans: Sequence, baseline: str | None = None, *,
            max_passes: int = MAX_PASSES) -> list[Scenario]:
    """Solve every plan over `households` and return the report's columns, the
    baseline first when given."""
    names = [p.name for p in plans]
    slugs = [p.slug for p in plans]
    for p in plans:
        if names.count(p.name) > 1:
            raise PlanError("two plans have the same name", p.file, path="plan")
        if slugs.count(p.slug) > 1:
            raise PlanError("two plan files have the same file name", p.file)
    scs = []
    fy = None
    if baseline is not None:
        t = load_tariff(baseline)
        fy = t.fiscal_year
        scs.append(Scenario("現行", t, recheck(households, t)))
    bases: dict = {}
    for p in plans:
        base_t = build_tariff(base_data(p), p.base)
        if fy is not None and base_t.fiscal_year != fy:
            raise PlanError(f"the plan is for fiscal year {base_t.fiscal_year}, the baseline "
                            f"for {fy}", p.file, path="base")
        fy = base_t.fiscal_year
        if p.base not in bases and any(c.target is not None for c in p.components.values()):
            bases[p.base] = measure_bases(households, base_t)
        sol = solve(p, households, max_passes=max_passes, bases=bases.get(p.base))
        scs.append(Scenario(p.name, sol.tariff, sol.recheck, sol))
    return scs


def tariff_yaml(sc: Scenario) -> str:
    head = (f"# 税率案「{sc.name}」: written by levyrules simulate from "
            f"{Path(sc.solution.plan.file).name}. Check it with `levyrules check`.\n")
    return head + yaml.safe_dump(sc.solution.data, allow_unicode=True, sort_keys=False,
                                 width=100)


def csv_text(table) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(table.header)
    w.writerows(table.rows)
    return "\ufeff" + buf.getvalue()


def run(population: str | os.PathLike, plan_paths: Sequence[str], out: str | os.PathLike,
        baseline: str | None = None, *, max_passes: int = MAX_PASSES) -> Written:
    if not plan_paths:
        raise InputError("--plan", "give at least one plan file")
    households = read_population(population)
    plans = [load_plan(p) for p in plan_paths]
    scs = compare(households, plans, baseline, max_passes=max_passes)
    tabs = tables(scs)
    m = scs[0].tariff.municipality
    title = (f"{m.get('name', '')} 令和{scs[0].tariff.fiscal_year - 2018}年度 "
             "国民健康保険税 税率改定シミュレーション")
    files = {"report.html": render(scs, tabs, Path(population).name, title)}
    files.update({f"{t.name}.csv": csv_text(t) for t in tabs})
    files.update({f"tariffs/{sc.solution.plan.slug}.yaml": tariff_yaml(sc)
                  for sc in scs if sc.solution is not None})
    return Written(*_write(Path(out), files), tuple(scs))


def _write(out: Path, files: dict) -> tuple:
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".simulate-", dir=out))
    except OSError as e:
        raise InputError("--out", f"{out}: cannot be written ({type(e).__name__})") from None
    try:
        for rel, text in files.items():
            p = stage / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        for rel in files:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / rel, out / rel)
    except OSError as e:
        raise InputError("--out", f"{out}: cannot be written ({type(e).__name__})") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return (out / "report.html", tuple(out / r for r in files if r.endswith(".csv")),
            tuple(out / r for r in files if r.startswith("tariffs/")))
