"""Statutory national parameters of a fiscal year (法定の全国共通値), with their citations.

Read from ``tariffs/national/<FY>.yaml``. Each value there is written
``{value: …, status: C|C2|K|U, cite: [source ids]}``; this module strips the
wrapper into typed values and keeps the citation of every path for the trace.
Bracket tables (基礎控除, 給与所得, 公的年金等所得) are checked for gaps and
overlaps when loaded.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from ..errors import TariffError
from ..engine.money import parse_rate
from . import yamlmarks

COMPONENTS = ("medical", "support", "care", "child")
STATUSES = ("C", "C2", "K", "U")


@attrs.frozen(slots=True)
class Band:
    """One row of a conversion table: income = max(0, floor(basis × rate) + add)."""
    lo: int
    hi: int | None          # inclusive; None = no upper bound
    rate: Fraction
    add: int
    quarter: bool = False   # basis = floor(revenue / 4, 1,000円) (所得税法別表第五 速算)
    # the rate as integers, so that the lookup needs no Fraction arithmetic
    num: int = attrs.field(init=False, default=attrs.Factory(lambda s: s.rate.numerator,
                                                             takes_self=True))
    den: int = attrs.field(init=False, default=attrs.Factory(lambda s: s.rate.denominator,
                                                             takes_self=True))


def band_value(bands: tuple[Band, ...], revenue: int, extra: int = 0) -> int:
    """Look a revenue up in a conversion table; `extra` is added before the floor at 0.

    The row is the first whose `hi` ≥ revenue: a binary search on the rows' ends, which
    ascend without gaps to an open last row (checked when the table was loaded)."""
    known = _BAND_ENDS.get(id(bands))
    if known is None or known[0] is not bands:
        if len(_BAND_ENDS) > 256:
            _BAND_ENDS.clear()
        known = _BAND_ENDS[id(bands)] = (bands, tuple(b.hi for b in bands[:-1]))
    b = bands[bisect_left(known[1], revenue)]
    basis = (revenue // 4) // 1000 * 1000 if b.quarter else revenue
    value = basis * b.num // b.den + b.add + extra
    return value if value > 0 else 0


# the ends of each conversion table's rows but the last (the table checked by identity)
_BAND_ENDS: dict[int, tuple] = {}


# ---------------------------------------------------------------- column form (numpy)

INT64_MAX = 2 ** 63 - 1


def need_numpy():
    from ..population.extras import need
    return need("numpy", "batch", "the columnar evaluator")


def scale_column(x, num, den):
    """floor(x × num / den) per row, exact (num, den: ints or int64 columns, den > 0).

    The product is taken in int64 only where it cannot overflow: when
    max|x| × max|num| ≤ 2^63 − 1 for the whole column (the usual case: amounts are under
    10^15 yen, the input limit, and the numerators of the national rates are at most 19,
    so every product is under 2 × 10^16), else the rows whose |x| × |num| could overflow
    are taken on Python ints (object dtype) and the rest in int64. A result beyond int64
    (a rate above about 9,000) is a :class:`TariffError`.
    """
    np = need_numpy()
    x = np.asarray(x, dtype=np.int64)
    num_a = np.asarray(num, dtype=np.int64)
    if x.size == 0:
        return x.copy()
    biggest = max(abs(int(x.max())), abs(int(x.min())))
    if biggest * max(abs(int(num_a.max())), abs(int(num_a.min()))) <= INT64_MAX:
        return x * num_a // den
    num_b, den_b = np.broadcast_to(num_a, x.shape), np.broadcast_to(den, x.shape)
    risky = np.abs(x) > INT64_MAX // np.maximum(np.abs(num_b), 1)
    out = np.empty_like(x)
    safe = ~risky
    out[safe] = x[safe] * num_b[safe] // den_b[safe]
    exact = [a * b // c for a, b, c in zip(x[risky].tolist(), num_b[risky].tolist(),
                                           den_b[risky].tolist())]
    if any(not -INT64_MAX - 1 <= v <= INT64_MAX for v in exact):
        raise TariffError("a rate of the national table takes an amount beyond the range "
                          "of the columnar evaluator (int64)")
    out[risky] = exact
    return out


@attrs.frozen(slots=True)
class Citation:
    status: str
    sources: tuple[dict, ...]


@attrs.frozen(slots=True)
class National:
    """The statutory parameters of one fiscal year."""
    fiscal_year: int
    income_year: int
    caps: dict[str, int]
    basic_deduction: tuple[tuple[int | None, int], ...]    # (合計所得 up_to, 控除額)
    reduction_base: int
    reduction_per_earner: int
    reduction_per_person_50: int
    reduction_per_person_20: int
    earner_salary_over: int
    earner_pension_over_under65: int
    earner_pension_over_65: int
    pension_deduction_65: int
    preschool_reduction: Fraction
    salary_bands: tuple[Band, ...]
    adjustment_floor: int
    adjustment_ceiling: int
    adjustment_rate: Fraction
    adjustment_pension_limit: int
    pension_under65: tuple[Band, ...]
    pension_over65: tuple[Band, ...]
    pension_other_income_adjustment: tuple[tuple[int, int], ...]
    citations: dict[str, Citation]
    sha256: str
    file: str
    # 給与所得者等 thresholds read back as 所得, for inputs that give 所得 rather than 収入
    earner_salary_income_over: int = 0
    earner_pension_income_over_under65: int = 0
    earner_pension_income_over_65: int = 0

    def cite(self, path: str) -> Citation | None:
        return self.citations.get(path)


def load_national(path: Path) -> National:
    """Read a national/<FY>.yaml as tariffs are read (size, UTF-8, aliases, depth limits)."""
    fname = str(path)
    text, _ = yamlmarks.read_text(path, fname)
    data, marks = yamlmarks.load(text, fname)
    return _build(data, marks, fname, hashlib.sha256(text.encode()).hexdigest())


def _build(data: Any, marks: dict, fname: str, sha: str) -> National:
    reader = _Reader(data, marks, fname)
    fy = reader.int(("fiscal_year",))
    caps = {}
    for comp in COMPONENTS:
        if comp in reader.get(("caps",)):
            caps[comp] = reader.value_int(("caps", comp))
    brackets = reader.list(("basic_deduction", "brackets"))
    basic = []
    for i, row in enumerate(brackets):
        basic.append((reader.opt_int(("basic_deduction", "brackets", i, "up_to")),
                      reader.int(("basic_deduction", "brackets", i, "value"))))
    reader.cite_table("basic_deduction")
    _check_ascending(basic, reader, ("basic_deduction", "brackets"))
    red = ("reduction",)
    salary = reader.bands(("salary_income", "bands"), quarter_ok=True)
    reader.cite_table("salary_income")
    reader.cite_table("pension_income")
    reader.cite_table("income_adjustment")
    adj = ("income_adjustment",)
    pens = ("pension_income",)
    other = []
    for i, _ in enumerate(reader.list(pens + ("other_income_adjustment",))):
        other.append((reader.int(pens + ("other_income_adjustment", i, "over")),
                      reader.int(pens + ("other_income_adjustment", i, "add"))))
    pension_under65 = reader.bands(pens + ("under65",))
    pension_over65 = reader.bands(pens + ("over65",))
    earner_salary = reader.value_int(("wage_earner", "salary_revenue_over"))
    earner_under65 = reader.value_int(("wage_earner", "pension_revenue_over_under65"))
    earner_65 = reader.value_int(("wage_earner", "pension_revenue_over_65"))
    return National(
        fiscal_year=fy,
        income_year=reader.int(("income_year",)),
        caps=caps,
        basic_deduction=tuple(basic),
        reduction_base=reader.value_int(red + ("base",)),
        reduction_per_earner=reader.value_int(red + ("per_earner",)),
        reduction_per_person_50=reader.value_int(red + ("per_person_50",)),
        reduction_per_person_20=reader.value_int(red + ("per_person_20",)),
        earner_salary_over=earner_salary,
        earner_pension_over_under65=earner_under65,
        earner_pension_over_65=earner_65,
        pension_deduction_65=reader.value_int(("pension_special_deduction_65",)),
        preschool_reduction=reader.value_rate(("preschool_reduction",)),
        salary_bands=salary,
        adjustment_floor=reader.int(adj + ("special_revenue_floor",)),
        adjustment_ceiling=reader.int(adj + ("special_revenue_ceiling",)),
        adjustment_rate=reader.rate(adj + ("special_rate",)),
        adjustment_pension_limit=reader.int(adj + ("pension_limit",)),
        pension_under65=pension_under65,
        pension_over65=pension_over65,
        pension_other_income_adjustment=tuple(other),
        citations=reader.citations,
        sha256=sha,
        file=fname,
        earner_salary_income_over=band_value(salary, earner_salary),
        earner_pension_income_over_under65=band_value(pension_under65, earner_under65),
        earner_pension_income_over_65=band_value(pension_over65, earner_65),
    )


def _check_ascending(rows: list, reader: "_Reader", path: tuple) -> None:
    prev = -1
    for i, (up_to, _) in enumerate(rows):
        last = i == len(rows) - 1
        if (up_to is None) != last:
            reader.fail(path + (i,), "only the last bracket may be open-ended, and it must be")
        if up_to is not None and up_to <= prev:
            reader.fail(path + (i,), "brackets must ascend")
        prev = up_to if up_to is not None else prev


class _Reader:
    """Typed access to the national YAML with FILE:LINE:COLUMN errors."""

    def __init__(self, data: Any, marks: dict, fname: str):
        if not isinstance(data, dict):
            raise TariffError("a national parameter file must be a mapping", fname)
        self.data, self.marks, self.fname = data, marks, fname
        self.sources = data.get("sources") or {}
        self.citations: dict[str, Citation] = {}

    def fail(self, path: tuple, message: str):
        while path and path not in self.marks:
            path = path[:-1]
        line, col = self.marks.get(path, (1, 1))
        raise TariffError(message, self.fname, line, col, ".".join(map(str, path)))

    def get(self, path: tuple) -> Any:
        cur = self.data
        for i, key in enumerate(path):
            try:
                cur = cur[key]
            except (KeyError, IndexError, TypeError):
                self.fail(path[:i], f"missing {'.'.join(map(str, path))}")
        return cur

    def int(self, path: tuple) -> int:
        v = self.get(path)
        if isinstance(v, bool) or not isinstance(v, int):
            self.fail(path, "must be an integer")
        return v

    def opt_int(self, path: tuple) -> int | None:
        return None if self.get(path) is None else self.int(path)

    def list(self, path: tuple) -> list:
        v = self.get(path)
        if not isinstance(v, list) or not v:
            self.fail(path, "must be a non-empty list")
        return v

    def rate(self, path: tuple) -> Fraction:
        try:
            return parse_rate(self.get(path))
        except ValueError as e:
            self.fail(path, str(e))

    def _cite(self, path: tuple) -> None:
        node = self.get(path)
        status = node.get("status")
        if status not in STATUSES:
            self.fail(path + ("status",), f"status must be one of {', '.join(STATUSES)}")
        srcs = []
        for i, sid in enumerate(node.get("cite") or []):
            if sid not in self.sources:
                self.fail(path + ("cite", i), f"unknown source id {sid!r}")
            srcs.append(dict(self.sources[sid], id=sid))
        if not srcs:
            self.fail(path, "every value needs at least one source in `cite`")
        self.citations[".".join(map(str, path))] = Citation(status, tuple(srcs))

    def value_int(self, path: tuple) -> int:
        self._cite(path)
        return self.int(path + ("value",))

    def value_rate(self, path: tuple) -> Fraction:
        self._cite(path)
        return self.rate(path + ("value",))

    def cite_table(self, name: str) -> None:
        self._cite((name,))

    def bands(self, path: tuple, quarter_ok: bool = False) -> tuple[Band, ...]:
        rows = self.list(path)
        out = []
        expect = 0
        for i, _ in enumerate(rows):
            p = path + (i,)
            lo = self.int(p + ("from",))
            hi = self.opt_int(p + ("to",))
            if lo != expect:
                self.fail(p + ("from",), f"gap or overlap: this band should start at {expect}")
            if hi is not None and hi < lo:
                self.fail(p + ("to",), "band ends before it starts")
            if (hi is None) != (i == len(rows) - 1):
                self.fail(p, "only the last band may be open-ended, and it must be")
            basis = self.get(p).get("basis", "revenue")
            if basis not in ("revenue", "quarter") or (basis == "quarter" and not quarter_ok):
                self.fail(p + ("basis",), "basis must be revenue" + (" or quarter" if quarter_ok else ""))
            out.append(Band(lo, hi, self.rate(p + ("rate",)), self.int(p + ("add",)),
                            basis == "quarter"))
            expect = (hi + 1) if hi is not None else expect
        return tuple(out)
