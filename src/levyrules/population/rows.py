"""The assessment-file row (賦課台帳の1世帯1行): what a city keeps of each household's 本算定.

One row per household, every money field an integer count of yen (None only where the
tariff does not know a component). The fields follow いわき市's 国民健康保険税賦課事務
評価書 record list (docs/population.md has the full table): per component (医療分・
後期高齢者支援金分・介護納付金分・子ども・子育て支援納付金分) the 所得割・資産割・均等割・平等割
after 月割, the 7割・5割・2割軽減 split into its 均等割 and 平等割 parts (the 保険基盤安定
figures), 未就学児 and 子ども分 18歳未満 軽減, each special status and 条例減免, the
課税限度額を超える額 (限度超過額) and the 端数; then the household's 軽減区分, 軽減判定所得,
the persons and 給与所得者等 counted, 未就学児の人数, the 期別税額 per 納期 and the flags.
"""

from __future__ import annotations

from ..engine.calendar import age_on, fy_start
from ..engine.household import Household
from ..engine.result import Assessment
from ..rules import reductions, specified_household
from ..tariff.model import Tariff

ORDER = ("medical", "support", "care", "child")
ELEMENTS = ("income_levy", "asset_levy", "per_capita", "per_household")
# reduction keys of ComponentLevy.reductions other than "statutory" (split below)
REDUCTIONS = ("preschool", "child_under18", "specified_household", "involuntary_unemployment",
              "childbirth", "former_dependent")
CAPPING = ("levy", "cap", "over_cap", "rounding", "amount", "months")
HOUSEHOLD_TYPES = ("single_under65", "single_65plus", "adults", "with_children",
                   "fictitious_head")

# (column, kind) of the household part; kinds: str, int (yen or a count), bool
HEAD = (("household_id", "str"), ("fiscal_year", "int"), ("tier", "int"),
        ("judgement_income", "int"), ("judged_on", "str"), ("persons_counted", "int"),
        ("earners", "int"), ("declared", "bool"), ("specified_household", "str"),
        ("household_type", "str"), ("insured_persons", "int"), ("preschool_children", "int"),
        ("under18_insured", "int"), ("care_persons", "int"), ("fictitious_head", "bool"),
        ("head_changes", "int"))
TAIL = (("total", "int"), ("total_rounding", "int"), ("provisional", "bool"),
        ("unverified", "bool"), ("complete", "bool"))


# component fields that are 0 for almost every household (a reduction or 減免 applies to
# few; 資産割 where the city levies none; the 限度超過額), and such household columns
RARE_FIELDS = REDUCTIONS + ("asset_levy", "over_cap")
RARE = ("head_changes", "installment_at_once", "total_rounding")


def rare(column: str) -> bool:
    """Whether a column of :func:`schema` is 0 for almost every household (the assessment
    file writes those PLAIN: population.sink)."""
    name, _, field = column.partition("_")
    return column in RARE or (name in ORDER and (field in RARE_FIELDS
                                                 or field.startswith("relief_")))


def components(tariff: Tariff) -> tuple[str, ...]:
    """The components of the tariff's year (子ども分 from FY2026)."""
    return tuple(c for c in ORDER if c in tariff.national.caps)


def component_fields(tariff: Tariff) -> tuple[str, ...]:
    relief = tuple(f"relief_{r.id}" for r in tariff.relief)
    return (ELEMENTS + ("statutory_per_capita", "statutory_per_household") + REDUCTIONS
            + relief + CAPPING)


def periods(tariff: Tariff) -> tuple[int, ...]:
    """The 普通徴収 納期 numbers of the tariff (第1期, 第2期 …); none without a plan."""
    plan = tariff.installments
    return tuple(p.period for p in plan.periods) if plan is not None else ()


def schema(tariff: Tariff) -> tuple[tuple[str, str], ...]:
    """(column, kind) of every column, in file order, for this tariff."""
    cols = list(HEAD)
    for name in components(tariff):
        cols += [(f"{name}_{f}", "int") for f in component_fields(tariff)]
    cols += [(f"installment_{p}", "int") for p in periods(tariff)]
    cols += [("installment_at_once", "int")]
    cols += list(TAIL)
    return tuple(cols)


def statutory_per_household(name: str, tariff: Tariff, tier: int, spec: str | None,
                            months: int) -> int:
    """The 平等割 part of one part-year's 7割・5割・2割軽減 (floored to the yen; the 均等割
    part is the rest, so the two add up to the engine's 軽減額). Uses the engine's own
    rules (reductions.reduced, specified_household.amount) on the tariff's 平等割."""
    rates = tariff.components.get(name)
    hh = rates.per_household if rates is not None else None
    if not hh or not months or not tier:
        return 0
    amount = hh
    if spec and (name in ("medical", "support") or
                 (name == "child" and tariff.options.specified_household_child)):
        amount = specified_household.amount(hh, spec, rates.per_household_specified,
                                            rates.per_household_specified_continuing)
    return (amount - reductions.reduced(amount, tier)) * months // 12


def _split(name: str, result: Assessment, tariff: Tariff) -> int:
    if not result.parts:
        c = result.components[name]
        return statutory_per_household(name, tariff, result.reduction.tier,
                                       result.specified_household, c.months)
    total = 0
    for i, part in enumerate(result.parts):   # after a 世帯主変更 no 特定世帯 (assess._part)
        total += statutory_per_household(name, tariff, part.reduction.tier,
                                         result.specified_household if i == 0 else None,
                                         part.components[name].months)
    return total


def household_type(household: Household, result: Assessment) -> str:
    """擬制世帯主, with children (an insured member under 18), a single insured member
    (under 65 or 65+ on 1 April), or adults."""
    insured = [(p, r) for p, r in zip(household.persons, result.persons) if r.months]
    single = len(insured) == 1
    return type_of(any(r.role == "fictitious_head" for r in result.persons),
                   any(r.under18 for _, r in insured), single,
                   single and age_on(insured[0][0].birth_date,
                                     fy_start(household.fiscal_year)) >= 65)


def type_of(fictitious: bool, children: bool, single: bool, single_old: bool) -> str:
    """The household type (HOUSEHOLD_TYPES) of its facts, the first that holds in this
    order: a 擬制世帯主, an insured member under 18, a single insured member (65+ on 1
    April or not), else adults."""
    if fictitious:
        return "fictitious_head"
    if children:
        return "with_children"
    if single:
        return "single_65plus" if single_old else "single_under65"
    return "adults"


class _Plan:
    """What a row needs of the tariff, worked out once per tariff."""

    def __init__(self, tariff: Tariff):
        self.tariff = tariff
        self.components = components(tariff)
        self.empty = [None] * len(component_fields(tariff))
        self.relief = tuple(f"relief.{r.id}" for r in tariff.relief)
        self.periods = periods(tariff)
        self.unverified = tariff.status != "verified"


_PLAN: list = [None]


def _plan(tariff: Tariff) -> _Plan:
    plan = _PLAN[0]
    if plan is None or plan.tariff is not tariff:
        plan = _PLAN[0] = _Plan(tariff)
    return plan


def row(household: Household, result: Assessment, tariff: Tariff) -> list:
    """The values of one household's row, in the order of :func:`schema`."""
    plan = _plan(tariff)
    red = result.reduction
    insured = preschool = under18 = care = 0
    fictitious = False
    for p in result.persons:
        insured += p.months != 0
        preschool += p.preschool
        under18 += p.under18
        care += p.care_months != 0
        fictitious = fictitious or p.role == "fictitious_head"
    out: list = [result.household, result.fiscal_year, red.tier, red.judgement_income,
                 red.judged_on.isoformat(), red.persons, red.earners, red.declared,
                 result.specified_household or "", household_type(household, result),
                 insured, preschool, under18, care, fictitious, len(household.head_changes)]
    for name in plan.components:
        c = result.components[name]
        if c.missing is not None:
            out += plan.empty
            continue
        reds = c.reductions
        hh = _split(name, result, tariff) if reds.get("statutory") else 0
        out += [c.income_levy, c.asset_levy, c.per_capita, c.per_household,
                reds.get("statutory", 0) - hh, hh]
        out += [reds.get(k, 0) for k in REDUCTIONS]
        out += [reds.get(k, 0) for k in plan.relief]
        out += [c.levy, c.cap, c.over_cap, c.rounding, c.amount, c.months]
    out += _installments(result, plan.periods)
    out += [result.total, result.total_rounding, result.provisional, plan.unverified,
            result.total is not None]
    return out


def _installments(result: Assessment, nums: tuple) -> list:
    """期別税額 per 納期, then what is due at once (随時: no 納期 left after joining)."""
    if result.total is None:
        return [None] * (len(nums) + 1)
    by_period = dict.fromkeys(nums, 0)
    at_once = 0
    for it in result.installments:
        if it.get("kind") == "at_once" or it["period"] not in by_period:
            at_once += it["amount"]
        else:
            by_period[it["period"]] += it["amount"]
    return list(by_period.values()) + [at_once]
