"""`levyrules check` without a file: one line a shipped tariff, not every note of every
tariff (a first run printed 83 lines of `warning:`, each the unverified status or a
`missing` entry the tariff itself declares; docs/research/new-user-2026-11-30.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from levyrules import cli
from levyrules.authoring import check
from levyrules.tariff.loader import tariffs_root


def _shipped_tariffs() -> list[str]:
    root = tariffs_root()
    return sorted(f"{p.parent.name}/{p.stem}" for p in root.glob("*/*.yaml")
                  if p.parent.name != "national")


def test_check_without_a_file_is_one_line_a_tariff_and_a_total(capsys):
    assert cli.main(["check"]) == 0
    lines = capsys.readouterr().out.splitlines()
    ids = _shipped_tariffs()
    assert [line.split()[1] for line in lines[:len(ids)]] == ids
    assert all(line.split()[0] in ("ok", "warning") for line in lines[:len(ids)])
    assert not [line for line in lines if ": note: " in line]
    full = lines[len(ids):-1]         # only the errors and warnings, in full
    assert all(": warning: " in line for line in full)
    assert lines[-1].startswith(f"checked {len(ids)} tariffs, ")
    assert f"0 errors, {len(full)} warning" in lines[-1]
    assert "unverified tariffs" in lines[-1] and "--verbose" in lines[-1]
    assert next(line for line in lines if line.split()[1] == "iwaki/2025").endswith(
        "unverified, 3 values not known")


def test_check_verbose_prints_every_finding_as_check_of_the_folder_does(capsys):
    assert cli.main(["check", "--verbose"]) == 0
    verbose = capsys.readouterr().out
    assert cli.main(["check", str(tariffs_root())]) == 0
    assert verbose == capsys.readouterr().out
    assert ": note: status: unverified tariff: " in verbose


def test_what_a_tariff_declares_of_itself_is_a_note_not_a_warning(capsys):
    """`status: unverified` and each `missing` entry are written by the author: printed
    by `check FILE` (so that they are read), but as notes, not as something to correct."""
    assert cli.main(["check", str(tariffs_root() / "iwaki" / "2025.yaml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(": note: " in line for line in lines)
    assert any("status: unverified tariff" in line for line in lines)
    assert any("missing.0: installments.unit is not known" in line for line in lines)
    assert cli.main(["check", str(tariffs_root() / "iwaki" / "2025.yaml"), "--lang", "ja"]) == 0
    assert ": 注記: status: 未検証の税率表です" in capsys.readouterr().out


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A search root of two tariffs (one broken), an example test and national files."""
    shipped = tariffs_root()
    shutil.copytree(shipped / "national", tmp_path / "national")
    shutil.copytree(shipped / "koriyama", tmp_path / "koriyama")
    (tmp_path / "koriyama" / "2024.yaml").unlink()
    for t in (tmp_path / "koriyama" / "tests").glob("2024-*.yaml"):
        t.unlink()
    (tmp_path / "iwaki").mkdir()
    text = (shipped / "iwaki" / "2025.yaml").read_text(encoding="utf-8")
    (tmp_path / "iwaki" / "2025.yaml").write_text(text.replace("kind: tax", "kind: tax\nbogus: 1"),
                                                  encoding="utf-8")
    monkeypatch.setattr(check, "tariffs_root", lambda: tmp_path)
    return tmp_path


def test_a_broken_tariff_is_its_line_and_its_errors_in_full(root: Path):
    lines, failed = check.run([])
    assert failed
    assert lines[0].split()[:2] == ["error", "iwaki/2025"]
    assert lines[0].endswith("1 error, unverified, 3 values not known")
    assert lines[1].split() == ["ok", "koriyama/2025"]
    assert len(lines) == 4 and ": error: bogus: unknown key" in lines[2]
    assert lines[3] == ("checked 2 tariffs, 2 example tests and 5 national parameter files: "
                        "1 error, 0 warnings; notes: 1 unverified tariff, 3 values not known "
                        "(`levyrules check --verbose` or `levyrules check FILE` prints each)")
    ja, _ = check.run([], "ja")
    assert ja[0].split()[:2] == ["エラー", "iwaki/2025"]
    assert ja[-1].startswith("税率表2件・テスト2件・全国共通の法定値5件を確認しました: エラー1件、警告0件")
    verbose, _ = check.run([], verbose=True)
    assert verbose == check.run([str(root)])[0]
    assert len(verbose) == 5           # the error and the four notes


def test_test_of_a_tariff_file_says_so_in_one_line(capsys):
    """`levyrules test tariffs/koriyama/2025.yaml` (a tariff, not an example test) printed
    ten errors, one for each tariff key (`unknown key 'municipality'` …) and each missing
    test key; now one line saying what to give instead."""
    assert cli.main(["test", str(tariffs_root() / "koriyama" / "2025.yaml")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1] == "0 passed, 1 failed"
    assert lines[0] == ("koriyama/2025.yaml:1:1: error: this is a tariff, not an example test: "
                        "name the tariff's tests folder or a file in it "
                        "(levyrules test tariffs/SLUG)")
