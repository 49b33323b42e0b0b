"""A plan compiled into one function: the steps' household forms (`Step.household`) joined
in the order of the pipeline, run over the sums of a household's members instead of a
`Row` per person and a `Ledger` (the iterate_jit idea of Tax-Calculator, done with
`exec`): the same arithmetic on the same exact integers, with no object per person or
per step. A plan in which some step has no household form (a special status month, a
条例減免, the persons' monthly nets) is not compiled: `maker` gives None and the
pipeline runs its steps over the ledger (steps/pipeline.py `run`).

Why the sums are enough: every step with a household form works on a person's amounts
that depend only on the person's class (under 18 or not, 未就学児 or not: the 均等割
parts, the 7割・5割・2割軽減, the 未就学児 half) or are linear in a figure of the person
(所得割の基礎 × k, 固定資産税額 × k), and the ledger adds each person's amounts × months:
Σ over persons = Σ over classes of (amount × Σ months of the class), exactly. A test
(tests/test_compiled.py) asserts that both ways give the same ComponentLevy.

`source(flags)` shows the function of a plan (and a traceback shows its lines).
"""

from __future__ import annotations

import linecache

from ..engine.calendar import MONTH_COUNT
from ..engine.result import ComponentLevy

# the sums the forms may read that are facts of the members alone (a form's own sums
# come with its `member` lines): Σ months, of those under 18, of the 未就学児
SUMS = {
    "N": "N += n",
    "N18": "if m.under18:\n    N18 += n",
    "NPRE": "if m.preschool:\n    NPRE += n",
}

# the ledger's amounts as local variables (steps/ledger.py Ledger: same names, same
# units: 1/(12·D) yen), and M: the number of months anyone has in the component (its
# 12·D: U, D and the tier are bound once per component)
_START = """\
M = MONTH_COUNT[months]
income = asset = per_capita = per_household = 0
statutory = preschool = child_under18 = specified_household = 0
involuntary_unemployment = 0
household_pay = None
"""

_RESULT = """\
return ComponentLevy(name, la, lb, ld, le, shown, levy, cap, levy - capped,
                     capped - amount, amount, M, None, fraction, ())
"""


def _indent(text: str, depth: int) -> str:
    pad = "    " * depth
    return "".join(pad + line + "\n" for line in text.strip("\n").splitlines())


def source(steps) -> str | None:
    """The Python source of the plan `steps` (Step objects, in the pipeline's order), or
    None when one of them has no household form."""
    forms = [s.household for s in steps]
    if not steps or any(f is None for f in forms):
        return None
    sums = [k for k in SUMS if any(k in f.sums for f in forms)]
    own = [k for f in forms for k in f.sums if k not in SUMS]
    lines = ["def make(c):",
             "    name, U, D, tier = c.name, c.unit, c.D, c.tier",
             *(_indent(f.consts, 1).rstrip("\n") for f in forms if f.consts),
             "    def run(members):",
             _indent(" = ".join(["months"] + sums + own) + " = 0", 2).rstrip("\n"),
             "        for m, mask in members:",
             "            n = MONTH_COUNT[mask]",
             "            months |= mask"]
    lines += [_indent(SUMS[k], 3).rstrip("\n") for k in sums]
    lines += [_indent(f.member, 3).rstrip("\n") for f in forms if f.member]
    lines.append(_indent(_START, 2).rstrip("\n"))
    lines += [_indent(f.household, 2).rstrip("\n") for f in forms if f.household]
    lines += [_indent(_RESULT, 2).rstrip("\n"), "    return run", ""]
    return "\n".join(line for line in lines if line)


def compile_plan(steps, flags: int):
    """`make(c) -> run(members) -> ComponentLevy` for the plan `steps` of a component with
    `flags`, or None (no household form for some step, or a form's `unless` flags)."""
    if any(s.household is not None and s.household.unless & flags for s in steps):
        return None
    text = source(steps)
    if text is None:
        return None
    filename = f"<levyrules plan {flags:#x}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    names = {"MONTH_COUNT": MONTH_COUNT, "ComponentLevy": ComponentLevy}
    for s in steps:
        names.update(s.household.names)
    exec(compile(text, filename, "exec"), names)    # noqa: S102 (our own steps' lines)
    return names["make"]
