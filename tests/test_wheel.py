"""The wheel is the product (issue 8 §1): build the sdist and from it the wheel, install it non-editable into a fresh
venv, and use it from a folder that is not the checkout.

The wheel is built with `pip wheel --no-deps --no-build-isolation` (setuptools and
wheel come from the `test` extra, so no network is needed). The fresh venv gets the
wheel with `--no-deps`; its dependencies (pyyaml, jsonschema, attrs) are made
visible through a `.pth` line naming this interpreter's site-packages, which holds
no levyrules of its own (an editable install lives in src/ behind a finder that a
`.pth` path line does not activate): the test asserts levyrules is imported from
the venv's own site-packages.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
pytestmark = pytest.mark.slow


def run(*args, cwd, env=None, check=True) -> subprocess.CompletedProcess:
    p = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=env)
    if check:
        assert p.returncode == 0, f"{args}\n{p.stdout}\n{p.stderr}"
    return p


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """sdist from a copy of the checkout, then the wheel from the unpacked sdist (as pip
    builds from PyPI): the data links must have become files on the way."""
    out = tmp_path_factory.mktemp("dist")
    copy = tmp_path_factory.mktemp("src") / "levyrules"
    shutil.copytree(ROOT, copy, symlinks=True,
                    ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info",
                                                  "__pycache__", ".hypothesis", ".pytest_cache"))
    run(sys.executable, "-c", f"from setuptools import build_meta as b; b.build_sdist({str(out)!r})",
        cwd=copy)
    (sdist,) = out.glob("levyrules-*.tar.gz")
    with tarfile.open(sdist) as tar:
        assert not any(m.issym() for m in tar.getmembers())
        tar.extractall(out, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(out)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
        "-w", out, out / sdist.name[:-len(".tar.gz")], cwd=out)
    (found,) = out.glob("levyrules-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", env_dir, cwd=env_dir)
    py = env_dir / "bin" / "python"
    run(py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel, cwd=env_dir)
    site = run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
               cwd=env_dir).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "levyrules_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    return env_dir


def test_wheel_holds_the_data_the_engine_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (ROOT / "tariffs").rglob("*.yaml"):
        assert "levyrules/data/tariffs/" + shipped.relative_to(ROOT / "tariffs").as_posix() in names
    for schema in (ROOT / "schemas").glob("*.json"):
        assert f"levyrules/data/schemas/{schema.name}" in names
    assert "levyrules/py.typed" in names and "levyrules/__main__.py" in names
    assert any(n.endswith(".dist-info/LICENSE") for n in names)


def test_installed_wheel_works_from_another_folder(venv, tmp_path):
    bin_ = venv / "bin"
    shutil.copy(ROOT / "docs/examples/iwaki-2025-household.json", tmp_path / "h.json")
    where = run(bin_ / "python", "-c", "import levyrules; print(levyrules.__file__)",
                cwd=tmp_path).stdout
    assert where.startswith(str(venv)), where
    p = run(bin_ / "levyrules", "assess", "h.json", "--explain", cwd=tmp_path)
    assert "年税額（合計）" in p.stdout and "いわき市" in p.stdout
    out = json.loads(run(bin_ / "levyrules", "assess", "h.json", cwd=tmp_path).stdout)
    assert out["tariff"]["id"] == "iwaki/2025" and isinstance(out["total"], int)
    p = run(bin_ / "levyrules", "check", cwd=tmp_path)
    assert "error" not in p.stdout.replace("errors", "")
    assert "郡山市" in run(bin_ / "levyrules", "show", "koriyama/2025", cwd=tmp_path).stdout
    p = run(bin_ / "levyrules", "test", cwd=tmp_path)
    assert " 0 failed" in p.stdout and "passed" in p.stdout
    p = run(bin_ / "levyrules", "list", cwd=tmp_path)
    assert "koriyama/2025" in p.stdout and "shipped" in p.stdout
    p = run(bin_ / "python", "-c", "import levyrules; t = levyrules.load_tariff('koriyama/2025');"
            " print(t.id, t.status, t.files)", cwd=tmp_path)
    assert p.stdout.split()[:2] == ["koriyama/2025", "verified"]
    p = run(bin_ / "python", "-m", "levyrules", cwd=tmp_path, check=False)
    assert p.returncode == 2 and p.stderr.startswith("usage: levyrules")
