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


def test_installed_wheel_runs_a_whole_city_from_another_folder(venv, tmp_path):
    """synth → batch --workers 2 --stats → stats → convert → batch on the tables, and a
    rate simulation on a plan written outside the checkout (new-user-2026-11-30.md)."""
    lr = venv / "bin" / "levyrules"
    run(lr, "synth", "--households", "300", "--fiscal-year", "2025", "--seed", "1", "--out",
        "city", cwd=tmp_path)
    p = run(lr, "batch", "city/population.jsonl", "--tariff", "iwaki/2025", "--out",
            "city/result.parquet", "--workers", "2", "--stats", cwd=tmp_path)
    assert "300 households assessed, 0 rejected" in p.stdout
    assert (tmp_path / "city/result.stats/summary.html").is_file()
    run(lr, "stats", "city/result.parquet", "--out", "again", cwd=tmp_path)
    assert (tmp_path / "again/stats.csv").is_file()
    run(lr, "convert", "city/population.jsonl", "--out", "tables", "--format", "csv", cwd=tmp_path)
    p = run(lr, "batch", "tables", "--tariff", "iwaki/2025", "--out", "r.csv", "--format", "csv",
            cwd=tmp_path)
    assert "300 households assessed" in p.stdout
    (tmp_path / "plan.yaml").write_text(
        "plan: A案\nbase: iwaki/2025\nbasis: assessed\ntolerance: 100000\ncomponents:\n"
        "  medical: {method: 3, target: {contribution: 40000000, collection_rate: '94%'}}\n"
        "  support: {method: 3, target: {contribution: 15000000, collection_rate: '94%'}}\n"
        "  care: {method: 3, target: {contribution: 5000000, collection_rate: '94%'}}\n",
        encoding="utf-8")
    run(lr, "simulate", "city/population.jsonl", "--plan", "plan.yaml", "--baseline",
        "iwaki/2025", "--out", "report", cwd=tmp_path)
    assert (tmp_path / "report/report.html").is_file()
    run(lr, "check", "report/tariffs/plan.yaml", cwd=tmp_path)


def test_installed_wheel_serves_the_api_and_the_page(venv, tmp_path):
    """`levyrules serve` from the wheel: /healthz, the 試算 page and its static files, the
    OpenAPI document and POST /v1/assess, then stopped."""
    import socket
    import time
    import urllib.request
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(venv / "bin" / "levyrules"), "serve", "--port", str(port)],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.1)
        def get(path):
            with urllib.request.urlopen(base + path, timeout=10) as r:
                return r.status, r.read().decode("utf-8")
        assert json.loads(get("/healthz")[1])["status"] == "ok"
        status, page = get("/")
        assert status == 200 and "国民健康保険税の試算" in page
        for asset in ("/static/page.css", "/static/page.js"):
            assert get(asset)[0] == 200
        assert json.loads(get("/openapi.json")[1])["openapi"].startswith("3.1")
        body = (ROOT / "docs/examples/koriyama-2025-household.json").read_bytes()
        req = urllib.request.Request(base + "/v1/assess?explain=ja", data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            answer = json.loads(r.read())
        assert answer["assessment"]["total"] == 285_200 and "年税額" in answer["explanation"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_installed_wheel_checks_and_tests_an_authors_tariff(venv, tmp_path):
    """A tariff author outside the checkout: the guide's worked 災害減免 tariff under
    LEVYRULES_TARIFFS, with an example test beside it, through check, show, test and diff."""
    import os
    import re
    guide = (ROOT / "docs/guide.ja.md").read_text(encoding="utf-8")
    tariff = re.search(r"<!-- relief-example-tariff -->\n```yaml\n(.*?)```", guide, re.S).group(1)
    household = json.loads(re.search(r"<!-- relief-example-household -->\n```json\n(.*?)```",
                                     guide, re.S).group(1))
    town = tmp_path / "mine" / "sakura"
    (town / "tests").mkdir(parents=True)
    (town / "2026.yaml").write_text(tariff, encoding="utf-8")
    test = {"title": "半壊の世帯", "tariff": "sakura/2026", "household": household,
            "expected": {"reduction_tier": 0, "components": {"medical": 185500}, "total": 302700}}
    (town / "tests" / "2026-typhoon.yaml").write_text(json.dumps(test, ensure_ascii=False),
                                                       encoding="utf-8")
    env = dict(os.environ, LEVYRULES_TARIFFS=str(tmp_path / "mine"))
    lr = venv / "bin" / "levyrules"
    p = run(lr, "check", "mine/sakura", "--lang", "ja", cwd=tmp_path, env=env)
    assert "エラー" not in p.stdout
    assert "条例減免" in run(lr, "show", "sakura/2026", cwd=tmp_path, env=env).stdout
    assert "1 passed, 0 failed" in run(lr, "test", "mine/sakura", cwd=tmp_path, env=env).stdout
    p = run(lr, "diff", "koriyama/2025", "sakura/2026", "--lang", "ja", cwd=tmp_path, env=env)
    assert "参考世帯" in p.stdout
