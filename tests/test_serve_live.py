"""A real `levyrules serve` (uvicorn) on 127.0.0.1 at a free port, called over TCP with
httpx: the same answers as in-process, /v1/batch streamed both ways, two workers, and
the bearer token read from a file."""

from __future__ import annotations

import json

import httpx
import pytest

import levyrules
from test_serve_support import contract_household, live_server

pytestmark = pytest.mark.slow


def _lib(data, tariff):
    return levyrules.assess(levyrules.Household.from_json(data), levyrules.load_tariff(tariff),
                            partial=True).to_json()


def test_assess_and_a_streamed_batch_over_tcp_with_two_workers():
    data = contract_household("isesaki-2023-family.json")
    with live_server(workers=2) as (base, proc):
        with httpx.Client(base_url=base, timeout=30) as c:
            r = c.post("/v1/assess?tariff=isesaki/2023", json=data)
            assert r.status_code == 200 and r.json() == _lib(data, "isesaki/2023")
            assert r.headers["x-levyrules-tariff-sha256"] == r.json()["tariff"]["sha256"]

            def chunks():                      # chunked transfer, lines split across chunks
                line = json.dumps(data).encode() + b"\n"
                for _ in range(300):
                    yield line[:100]
                    yield line[100:]

            n = 0
            with c.stream("POST", "/v1/batch?tariff=isesaki/2023", content=chunks(),
                          headers={"content-type": "application/x-ndjson"}) as s:
                assert s.status_code == 200
                for line in s.iter_lines():
                    out = json.loads(line)
                    n += 1
                    assert out["line"] == n and out["assessment"]["total"] == 356500
            assert n == 300
            assert c.get("/openapi.json").json()["openapi"] == "3.1.0"
    assert "Uvicorn running on http://127.0.0.1:" in proc.log_text   # loopback unless told


def test_token_file_on_the_command_line(tmp_path):
    token = "a-test-token-0123456789abcdef"
    (tmp_path / "token").write_text(token)
    with live_server("--token-file", str(tmp_path / "token")) as (base, _):
        assert httpx.get(base + "/v1/tariffs").status_code == 401
        assert httpx.get(base + "/v1/tariffs",
                         headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_bad_options_end_with_one_line():
    import subprocess
    import sys
    p = subprocess.run([sys.executable, "-m", "levyrules.cli", "serve", "--port", "99999"],
                       capture_output=True, text=True)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "port" in p.stderr
    p = subprocess.run([sys.executable, "-m", "levyrules.cli", "serve", "--token-file",
                        "/nonexistent/token"], capture_output=True, text=True)
    assert p.returncode == 2 and "token-file" in p.stderr and "Traceback" not in p.stderr


def test_a_java_style_h2c_upgrade_offer_keeps_its_body():
    """Java's HttpClient sends `Upgrade: h2c` with every cleartext POST; the body must
    still arrive (uvicorn's httptools path loses it: Kludex/uvicorn#2722)."""
    import socket
    data = json.dumps(contract_household("isesaki-2023-family.json")).encode()
    with live_server() as (base, _):
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(b"POST /v1/assess?tariff=isesaki/2023 HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                      b"HTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
                      b"Content-Type: application/json\r\n"
                      b"Content-Length: " + str(len(data)).encode() + b"\r\n\r\n" + data)
            answer = b""
            while b'"persons"' not in answer:
                chunk = s.recv(65536)
                if not chunk:
                    break
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"total":356500' in answer


def test_a_client_that_sends_the_whole_batch_before_reading_does_not_deadlock():
    """Most clients send the whole body, then read. When the answer fills the socket
    buffers before the body is all sent, the service must keep reading the body."""
    import socket
    household = json.dumps(contract_household("isesaki-2023-family.json")).encode()
    line = household + b" " * 20_000 + b"\n"            # JSON may end in blanks
    body = line * 3000                                    # 60 MB in, 20 MB out
    with live_server() as (base, _):
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
            s.sendall(b"POST /v1/batch?tariff=isesaki/2023 HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/x-ndjson\r\nConnection: close\r\n"
                      b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            answer = bytearray()
            while chunk := s.recv(1 << 20):
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 200")
    assert answer.count(b'"total":356500') == 3000


def test_tariff_path_adds_a_folder_before_the_shipped_tariffs(tmp_path):
    (tmp_path / "testcity").mkdir()
    (tmp_path / "testcity" / "2025.yaml").write_text(
        "extends: koriyama/2025\nmunicipality: {slug: testcity, name: 試験市}\n"
        "components:\n  medical: {income_rate: \"8.0%\"}\n"
        "status: unverified\nstatus_note: a test's what-if\n"
        "provenance:\n  - {title: test, url: \"https://example.invalid/\", date: 2026-11-30}\n",
        encoding="utf-8")
    data = {**contract_household("isesaki-2023-family.json"), "fiscal_year": 2025}
    for p in data["persons"]:
        p["insured"] = [{"from": "2025-04-01", "until": None}]
    with live_server("--tariff-path", str(tmp_path)) as (base, _):
        ids = [t["id"] for t in httpx.get(base + "/v1/tariffs").json()["tariffs"]]
        assert "testcity/2025" in ids and "koriyama/2025" in ids
        ours = httpx.post(base + "/v1/assess?tariff=testcity/2025", json=data).json()
        theirs = httpx.post(base + "/v1/assess?tariff=koriyama/2025", json=data).json()
    assert ours["components"]["medical"]["income_levy"] > theirs["components"]["medical"]["income_levy"]
