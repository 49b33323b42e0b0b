"""`levyrules batch`: the assessment file equals `assess` household by household, the same
whatever the chunk size or worker count, rejects name the field, outputs are atomic."""

from __future__ import annotations

import csv
import json

import pytest

import levyrules
from levyrules.errors import InputError
from levyrules.population import runner, synth
from levyrules.population.rows import schema

TARIFF = "iwaki/2025"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("city")
    return synth.write(folder, 400, 2025, 11, "jsonl")


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_rows_equal_assess_household_by_household(city, tmp_path):
    out = tmp_path / "r.csv"
    s = runner.run(city, TARIFF, out)
    assert (s.read, s.rejected) == (400, 0)
    tariff = levyrules.load_tariff(TARIFF)
    rows = {r["household_id"]: r for r in read_csv(out)}
    households = [json.loads(line) for line in city.read_text().splitlines()]
    special = 0
    for data in households:
        h = levyrules.Household.from_json(data)
        a = levyrules.assess(h, tariff, partial=True)
        r = rows[h.id]
        special += bool(h.head_changes or any(p.statuses.any for p in h.persons))
        assert int(r["total"]) == a.total
        assert int(r["tier"]) == a.reduction.tier
        assert int(r["judgement_income"]) == a.reduction.judgement_income
        assert int(r["persons_counted"]) == a.reduction.persons
        assert int(r["earners"]) == a.reduction.earners
        assert r["provisional"] == ("true" if a.provisional else "false")
        assert int(r["preschool_children"]) == sum(p.preschool for p in a.persons)
        for name, c in a.components.items():
            for f in ("income_levy", "asset_levy", "per_capita", "per_household", "levy",
                      "cap", "over_cap", "rounding", "amount", "months"):
                assert int(r[f"{name}_{f}"]) == getattr(c, f)
            # the 均等割 and 平等割 parts of the 7/5/2割軽減 add up to the engine's figure
            split = int(r[f"{name}_statutory_per_capita"]) + int(r[f"{name}_statutory_per_household"])
            assert split == c.reductions.get("statutory", 0)
            assert int(r[f"{name}_statutory_per_capita"]) >= 0
            for k in ("preschool", "involuntary_unemployment", "childbirth", "former_dependent"):
                assert int(r[f"{name}_{k}"]) == c.reductions.get(k, 0)
        periods = sum(int(v) for k, v in r.items() if k.startswith("installment_"))
        assert periods == a.total
    assert special > 5          # the sample holds special statuses and 世帯主変更


def test_statutory_per_household_part_follows_the_rule():
    """地方税法703条の5: the 平等割 is cut by 7割 — iwaki/2025 医療分 平等割 19,244円 keeps
    floor(19,244 × 3/10) = 5,773円, so 13,471円 is the 平等割 part of the 軽減 (full year)."""
    from levyrules.population.rows import statutory_per_household
    t = levyrules.load_tariff(TARIFF)
    assert statutory_per_household("medical", t, 70, None, 12) == 13471
    assert statutory_per_household("medical", t, 70, None, 6) == 13471 * 6 // 12
    assert statutory_per_household("medical", t, 0, None, 12) == 0
    # 特定世帯: the 7割 applies to the halved 平等割 (9,622 → keeps 2,886)
    assert statutory_per_household("medical", t, 70, "specified", 12) == 9622 - 2886


def test_same_files_whatever_the_chunk_size(city, tmp_path):
    outs = []
    for size in (1, 37, 5000):
        out = tmp_path / f"r{size}.parquet"
        runner.run(city, TARIFF, out, chunk_size=size)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]


@pytest.mark.slow
def test_same_files_whatever_the_worker_count(city, tmp_path):
    one = tmp_path / "one.csv"
    two = tmp_path / "two.csv"
    runner.run(city, TARIFF, one, workers=1, chunk_size=50)
    runner.run(city, TARIFF, two, workers=2, chunk_size=23)
    assert one.read_bytes() == two.read_bytes()
    assert (tmp_path / "one.rejects.csv").read_bytes() == (tmp_path / "two.rejects.csv").read_bytes()


BAD = [
    "{not json",
    json.dumps({"id": "X-1", "fiscal_year": 2025, "head": "p1",
                "persons": [{"id": "p1", "birth_date": "1960-02-30", "insured": []}]}),
    json.dumps({"id": "X-2", "fiscal_year": 2025, "head": "p1",
                "head_changes": [{"date": "2024-05-01", "head": "p1"}],
                "persons": [{"id": "p1", "birth_date": "1960-05-01",
                             "insured": [{"from": "2020-04-01"}]}]}),
    json.dumps({"id": "X-3", "fiscal_year": 2025, "head": "p1",
                "persons": [{"id": "p1", "birth_date": "1960-05-01",
                             "insured": [{"from": "2020-04-01"}],
                             "income": {"salary_revenue": 1234567.5}}]}),
    json.dumps({"id": "123456789018", "fiscal_year": 2025, "head": "p1", "persons": []}),
    json.dumps({"id": "X-4", "fiscal_year": 2024, "head": "p1",
                "persons": [{"id": "p1", "birth_date": "1960-05-01",
                             "insured": [{"from": "2020-04-01"}]}]}),
]


def test_bad_rows_go_to_the_rejects_file_and_the_run_completes(city, tmp_path):
    src = tmp_path / "pop.jsonl"
    good = city.read_text().splitlines()[:20]
    src.write_text("\n".join(good[:10] + BAD + good[10:]) + "\n", encoding="utf-8")
    out = tmp_path / "r.csv"
    s = runner.run(src, TARIFF, out, chunk_size=4)
    assert (s.read, s.assessed, s.rejected) == (26, 20, 6)
    rejects = read_csv(tmp_path / "r.rejects.csv")
    by_line = {r["source"]: r for r in rejects}
    assert by_line["pop.jsonl:11"]["field"] == "" and "not valid JSON" in by_line["pop.jsonl:11"]["message"]
    assert by_line["pop.jsonl:12"]["field"] == "persons[0].birth_date"
    assert by_line["pop.jsonl:12"]["household_id"] == "X-1"
    assert by_line["pop.jsonl:13"]["field"] == "head_changes[0].date"   # not in the year
    assert by_line["pop.jsonl:14"]["field"] == "persons[0].income.salary_revenue"
    assert by_line["pop.jsonl:15"]["household_id"] == ""           # looks like a 個人番号
    assert by_line["pop.jsonl:16"]["field"] == "fiscal_year"
    text = (tmp_path / "r.rejects.csv").read_text()
    for personal in ("1960-02-30", "1234567", "123456789018"):
        assert personal not in text
    meta = json.loads((tmp_path / "r.meta.json").read_text())
    assert meta["counts"] == {"read": 26, "assessed": 20, "rejected": 6}
    assert meta["tariff"]["id"] == TARIFF and len(meta["tariff"]["sha256"]) == 64
    assert [c["name"] for c in meta["columns"]] == [n for n, _ in schema(levyrules.load_tariff(TARIFF))]
    assert len(read_csv(out)) == 20


def test_a_failed_run_leaves_nothing_behind(tmp_path):
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "households.csv").write_text("household_id,fiscal_year,head\nB-2,2025,p1\n"
                                           "B-1,2025,p1\n", encoding="utf-8")
    (folder / "persons.csv").write_text("household_id,person_id,birth_date\n", encoding="utf-8")
    (folder / "insured_periods.csv").write_text("household_id,person_id,from\n", encoding="utf-8")
    out = tmp_path / "out" / "r.parquet"
    out.parent.mkdir()
    with pytest.raises(InputError, match="households.household_id: the households table is not sorted"):
        runner.run(folder, TARIFF, out, chunk_size=1)
    assert list(out.parent.iterdir()) == []


def test_cli_batch_stats_synth(tmp_path, capsys):
    from levyrules.cli import main
    assert main(["synth", "--households", "50", "--fiscal-year", "2025", "--seed", "3",
                 "--out", str(tmp_path / "city")]) == 0
    out = tmp_path / "r.parquet"
    assert main(["batch", str(tmp_path / "city" / "population.jsonl"), "--tariff", TARIFF,
                 "--out", str(out), "--stats"]) == 0
    printed = capsys.readouterr().out
    assert "50 households assessed, 0 rejected" in printed
    assert (tmp_path / "r.stats" / "summary.html").is_file()
    assert main(["batch", str(tmp_path / "nowhere.jsonl"), "--tariff", TARIFF,
                 "--out", str(out)]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_output_that_is_a_folder_is_refused(city, tmp_path):
    with pytest.raises(InputError, match="--out: .* is a folder"):
        runner.run(city, TARIFF, tmp_path)
