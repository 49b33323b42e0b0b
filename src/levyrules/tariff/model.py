"""The tariff (税率表) of one municipality and fiscal year, ready for the engine.

Rates are Fractions, amounts int yen; `missing` names what the tariff does not
know, so that the engine refuses a household that needs it rather than guess.
A loaded tariff is immutable (frozen classes, FrozenMap, tuples): it is
shared by every caller of `load_tariff`, so nobody can change it for the others.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from math import lcm
from types import MappingProxyType
from typing import Any

import attrs

from ..errors import TariffError
from .national import National

# Display names used in traces and --explain
COMPONENT_NAMES = {
    "medical": "基礎課税額（医療分）",
    "support": "後期高齢者支援金等課税額（支援分）",
    "care": "介護納付金課税額（介護分）",
    "child": "子ども・子育て支援納付金課税額（子ども分）",
}


class FrozenMap(dict):
    """A read-only dict: every mutating method raises TypeError. Unlike MappingProxyType
    it pickles (a tariff can be sent to worker processes) and json.dumps as a dict."""
    __slots__ = ()

    def _read_only(self, *args, **kwargs):
        raise TypeError("a loaded tariff is read-only: load it with overrides (--set) or "
                        "write a tariff that extends it")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self):
        return (FrozenMap, (dict(self),))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def freeze(value: Any) -> Any:
    """The same value, read-only all the way down: mappings become FrozenMap, lists
    tuples, and the mapping fields of attrs classes are frozen too."""
    if isinstance(value, FrozenMap):
        return value
    if isinstance(value, (dict, MappingProxyType)):
        return FrozenMap({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    if attrs.has(type(value)):
        changes = {}
        for f in attrs.fields(type(value)):
            if f.init:
                v = getattr(value, f.name)
                fv = freeze(v)
                if fv is not v:
                    changes[f.name] = fv
        return attrs.evolve(value, **changes) if changes else value
    return value


_SUPPLIED_BY_LAW = frozenset(("cap", "per_household_specified",
                              "per_household_specified_continuing"))


@attrs.frozen(slots=True)
class ComponentRates:
    """One component's levies (賦課方式: only the levies given are levied)."""
    name: str
    income_rate: Fraction | None = None          # 所得割率
    asset_rate: Fraction | None = None           # 資産割率
    per_capita: int | None = None                # 被保険者均等割額
    per_capita_adult: int | None = None          # 18歳以上被保険者均等割額 (子ども分)
    per_household: int | None = None             # 世帯別平等割額
    per_household_specified: int | None = None   # 特定世帯
    per_household_specified_continuing: int | None = None  # 特定継続世帯
    cap: int = 0                                 # 課税限度額
    cap_is_statutory_default: bool = False
    # lcm of the rate denominators: amounts are exact integers in units of 1/(12·denominator) yen
    denominator: int = 1
    k_income: int = 0      # income_rate × denominator (an integer)
    k_asset: int = 0       # asset_rate × denominator

    @staticmethod
    def make(name: str, **kw) -> "ComponentRates":
        den = 1
        for r in (kw.get("income_rate"), kw.get("asset_rate")):
            if r is not None:
                den = lcm(den, r.denominator)
        ks = {}
        for key, field in (("income_rate", "k_income"), ("asset_rate", "k_asset")):
            r = kw.get(key)
            if r is not None:
                ks[field] = r.numerator * (den // r.denominator)
        return ComponentRates(name, denominator=den, **kw, **ks)

    @property
    def method(self) -> str:
        """賦課方式: 4方式 / 3方式 / 2方式 (or a custom mix)."""
        parts = [self.income_rate is not None, self.asset_rate is not None,
                 self.per_capita is not None, self.per_household is not None]
        return {(True, True, True, True): "4方式", (True, False, True, True): "3方式",
                (True, False, True, False): "2方式"}.get(tuple(parts), "その他")


@attrs.frozen(slots=True)
class Rounding:
    yen: str = "per_component"         # per_component | per_element
    hundred: str = "per_component"     # per_component | total | none | per_person
    income_base: str = "none"          # none | floor_1000_per_person


@attrs.frozen(slots=True)
class Options:
    cap_policy: str = "A"
    fictitious_head_counts_as_earner: bool = True
    specified_household_child: bool = True
    unemployment_adjustment: str = "after"
    former_dependent_timing: str = "after_cap"
    childbirth_asset: bool = False
    statuses_on_child: bool = True


@attrs.frozen(slots=True)
class DuePeriod:
    """One 納期 (期別): its number, 納期限, and whether the date was derived from the
    city's pattern rather than published."""
    period: int
    due: date
    derived: bool = False
    note: str = ""


@attrs.frozen(slots=True)
class SpecialPlan:
    """特別徴収 (年金天引き) payment dates: 仮徴収 (4・6・8月) and 本徴収 (10・12・2月)."""
    provisional: tuple[DuePeriod, ...]
    final: tuple[DuePeriod, ...]
    on_change: str = "continue_increase"     # continue_increase | stop_any (rulebook §12.2)


@attrs.frozen(slots=True)
class InstallmentPlan:
    """期割 of the annual tax (条例の納期), rulebook §11.4: each 普通徴収 period gets the
    annual tax ÷ n floored to `unit`; the remainder goes to `remainder` (first, last or a
    period number)."""
    periods: tuple[DuePeriod, ...]
    unit: int = 100
    remainder: str | int = "first"
    provisional_periods: int = 0             # 仮算定: the first N periods come from last year's tax
    special: SpecialPlan | None = None

    @staticmethod
    def from_data(data: dict | None) -> "InstallmentPlan | None":
        """Compile the tariff's `installments` block (already schema-checked).

        `unit` has no default here: 地方税法20条の4の2第6項 floors each 期 to 1,000円
        unless the 条例 says otherwise (often 100円), so the tariff must say which."""
        if not data:
            return None
        if data.get("unit") is None:
            raise TariffError("required: write the 条例's unit (1000 when it names none, "
                              "地方税法20条の4の2第6項)", path="installments.unit")

        def dues(items) -> tuple[DuePeriod, ...]:
            return tuple(DuePeriod(int(e["period"]), date.fromisoformat(str(e["due"])),
                                   bool(e.get("derived", False)), e.get("note", ""))
                         for e in items)
        sp = data.get("special")
        special = None
        if sp:
            special = SpecialPlan(dues(sp["provisional"]), dues(sp["final"]),
                                  sp.get("on_change", "continue_increase"))
        return InstallmentPlan(dues(data["periods"]), int(data["unit"]),
                               data.get("remainder", "first"),
                               int(data.get("provisional_periods", 0)), special)


@attrs.frozen(slots=True)
class Tariff:
    """A resolved tariff: `extends` applied, overrides applied, checked."""
    id: str
    fiscal_year: int
    municipality: FrozenMap       # slug, name, prefecture, code (団体コード)
    kind: str
    status: str
    status_note: str
    provenance: tuple                    # read-only mappings: title, url, date, covers
    components: FrozenMap         # name -> ComponentRates
    rounding: Rounding
    options: Options
    missing: FrozenMap            # dotted path -> note
    national: National
    sha256: str
    files: tuple[str, ...]
    overrides: tuple[tuple[str, object], ...] = ()
    relief: tuple = ()               # rules.relief.ReliefRule, in the order they apply
    installments: InstallmentPlan | None = None   # 期割 and 特別徴収 dates (collection/)
    blocked: FrozenMap = attrs.field(init=False, default=attrs.Factory(
        lambda t: FrozenMap({c: t._missing_note(c) for c in COMPONENT_NAMES
                                    if t._missing_note(c) is not None}), takes_self=True))

    def missing_note(self, component: str) -> str | None:
        """The note of a `missing` entry that blocks this component, if any."""
        return self.blocked.get(component)

    def _missing_note(self, component: str) -> str | None:
        """The note of a `missing` entry that blocks this component, if any.

        An unpublished cap or 特定世帯 amount does not block: the law supplies it
        (the statutory maximum; ½ and ¾ of the 平等割), and the trace says so.
        """
        for path, note in self.missing.items():
            if path.rsplit(".", 1)[-1] in _SUPPLIED_BY_LAW:
                continue
            if path == "components" or path == f"components.{component}" or \
                    path.startswith(f"components.{component}."):
                return note
        return None
