"""`check --lang ja` says the tariff-file limits in Japanese (tariff/yamlmarks.py, paths.py,
loader.py): aliases, depth, size, UTF-8, `extends` outside the folder, the year in the file
name, … — no English prose left on a Japanese line (issue 9 follow-up). The --set refusals
are not `check` messages (check takes no --set), so they are not in its table."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from levyrules.tariff import loader, yamlmarks

ROOT = Path(__file__).parents[1]
# two English words in a row, once `code` spans and the location prefix are taken out
PROSE = re.compile(r"(?<![-\w.])[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}")


def prose(line: str) -> list[str]:
    text = re.sub(r"^.*?: (エラー|警告): ", "", line)
    return PROSE.findall(re.sub(r"`[^`]*`", "", text))


def deep() -> str:
    return "extends: koriyama/2025\nx:\n" + "".join("  " * (i + 1) + "k:\n" for i in range(40)) \
        + "  " * 41 + "1\n"


BAD = {
    "alias.yaml": "extends: koriyama/2025\ncomponents: &x {}\nrounding: *x\n",
    "deep.yaml": deep(),
    "big.yaml": "extends: koriyama/2025\n" + "#" * (yamlmarks.MAX_BYTES + 10) + "\n",
    "notutf8.yaml": b"extends: koriyama/2025\nstatus_note: \xff\xfe\n",
    "outside.yaml": "extends: ../other/o.yaml\n",
    "2024.yaml": "extends: koriyama/2025\nfiscal_year: 2025\n",
    "txt.yaml": "extends: foo.txt\n",
    "long.yaml": "extends: " + "a" * 300 + ".yaml\n",
    "nul.yaml": 'extends: "a\\0b.yaml"\n',
    "nosuch.yaml": "extends: nosuch/2025\n",
    "chain0.yaml": "extends: chain1.yaml\n",
}


def make_limit_files(root: Path) -> Path:
    """The folder `t` below `root` holding one file per limit (BAD), and what they need."""
    t = root / "t"
    t.mkdir(parents=True)
    (root / "other").mkdir()
    (root / "other" / "o.yaml").write_text("extends: koriyama/2025\n", encoding="utf-8")
    (t / "foo.txt").write_text("extends: koriyama/2025\n", encoding="utf-8")
    for i in range(1, loader.MAX_EXTENDS + 1):
        (t / f"chain{i}.yaml").write_text(f"extends: chain{i + 1}.yaml\n" if i < loader.MAX_EXTENDS
                                          else "extends: koriyama/2025\n", encoding="utf-8")
    for name, text in BAD.items():
        if isinstance(text, bytes):
            (t / name).write_bytes(text)
        else:
            (t / name).write_text(text, encoding="utf-8")
    return t


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return make_limit_files(tmp_path_factory.mktemp("limits"))


@pytest.mark.parametrize("name", sorted(BAD))
def test_check_in_japanese_says_each_limit_in_japanese(folder, name):
    p = subprocess.run([sys.executable, "-m", "levyrules.cli", "check", "--lang", "ja",
                        str(folder / name)], capture_output=True, text=True, cwd=ROOT)
    lines = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.strip()]
    assert p.returncode == 1 and lines, (p.stdout, p.stderr)
    assert all(": エラー: " in ln for ln in lines), lines
    assert [prose(ln) for ln in lines] == [[] for _ in lines], lines
