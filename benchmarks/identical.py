"""Byte-identical output of this checkout and an earlier one, household by household.

    git worktree add /tmp/before <commit>      # or: git archive <commit> src | tar -x -C /tmp/before
    python benchmarks/identical.py --base /tmp/before/src [--n 50000] [--tariff koriyama/2025 ...]

For a change that must not move a yen or a character (a speed-up of the engine): both
packages assess the same synthetic households (levyrules.population.synth, half of
them with city=True: special statuses and 世帯主変更; a 固定資産税額 on some persons,
so a 資産割 tariff levies it), each read by its own Household.from_json, and the
script compares, as JSON text, `to_json()` of `assess` without trace and with
`partial=True`, `to_json()` with the trace, and the `--explain` text of the traced
result (render.explain.render). A refusal compares as its error class and message.
Prints the households and the differences per tariff; exit status 1 if any differs.
The earlier package is imported a second time under another name, as
benchmarks/side_by_side.py does.
"""

from __future__ import annotations

import argparse
import json
import random
import sys

import levyrules
from levyrules.population.synth import DEFAULT_SEED, generate

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from side_by_side import _import_base  # noqa: E402

TARIFFS = ("koriyama/2025", "iwaki/2025", "kuzumaki/2025", "machida/2026", "yamamoto/2025",
           "iwaki/2023")


def households(n: int, fy: int, seed: int) -> list[dict]:
    """n synthetic households: the first half plain, the second with city=True; about
    one person in five with a 固定資産税額 (deterministic from `seed`)."""
    out = generate(n // 2, fy, seed) + generate(n - n // 2, fy, seed + 1, city=True,
                                                 id_prefix="C")
    r = random.Random(seed)
    for h in out:
        for p in h["persons"]:
            if r.random() < 0.2:
                p["fixed_asset_tax"] = r.choice((1_200, 35_000, 98_765, 410_000))
    return out


def outputs(engine, tariff, data: dict) -> list[str]:
    """What one engine makes of one household, as text."""
    out = []
    try:
        h = engine.Household.from_json(data)
    except engine.LevyError as e:
        return [f"{type(e).__name__}: {e}"]
    for kw in ({}, {"partial": True}, {"trace": True}):
        try:
            a = engine.assess(h, tariff, **kw)
        except engine.LevyError as e:
            out.append(f"{type(e).__name__}: {e}")
            continue
        out.append(json.dumps(a.to_json(), ensure_ascii=False, default=str))
        if kw.get("trace"):
            out.append(engine.render.explain.render(a, tariff))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, help="the src/ directory of the earlier checkout")
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--tariff", action="append", help=f"(repeatable; default {TARIFFS})")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    a = ap.parse_args(argv)
    base = _import_base(a.base)
    import levyrules.render.explain  # noqa: F401  (both packages: engine.render.explain)
    import levyrules_base.render.explain  # noqa: F401
    bad = 0
    for tid in a.tariff or TARIFFS:
        tb, tt = base.load_tariff(tid), levyrules.load_tariff(tid)
        differ = 0
        for data in households(a.n, tt.fiscal_year, a.seed):
            if outputs(base, tb, data) != outputs(levyrules, tt, data):
                differ += 1
                if differ <= 3:
                    print(f"  {tid}: {data['id']} differs")
        print(f"{tid}: {a.n:,} households, {differ:,} differ")
        bad += differ
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
