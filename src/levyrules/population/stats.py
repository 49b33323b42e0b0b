"""Statistics of an assessment file (賦課統計): what a city reports after the 本算定.

- 調定額 per component, and its elements;
- the 7割・5割・2割軽減 per tier, split into 均等割 and 平等割 per component (the figures
  of the 保険基盤安定 (保険税軽減分) claim, 国民健康保険法72条の3);
- 未就学児: the children counted and their 均等割 軽減額 (同法72条の3の2);
- 子ども・子育て支援納付金分 18歳未満 均等割 軽減額;
- each special status and 条例減免 amount;
- 限度超過額 and the households over each cap;
- households and persons by tier, by income band (軽減判定所得) and by household type.

Everything is summed in Python integers from the file, chunk by chunk: exact, and in
flat memory whatever the file size.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from .extras import need
from .rows import HOUSEHOLD_TYPES

TEXT = frozenset(("household_id", "judged_on", "specified_household", "household_type"))
FLAGS = frozenset(("declared", "fictitious_head", "provisional", "unverified", "complete"))
TIERS = (70, 50, 20, 0)
# 軽減判定所得 bands (upper bound inclusive, yen); the last is open
BANDS = (0, 430_000, 1_000_000, 2_000_000, 3_000_000, 4_000_000, 6_000_000, 10_000_000)
COUNTED = ("income_levy", "asset_levy", "per_capita", "per_household", "levy", "over_cap",
           "rounding", "amount")


def band(income: int) -> str:
    lo = None
    for hi in BANDS:
        if income <= hi:
            return f"{'' if lo is None else lo + 1}–{hi}" if lo is not None else f"≤{hi}"
        lo = hi
    return f"{BANDS[-1] + 1}–"


def band_labels() -> list[str]:
    return [band(b) for b in BANDS] + [band(BANDS[-1] + 1)]


def read_rows(path: Path) -> Iterator[dict]:
    """The rows of an assessment file written by `batch` (Parquet or CSV)."""
    if not path.is_file():
        raise InputError("", f"{path}: no such file")
    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                yield {k: _value(k, v) for k, v in row.items()}
        return
    pq = need("pyarrow.parquet", "batch", "reading a Parquet result")
    pa = need("pyarrow", "batch", "reading a Parquet result")
    try:
        f = pq.ParquetFile(path)
    except (OSError, pa.ArrowException):
        raise InputError("", f"{path.name} is not a Parquet file") from None
    for field in f.schema_arrow:
        kind = "text" if field.name in TEXT else "boolean" if field.name in FLAGS \
            else "integer"
        if not (pa.types.is_null(field.type) or getattr(pa.types, _IS[kind])(field.type)):
            raise InputError(field.name, f"{path.name}: must be an {kind} column, not "
                                         f"{field.type} (as `levyrules batch` writes it)")
    for batch in f.iter_batches(batch_size=65_536):
        cols = batch.to_pydict()
        names = list(cols)
        for values in zip(*cols.values()):
            yield dict(zip(names, values))


_IS = {"text": "is_string", "boolean": "is_boolean", "integer": "is_integer"}


def _value(name: str, text: str):
    if name in TEXT:
        return text
    if text == "":
        return None
    if name in FLAGS:
        return text == "true"
    try:
        return int(text)
    except ValueError:
        raise InputError(name, "a result column holds something that is not a whole number") from None


class Stats:
    """Totals accumulated row by row; :meth:`table` gives them as flat records."""

    def __init__(self):
        self.components: list[str] = []
        self.keys: list[str] = []          # reduction fields other than the statutory split
        self.sums: dict = defaultdict(int)  # (section, group, component, measure) -> int
        self.households = 0

    def _setup(self, row: dict) -> None:
        from .rows import HEAD, TAIL
        missing = [n for n, _ in HEAD + TAIL if n not in row]
        if missing:
            raise InputError(missing[0], "the file is not an assessment file written by "
                                         "`levyrules batch` (no such column)")
        self.components = [c[: -len("_amount")] for c in row if c.endswith("_amount")
                           and not c.startswith("installment")]
        first = self.components[0] if self.components else ""
        skip = set(COUNTED) | {"statutory_per_capita", "statutory_per_household", "cap", "months"}
        self.keys = [k[len(first) + 1:] for k in row if k.startswith(first + "_")
                     and k[len(first) + 1:] not in skip]

    def add(self, row: dict) -> None:
        if not self.households:
            self._setup(row)
        if row["tier"] not in TIERS:
            raise InputError("tier", "must be 70, 50, 20 or 0")
        if row["household_type"] not in HOUSEHOLD_TYPES:    # a group of stats.csv
            raise InputError("household_type", "is not a household type "
                                                "(" + ", ".join(HOUSEHOLD_TYPES) + ")")
        self.households += 1
        s = self.sums
        tier = str(row["tier"])
        persons = row["insured_persons"]
        groups = (("tier", tier), ("income_band", band(row["judgement_income"])),
                  ("household_type", row["household_type"]))
        total = row["total"] or 0
        for section, g in groups:
            s[(section, g, "", "households")] += 1
            s[(section, g, "", "persons")] += persons
            s[(section, g, "", "total")] += total
        s[("all", "", "", "households")] += 1
        s[("all", "", "", "persons")] += persons
        s[("all", "", "", "total")] += total
        for flag in ("provisional", "unverified"):
            s[("all", "", "", flag)] += bool(row[flag])
        s[("all", "", "", "incomplete")] += not row["complete"]
        s[("preschool", "", "", "children")] += row["preschool_children"]
        s[("preschool", "", "", "households")] += bool(row["preschool_children"])
        for c in self.components:
            if row[f"{c}_amount"] is None:
                continue
            for m in COUNTED:
                s[("levy", "", c, m)] += row[f"{c}_{m}"]
            if row[f"{c}_over_cap"]:
                s[("over_cap", "", c, "households")] += 1
            for part in ("per_capita", "per_household"):
                s[("statutory_by_tier", tier, c, part)] += row[f"{c}_statutory_{part}"]
            if row[f"{c}_statutory_per_capita"] or row[f"{c}_statutory_per_household"]:
                s[("statutory_by_tier", tier, c, "households")] += 1
            for k in self.keys:
                if row[f"{c}_{k}"]:
                    s[("reductions", k, c, "amount")] += row[f"{c}_{k}"]
                    s[("reductions", k, c, "households")] += 1

    def table(self) -> list[tuple]:
        return sorted(((sec, g, c, m, v) for (sec, g, c, m), v in self.sums.items()),
                      key=lambda t: (t[0], _order(t[0], t[1]), t[2], t[3]))

    def get(self, section: str, group: str = "", component: str = "", measure: str = "") -> int:
        return self.sums.get((section, group, component, measure), 0)


def _order(section: str, group: str):
    if section == "tier":
        return (TIERS.index(int(group)), group)
    if section == "income_band":
        labels = band_labels()
        return (labels.index(group) if group in labels else 99, group)
    return (0, group)


def compute(path: Path) -> Stats:
    st = Stats()
    for n, row in enumerate(read_rows(path), 1):
        try:
            st.add(row)
        except TypeError:       # the column types are checked: an empty cell, summed
            raise InputError("", f"{path.name}: row {n} has an empty cell where `levyrules "
                                 "batch` writes a number") from None
    return st


STATS_COLUMNS = ("section", "group", "component", "measure", "value")


def write_csv(st: Stats, path: Path) -> None:
    from .sink import temp_path
    import os
    tmp = temp_path(path)
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(STATS_COLUMNS)
        w.writerows(st.table())
    os.replace(tmp, path)
