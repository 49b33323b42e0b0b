"""Hostile and careless tariff files (../shared/findings/hostile-input.md #8–#11, #14,
#16, #17, #19, #22, #24) and `extends` that cannot mislead (issue 8 §3): each refused
with one TariffError at the file's position, or handled as documented."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import levyrules
from levyrules.authoring.check import check_file
from levyrules.tariff import paths, yamlmarks
from levyrules.tariff.loader import MAX_EXTENDS, tariffs_root

from test_tariff import GOOD, write

ROOT = Path(__file__).parents[1]
HOUSEHOLD = {"id": "H", "fiscal_year": 2025, "head": "p1", "persons": [
    {"id": "p1", "birth_date": "1980-01-01", "insured": [{"from": "2025-04-01"}],
     "income": {"business_income": 3000000}}]}


def load_error(path) -> levyrules.TariffError:
    with pytest.raises(levyrules.TariffError) as e:
        levyrules.load_tariff(path)
    return e.value


# ---------------------------------------------------------------- #8, #9: depth and aliases

def test_alias_bomb_is_refused_fast_at_the_first_alias(tmp_path):
    """#9: 9 levels of aliases × 10 (a 1.5 KB "billion laughs") took 166 s and 2.8 GB."""
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    p = write(tmp_path, "\n".join(lines) + "\n")
    start = time.process_time()
    e = load_error(p)
    assert time.process_time() - start < 5
    assert "aliases" in e.message and e.line == 2 and e.column == 10
    assert [f.line for f in check_file(p)] == [2]


def test_merge_key_is_an_alias_too(tmp_path):
    p = write(tmp_path, GOOD.replace("components:", "base: &b {income_rate: 7%}\ncomponents:")
              + "  x: {<<: *b}\n")
    assert "aliases" in load_error(p).message


def test_shipped_tariffs_use_no_alias():
    for path in tariffs_root().rglob("*.yaml"):
        yamlmarks.load(path.read_text(encoding="utf-8"), str(path))   # raises on an alias


def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path):
    """#8: a mapping nested ~500 deep gave RecursionError."""
    p = write(tmp_path, GOOD + "options: " + "{a: " * 600 + "1" + "}" * 600 + "\n")
    e = load_error(p)
    assert f"nested more than {yamlmarks.MAX_DEPTH} levels" in e.message
    assert e.line == GOOD.count("\n") + 1


def test_long_extends_chain_is_refused(tmp_path):
    """#8: a chain of ~1,000 `extends` gave RecursionError."""
    write(tmp_path, GOOD, "t0.yaml")
    for i in range(1, 1000):
        write(tmp_path, f"extends: t{i - 1}.yaml\n", f"t{i}.yaml")
    e = load_error(tmp_path / "t999.yaml")
    assert f"longer than {MAX_EXTENDS} files" in e.message and e.file.endswith(".yaml")
    ok = tmp_path / f"t{MAX_EXTENDS - 1}.yaml"
    assert levyrules.load_tariff(ok).components["medical"].per_capita == 23100


# ---------------------------------------------------------------- #10, #11, #14: the file itself

def test_not_utf8_is_a_tariff_error_with_its_line(tmp_path):
    """#10: UnicodeDecodeError in check/assess/show/diff/test."""
    p = tmp_path / "t.yaml"
    p.write_bytes(GOOD.replace("テスト市 税率", "x").encode("utf-8")
                  + "notes: テスト\n".encode("shift_jis"))
    e = load_error(p)
    assert "not UTF-8" in e.message and e.line == GOOD.count("\n") + 1 and e.column == 8
    for cmd in (["check", str(p)], ["show", str(p)], ["diff", str(p), "koriyama/2025"]):
        r = cli(*cmd)
        assert r.returncode in (1, 2) and "not UTF-8" in r.stdout + r.stderr, cmd


def test_not_utf8_test_file(tmp_path):
    t = tmp_path / "tests"
    t.mkdir()
    (t / "x.yaml").write_bytes("title: テスト\n".encode("shift_jis"))
    r = cli("test", str(t / "x.yaml"))
    assert r.returncode == 1 and "not UTF-8" in r.stdout


@pytest.mark.parametrize("where", ["--tariff", "extends", "check", "show"])
def test_over_long_name_is_a_tariff_error(tmp_path, where):
    """#11: a 5,000-character name gave OSError: File name too long."""
    name = "a" * 5000
    if where == "extends":
        p = write(tmp_path, f"extends: {name}\n")
        e = load_error(p)
        assert "too long" in e.message and e.line == 1
        return
    args = {"--tariff": ["assess", "-", "--tariff", name], "check": ["check", name],
            "show": ["show", name]}[where]
    r = cli(*args, input=_json(HOUSEHOLD))
    assert r.returncode in (1, 2) and "internal error" not in r.stderr, r.stderr
    assert ("no such file" if where == "check" else "too long") in r.stdout + r.stderr


def test_file_larger_than_the_limit(tmp_path):
    """#14: no size limit: about 90 bytes of memory per byte of YAML."""
    p = write(tmp_path, GOOD + "#" * yamlmarks.MAX_BYTES + "\n")
    e = load_error(p)
    assert "larger than the limit" in e.message and e.line == 1


# ---------------------------------------------------------------- #19: year in the name

def test_file_named_for_another_year(tmp_path):
    (tmp_path / "x").mkdir()
    p = write(tmp_path / "x", GOOD.replace("fiscal_year: 2025", "fiscal_year: 2024"), "2025.yaml")
    e = load_error(p)
    assert "named for fiscal year 2025 but declares 2024" in e.message
    assert e.line == 2 and e.path == "fiscal_year"
    assert [f.line for f in check_file(p) if f.severity == "error"] == [2]


# ---------------------------------------------------------------- #24: extends confined

@pytest.mark.parametrize("ref", ["../../../../../../../../etc/passwd", "/etc/passwd",
                                 "../outside.yaml"])
def test_extends_outside_the_folder_is_refused(tmp_path, ref):
    (tmp_path / "outside.yaml").write_text(GOOD, encoding="utf-8")
    inner = tmp_path / "inner"
    inner.mkdir()
    p = write(inner, f"extends: {ref}\n")
    e = load_error(p)
    assert e.line == 1 and e.path == "extends"
    assert "root:" not in str(e) and "not a file elsewhere" in e.message or ".yaml" in e.message
    found = check_file(p)
    assert len(found) == 1 and "root:" not in found[0].message


def test_extends_a_file_below_or_an_id(tmp_path):
    (tmp_path / "base").mkdir()
    write(tmp_path / "base", GOOD, "b.yaml")
    p = write(tmp_path, "extends: base/b.yaml\nstatus: verified\n")
    assert levyrules.load_tariff(p).components["care"].cap == 170000
    q = write(tmp_path, "extends: koriyama/2025\nstatus: verified\n", "q.yaml")
    assert levyrules.load_tariff(q).municipality["code"] == "072036"


def test_extends_a_link_pointing_outside_is_refused(tmp_path):
    (tmp_path / "outside.yaml").write_text(GOOD, encoding="utf-8")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    assert "not a file elsewhere" in load_error(write(inner, "extends: link.yaml\n")).message


# ---------------------------------------------------------------- #16, #17: cache

def test_a_changed_file_is_reloaded(tmp_path):
    """#16: after the file changed 7.3% → 9.9% the process kept 7.3%."""
    p = write(tmp_path, GOOD)
    first = levyrules.load_tariff(p)
    assert levyrules.load_tariff(p) is first
    write(tmp_path, GOOD.replace('"7.3%"', '"9.9%"'))
    os.utime(p, ns=(time.time_ns(), time.time_ns() + 10**9))   # a coarse clock cannot hide it
    assert str(levyrules.load_tariff(p).components["medical"].income_rate) == "99/1000"


def test_a_changed_base_reloads_the_child(tmp_path):
    base = write(tmp_path, GOOD, "base.yaml")
    child = write(tmp_path, "extends: base.yaml\nstatus: verified\n", "child.yaml")
    assert str(levyrules.load_tariff(child).components["medical"].income_rate) == "73/1000"
    base.write_text(GOOD.replace('"7.3%"', '"7.25%"'), encoding="utf-8")
    os.utime(base, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert str(levyrules.load_tariff(child).components["medical"].income_rate) == "29/400"


def test_cached_tariff_cannot_be_changed():
    """#17: `t.components.pop("care")` removed 介護分 for every later caller."""
    t = levyrules.load_tariff("koriyama/2025")
    with pytest.raises((AttributeError, TypeError)):
        t.components.pop("care")
    with pytest.raises(TypeError):
        t.components["care"] = None
    with pytest.raises(TypeError):
        t.municipality["code"] = "000000"
    with pytest.raises(TypeError):
        t.missing["components.care"] = "x"
    with pytest.raises(TypeError):
        t.provenance[0]["url"] = "x"
    with pytest.raises(TypeError):
        t.national.caps["medical"] = 0
    with pytest.raises(AttributeError):
        t.status = "unverified"
    assert "care" in levyrules.load_tariff("koriyama/2025").components
    import pickle
    assert pickle.loads(pickle.dumps(t)) == t        # read-only, yet it goes to worker processes


# ---------------------------------------------------------------- #22: --set

@pytest.mark.parametrize("value", ["", "null", "~"])
def test_set_empty_value_is_refused(value):
    r = cli("assess", "-", "--tariff", "koriyama/2025", "--set",
            f"components.medical.income_rate={value}", input=_json(HOUSEHOLD))
    assert r.returncode == 2 and r.stdout == ""
    assert "give a value" in r.stderr and "components.medical.income_rate" in r.stderr


@pytest.mark.parametrize("key", ["extends", "status", "municipality.code", "provenance",
                                 "fiscal_year"])
def test_set_what_the_tariff_is_is_refused(key):
    r = cli("assess", "-", "--tariff", "koriyama/2025", "--set", f"{key}=iwaki/2025",
            input=_json(HOUSEHOLD))
    assert r.returncode == 2 and f"--set {key}: only values under components" in r.stderr


def test_set_is_recorded_and_unverified():
    r = cli("assess", "-", "--tariff", "koriyama/2025", "--set",
            "components.medical.income_rate=8%", input=_json(HOUSEHOLD))
    assert r.returncode == 0, r.stderr
    import json
    out = json.loads(r.stdout)
    assert out["tariff"]["status"] == "unverified"
    assert out["tariff"]["overrides"] == {"components.medical.income_rate": "8%"}
    r = cli("assess", "-", "--tariff", "koriyama/2025", "--set",
            "components.medical.income_rate=8%", "--explain", input=_json(HOUSEHOLD))
    assert "未検証" in r.stdout and "試算: 税率表の components.medical.income_rate を 8% に変更" in r.stdout
    t = levyrules.load_tariff("koriyama/2025", [("components.medical.per_capita", 1)])
    assert t.status == "unverified" and "試算" in t.status_note
    assert levyrules.load_tariff("koriyama/2025").status == "verified"


def test_set_clears_the_missing_entry_it_answers():
    t = levyrules.load_tariff("setouchi/2025")
    assert t.missing_note("care")
    t = levyrules.load_tariff("setouchi/2025", [("components.care.income_rate", "2%"),
                                                ("components.care.per_capita", 10000)])
    assert t.missing_note("care") is None and t.status == "unverified"


# ---------------------------------------------------------------- extends cannot mislead

OTHER_TOWN = "extends: koriyama/2025\nmunicipality: {slug: testville, name: テスト市}\n"


def test_child_for_another_town_inherits_no_code_nor_provenance(tmp_path):
    p = write(tmp_path, OTHER_TOWN)
    e = load_error(p)
    assert "provenance" in e.message            # it must state its own sources
    p = write(tmp_path, OTHER_TOWN + "provenance: [{title: テスト市 税率表}]\n")
    t = levyrules.load_tariff(p)
    assert t.status == "unverified" and "extends koriyama/2025" in t.status_note
    assert "code" not in t.municipality and t.municipality["name"] == "テスト市"
    assert [x["title"] for x in t.provenance] == ["テスト市 税率表"]
    assert "検証済み" not in cli("show", str(p)).stdout


def test_child_of_the_same_town_never_inherits_verified(tmp_path):
    p = write(tmp_path, "extends: koriyama/2025\ncomponents: {medical: {income_rate: 8%}}\n")
    t = levyrules.load_tariff(p)
    assert t.status == "unverified" and t.municipality["code"] == "072036"
    p = write(tmp_path, "extends: koriyama/2025\nstatus: verified\n", "v.yaml")
    assert levyrules.load_tariff(p).status == "verified"     # stated by the child itself


def test_child_value_clears_the_base_missing_entry(tmp_path):
    p = write(tmp_path, "extends: setouchi/2025\nstatus_note: テスト\ncomponents:\n"
                        "  care: {income_rate: 2%, per_capita: 10000, cap: 170000}\n")
    t = levyrules.load_tariff(p)
    assert t.missing_note("care") is None and "components.care" not in t.missing
    assert "components.care.per_household" not in t.missing
    base = levyrules.load_tariff("setouchi/2025")
    assert base.missing_note("care") is not None


# ---------------------------------------------------------------- search path

def test_search_path_env_and_argument(tmp_path, monkeypatch):
    host = tmp_path / "host"
    (host / "testville").mkdir(parents=True)
    write(host / "testville", GOOD, "2025.yaml")
    with pytest.raises(levyrules.TariffError, match="unknown tariff"):
        levyrules.load_tariff("testville/2025")
    t = levyrules.load_tariff("testville/2025", tariff_paths=[host])
    assert t.id == "testville/2025" and t.files == ("testville/2025.yaml",)
    monkeypatch.setenv(paths.ENV, os.pathsep.join(["/nonexistent", str(host)]))
    assert levyrules.load_tariff("testville/2025").id == "testville/2025"
    r = cli("list", env={paths.ENV: str(host)})
    assert r.returncode == 0
    line = next(x for x in r.stdout.splitlines() if x.startswith("testville/2025"))
    assert "verified" in line and "テスト市" in line and "3方式" in line and str(host) in line
    assert any(x.startswith("koriyama/2025") and "shipped" in x for x in r.stdout.splitlines())


def test_host_tariff_hides_the_shipped_one(tmp_path):
    (tmp_path / "koriyama").mkdir()
    write(tmp_path / "koriyama", GOOD.replace("testville", "koriyama"), "2025.yaml")
    t = levyrules.load_tariff("koriyama/2025", tariff_paths=[tmp_path])
    assert t.municipality["name"] == "テスト市"
    assert levyrules.load_tariff("koriyama/2025").municipality["name"] == "郡山市"


def test_ids_and_files_do_not_depend_on_the_current_folder(tmp_path, monkeypatch):
    p = write(tmp_path, GOOD.replace("kind: tax", "kind: [tax"))
    errs = []
    for cwd in (ROOT, tmp_path, Path("/")):
        monkeypatch.chdir(cwd)
        errs.append(load_error(p).file)
        errs.append(load_error("t.yaml" if cwd == tmp_path else p).file)
    assert set(errs) == {str(p.resolve())}
    ids = set()
    for cwd in (ROOT, tmp_path):
        monkeypatch.chdir(cwd)
        ids.add(levyrules.load_tariff("koriyama/2025").id)
        ids.add(levyrules.load_tariff(ROOT / "tariffs/koriyama/2025.yaml").id)
    assert ids == {"koriyama/2025"}


def _json(data) -> str:
    import json
    return json.dumps(data)


def cli(*args, input=None, env=None):
    e = dict(os.environ)
    e.pop(paths.ENV, None)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "levyrules", *args], capture_output=True,
                          text=True, cwd=ROOT, input=input, env=e)


def test_national_parameters_not_utf8_on_the_search_path(tmp_path, monkeypatch):
    (tmp_path / "national").mkdir()
    nat = (tariffs_root() / "national" / "2025.yaml").read_text(encoding="utf-8")
    (tmp_path / "national" / "2025.yaml").write_bytes(nat.encode("utf-8") + "# 注\n".encode("cp932"))
    write(tmp_path, GOOD, "t.yaml")
    monkeypatch.setenv(paths.ENV, str(tmp_path))
    e = load_error(tmp_path / "t.yaml")
    assert "not UTF-8" in e.message and "national parameters national/2025.yaml line" in e.message
