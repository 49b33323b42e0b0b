"""Rate plans (税率案, A案・B案): the plan YAML file, and the tariff a plan's rates make.

A plan names the tariff it starts from (`base`: municipality, options, 納期 are kept)
and, per component, either a revenue target with a 賦課方式 and a split (solved by
Program C), or fixed rates (only re-checked by Program B). The format is in
docs/simulation.md. The 標準割合 (地方税法703条の4; rulebook §1.2) are the defaults:
4方式 40/10/35/15, 3方式 50/35/15, 2方式 50/50. With the 所得係数 β the
応能:応益 split is β : 1.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from ..errors import TariffError
from ..engine.fields import ordinal
from ..engine.money import format_rate, parse_rate
from ..tariff import yamlmarks
from ..tariff.loader import Source, build, national, read_source, resolve_path
from ..tariff.model import Tariff

# the four levies (賦課の要素) and their tariff keys
ELEMENTS = ("income", "asset", "per_capita", "per_household")
TARIFF_KEY = {"income": "income_rate", "asset": "asset_rate", "per_capita": "per_capita",
              "per_household": "per_household"}
# 標準割合 per 賦課方式 (rulebook §1.2)
STANDARD_SHARES = {
    2: {"income": Fraction(50), "per_capita": Fraction(50)},
    3: {"income": Fraction(50), "per_capita": Fraction(35), "per_household": Fraction(15)},
    4: {"income": Fraction(40), "asset": Fraction(10), "per_capita": Fraction(35),
        "per_household": Fraction(15)},
}
BASES = ("assessed", "levied")   # 賦課総額（軽減前） | 調定額（軽減後）
# the keys each mapping of a plan takes, in the order docs/simulation.md gives them
_PLAN_KEYS = ("plan", "description", "base", "basis", "tolerance", "rounding", "components")
_COMP_KEYS = ("target", "method", "split", "beta", "ratio", "ability", "benefit", "cap",
              "per_capita_adult", "rates")
_RATE_KEYS = ("income_rate", "asset_rate", "per_capita", "per_household", "per_capita_adult",
              "cap")
_TARGET_KEYS = ("contribution", "other_costs", "subsidies", "collection_rate")
_STEP_KEYS = ("income_rate", "asset_rate", "amount")
COMPONENTS = ("medical", "support", "care", "child")     # a component some year has


class PlanError(TariffError):
    """A plan file is malformed, at FILE:LINE:COLUMN with the key's path."""


@attrs.frozen(slots=True)
class Steps:
    """The rounding of solved rates: 所得割率・資産割率 to a step, 均等割・平等割 to a unit."""
    income_rate: Fraction = Fraction(1, 10000)     # 0.01%
    asset_rate: Fraction = Fraction(1, 1000)       # 0.1%
    amount: int = 100                              # 100円


@attrs.frozen(slots=True)
class ComponentPlan:
    name: str
    target: int | None = None              # yen; None = fixed rates
    method: int | None = None              # 2 | 3 | 4
    shares: dict = attrs.field(factory=dict)   # element -> Fraction, summing to 1
    cap: int | None = None                 # None = the statutory maximum
    per_capita_adult: int | None = None    # 子ども分 18歳以上均等割 (not solved)
    rates: dict | None = None              # fixed: tariff keys -> value


@attrs.frozen(slots=True)
class Plan:
    name: str
    description: str
    base: str
    basis: str
    tolerance: int
    steps: Steps
    components: dict          # name -> ComponentPlan
    file: str = ""
    marks: dict = attrs.field(factory=dict, eq=False, repr=False)   # path -> (line, column)

    @property
    def slug(self) -> str:
        return Path(self.file).stem if self.file else "plan"


def load_plan(path: str | Path) -> Plan:
    """Read and check a plan YAML file; every error names FILE:LINE:COLUMN and the key."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise PlanError(f"cannot read the plan ({type(e).__name__})", name) from None
    data, marks = yamlmarks.load(text, name)
    return parse_plan(data, marks, name)


def parse_plan(data: Any, marks: dict | None = None, file: str = "plan") -> Plan:
    marks = marks or {}

    def fail(p: tuple, message: str, at: tuple | None = None):
        """Raise at the path `p` (the line and column of `at`, else of `p`)."""
        q = p if at is None else at
        while q and q not in marks:
            q = q[:-1]
        line, col = marks.get(q, (1, 1))
        raise PlanError(message, file, line, col, ".".join(map(str, p)))

    if not isinstance(data, dict):
        fail((), "a plan must be a mapping of keys")
    known_keys(data, _PLAN_KEYS, (), fail)
    for k in ("plan", "base", "components"):
        if k not in data:
            fail((k,), f"missing required key {k!r}")
    base = _text(data["base"], ("base",), fail)
    try:
        base_src = read_source(resolve_path(base, Path(file).parent))
    except TariffError as e:     # the loader's "unknown tariff '…'" quotes the plan's text
        fail(("base",), "names no tariff: give a tariff id (slug/FY; `levyrules list` shows "
                        "every id) or a tariff file" if e.message.startswith("unknown tariff")
             else e.message)
    fy = base_src.data.get("fiscal_year")
    caps = national(fy).caps
    basis = data.get("basis", "levied")
    if basis not in BASES:
        fail(("basis",), "must be assessed (賦課総額, before 軽減) or levied (調定額, after 軽減)")
    steps = _steps(data.get("rounding") or {}, fail)
    comps = data["components"]
    if not isinstance(comps, dict) or not comps:
        fail(("components",), "must map components (medical, support, care, child) to plans")
    out = {}
    known_keys(comps, COMPONENTS, ("components",), fail)
    for cname, c in comps.items():
        if cname not in caps:
            fail(("components", cname), f"component {cname} does not exist in fiscal year {fy}")
        out[cname] = _component(cname, c, caps[cname], ("components", cname), fail)
    return Plan(_text(data["plan"], ("plan",), fail),
                str(data.get("description") or ""), base, basis,
                _yen(data.get("tolerance", 0), ("tolerance",), fail), steps, out, file, marks)


def known_keys(m: dict, allowed: tuple, p: tuple, fail) -> None:
    """Every key of the mapping `m` at `p` is one of `allowed`. An unknown key is user text
    (it may be anything: a name, a figure), so it is named by its place in the mapping,
    never by its text, with the keys the mapping takes."""
    for n, k in enumerate(m, 1):
        if k not in allowed:
            what = "plan" if not p else "mapping"
            fail(p, f"unknown key (the {ordinal(n)} key of this {what}): write one of "
                    + ", ".join(allowed), at=p + (k,))


def _text(v, p, fail) -> str:
    if not isinstance(v, str) or not v.strip():
        fail(p, "must be a non-empty text")
    return v


def _yen(v, p, fail) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        fail(p, "must be a whole number of yen, not negative")
    return v


def _rate(v, p, fail, positive: bool = False) -> Fraction:
    try:
        r = parse_rate(v if not isinstance(v, int) else str(v))
    except ValueError:      # its message quotes the text: the plan's errors name the place
        fail(p, "a rate cannot be negative" if isinstance(v, int) and v < 0 else
             'must be a rate such as "6.68%", "0.0668" or "1/2"')
    if positive and r <= 0:
        fail(p, "must be greater than zero")
    return r


def _steps(r: dict, fail) -> Steps:
    if not isinstance(r, dict):
        fail(("rounding",), "must be a mapping")
    known_keys(r, _STEP_KEYS, ("rounding",), fail)
    s = Steps()
    inc = _rate(r["income_rate"], ("rounding", "income_rate"), fail, True) \
        if "income_rate" in r else s.income_rate
    ast = _rate(r["asset_rate"], ("rounding", "asset_rate"), fail, True) \
        if "asset_rate" in r else s.asset_rate
    amount = _yen(r.get("amount", s.amount), ("rounding", "amount"), fail)
    if amount not in (1, 10, 100, 1000):
        fail(("rounding", "amount"), "must be 1, 10, 100 or 1000 (円)")
    return Steps(inc, ast, amount)


def _component(name: str, c: Any, statutory_cap: int, p: tuple, fail) -> ComponentPlan:
    if not isinstance(c, dict):
        fail(p, "must be a mapping")
    known_keys(c, _COMP_KEYS, p, fail)
    cap = _cap(c["cap"], statutory_cap, p + ("cap",), fail) if "cap" in c else None
    _child_only(name, c, p, fail)
    adult = _yen(c["per_capita_adult"], p + ("per_capita_adult",), fail) \
        if c.get("per_capita_adult") is not None else None
    if "rates" in c:
        if "target" in c:
            fail(p + ("rates",), "give either rates (fixed) or a target (solved), not both")
        rates = c["rates"]
        if not isinstance(rates, dict):
            fail(p + ("rates",), "must be a mapping of tariff keys")
        known_keys(rates, _RATE_KEYS, p + ("rates",), fail)
        _child_only(name, rates, p + ("rates",), fail)
        for k, v in rates.items():
            if v is None:
                continue
            if k in ("income_rate", "asset_rate"):
                if _rate(v, p + ("rates", k), fail) >= 1:
                    fail(p + ("rates", k), "a rate of 100% or more is not plausible")
            elif k == "cap":
                _cap(v, statutory_cap, p + ("rates", k), fail)
            else:
                _yen(v, p + ("rates", k), fail)
        return ComponentPlan(name, cap=cap, per_capita_adult=adult, rates=dict(rates))
    if "target" not in c:
        fail(p, "give a target (賦課総額 or 調定額) or fixed rates")
    method = c.get("method", 3)
    if method not in (2, 3, 4):
        fail(p + ("method",), "must be 2, 3 or 4 (方式)")
    return ComponentPlan(name, _target(c["target"], p + ("target",), fail), method,
                         _shares(c, method, p, fail), cap, adult)


def _cap(v: Any, statutory_cap: int, p: tuple, fail) -> int:
    if _yen(v, p, fail) > statutory_cap:
        fail(p, f"exceeds the statutory maximum {statutory_cap}")
    return v


def _child_only(name: str, m: dict, p: tuple, fail) -> None:
    """`per_capita_adult` (18歳以上均等割) is a levy of the 子ども分 alone."""
    if name != "child" and m.get("per_capita_adult") is not None:
        fail(p + ("per_capita_adult",), "only the child component (子ども・子育て支援納付金分) "
                                        "has an 18歳以上均等割")


def _target(t: Any, p: tuple, fail) -> int:
    """The yen target, or 賦課総額 = (納付金 + 保健事業費等 − 公費等) ÷ 予定収納率, 1円未満切上げ."""
    if not isinstance(t, dict):
        if not _yen(t, p, fail):
            fail(p, "must be greater than zero")
        return t
    known_keys(t, _TARGET_KEYS, p, fail)
    if "contribution" not in t:
        fail(p + ("contribution",), "missing required key 'contribution' (納付金)")
    amount = _yen(t["contribution"], p + ("contribution",), fail) \
        + _yen(t.get("other_costs", 0), p + ("other_costs",), fail) \
        - _yen(t.get("subsidies", 0), p + ("subsidies",), fail)
    rate = _rate(t.get("collection_rate", "100%"), p + ("collection_rate",), fail, True)
    if rate > 1:
        fail(p + ("collection_rate",), "cannot exceed 100%")
    if amount <= 0:
        fail(p, "納付金 + 保健事業費等 − 公費等 must be positive")
    return -((-amount * rate.denominator) // rate.numerator)


def _shares(c: dict, method: int, p: tuple, fail) -> dict:
    """Element shares summing to 1: explicit `split`, or β / 応能:応益 `ratio` with the
    `ability` (所得割:資産割) and `benefit` (均等割:平等割) splits, else the 標準割合."""
    std = STANDARD_SHARES[method]
    for key, methods in (("ability", (4,)), ("benefit", (3, 4))):
        if key in c and method not in methods:     # it would be ignored
            fail(p + (key,), f"is read only with method {' or '.join(map(str, methods))} "
                             f"(this component's method is {method})")
    given = [k for k in ("split", "beta", "ratio") if k in c]
    if len(given) > 1:
        fail(p + (given[1],), f"give one of split, beta, ratio (not {given[0]} too)")
    if "split" in c:
        raw = _share_map(c["split"], tuple(std), p + ("split",), fail, exact=True)
    else:
        ability = _share_map(c.get("ability"), ("income", "asset"), p + ("ability",), fail) \
            if method == 4 and "ability" in c else {k: std[k] for k in ("income", "asset")
                                                   if k in std}
        benefit = _share_map(c.get("benefit"), ("per_capita", "per_household"),
                             p + ("benefit",), fail) \
            if method != 2 and "benefit" in c else {k: std[k] for k in
                                                     ("per_capita", "per_household") if k in std}
        if "beta" in c:
            a, b = _rate(c["beta"], p + ("beta",), fail, True), Fraction(1)
        elif "ratio" in c:
            a, b = _ratio(c["ratio"], p + ("ratio",), fail)
        else:
            a, b = sum(ability.values()), sum(benefit.values())
        sa, sb = sum(ability.values()), sum(benefit.values())
        raw = {k: a * v / sa for k, v in ability.items()}
        raw.update({k: b * v / sb for k, v in benefit.items()})
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items() if v}


def _share_map(m: Any, keys: tuple, p: tuple, fail, exact: bool = False) -> dict:
    if not isinstance(m, dict):
        fail(p, "must map " + ", ".join(keys) + " to shares")
    known_keys(m, keys, p, fail)
    if exact and set(m) != set(keys):
        fail(p, "must give a share for each of " + ", ".join(keys))
    out = {k: _rate(v, p + (k,), fail) for k, v in m.items()}
    if not sum(out.values()):
        fail(p, "the shares must not all be zero")
    return out


def _ratio(v: Any, p: tuple, fail) -> tuple[Fraction, Fraction]:
    if not isinstance(v, str) or v.count(":") != 1:
        fail(p, 'write the 応能:応益 ratio as text such as "50:50"')
    a, b = (_rate(x.strip(), p, fail) for x in v.split(":"))
    if not a + b:
        fail(p, "the ratio must not be 0:0")
    return a, b


# ---------------------------------------------------------------- plan → tariff

def base_data(plan: Plan) -> dict:
    """The merged data of the plan's base tariff (a deep copy)."""
    return copy.deepcopy(read_source(resolve_path(plan.base, Path(plan.file).parent)).data)


def tariff_data(plan: Plan, base: dict, rates: dict) -> dict:
    """The tariff file content of a plan: the base with the plan's components.

    `rates` maps a component to its tariff keys (income_rate as a Fraction, yen as int)."""
    data = copy.deepcopy(base)
    data.pop("extends", None)
    data["status"] = "unverified"
    file = Path(plan.file).name or plan.name
    # both notes say what the file is (the base's notes are about the base's sources)
    data["status_note"] = (f"税率案「{plan.name}」: 税率シミュレーション（levyrules）が計画 {file} "
                           f"から基準の税率表 {plan.base} をもとに算定した税率。"
                           "運営協議会に諮る案であり、条例で定めた税率ではない。")
    data["status_note_en"] = (f"Rate plan \"{plan.name}\": computed by levyrules simulate from "
                              f"the plan {file} on the base tariff {plan.base}. A plan for "
                              "deliberation, not rates adopted by 条例.")
    mine = [f"components.{c}" for c in rates]
    data["provenance"] = [{"title": f"levyrules simulate: plan {plan.name} (base {plan.base})",
                           "covers": mine}] + _other_sources(base.get("provenance", []),
                                            base.get("components", {}), rates)
    for cname, r in rates.items():
        comp = {}
        for key, value in r.items():
            if value is None:
                continue
            comp[key] = format_rate(value) if isinstance(value, Fraction) else value
        data["components"][cname] = comp
        data["missing"] = [m for m in data.get("missing", [])
                           if not (m["path"] == f"components.{cname}"
                                   or m["path"].startswith(f"components.{cname}."))]
    if not data.get("missing"):
        data.pop("missing", None)
    return data


def _other_sources(provenance: list, base_components: dict, rates: dict) -> list:
    """The base's sources for what the plan does not replace (a source that covered only
    the plan's components is dropped: it does not support the plan's rates)."""
    kept_components = [f"components.{c}" for c in base_components if c not in rates]
    out = []
    for src in provenance:
        covers = src.get("covers")
        if covers is None:
            out.append(src)
            continue
        kept = []
        for c in covers:
            parts = c.split(".")
            if parts == ["components"]:
                kept += kept_components
            elif parts[0] != "components" or parts[1] not in rates:
                kept.append(c)
        if kept:
            out.append({**src, "covers": kept})
    return out


def plan_tariff(plan: Plan, data: dict) -> Tariff:
    """The tariff a plan's rates make, checked; a problem the plan's own checks let through
    (a value the tariff format refuses) is a PlanError at the plan's nearest key."""
    try:
        return build_tariff(data, f"plan {plan.name}")
    except TariffError as e:
        p = tuple(e.path.split(".")) if e.path else ()
        rates_key = p[:2] + ("rates",) + p[2:]      # components.X.key as the plan writes it
        at = rates_key if rates_key in plan.marks else p
        while at and at not in plan.marks:
            at = at[:-1]
        line, col = plan.marks.get(at, (1, 1))
        raise PlanError(f"the plan's tariff: {e.message}", plan.file, line, col,
                        ".".join(rates_key) if rates_key in plan.marks else e.path) from None


def build_tariff(data: dict, name: str) -> Tariff:
    """A checked Tariff from tariff data in memory (no file round-trip), named `name`."""
    return attrs.evolve(build(Source(data, {}, [name], [], [Path(name)], [], ())), id=name)
