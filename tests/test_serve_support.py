"""Shared pieces of the service tests (no tests here): an in-process httpx client over
the ASGI transport, and a real `levyrules serve` on 127.0.0.1 at a free port."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).parents[1]
CONTRACT = Path(__file__).parent / "contract"


def call(app, method: str, url: str, **kw) -> httpx.Response:
    """One request to `app` in-process, through httpx's ASGI transport."""
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            r = await c.request(method, url, **kw)
            await r.aread()
            return r
    return asyncio.run(go())


def contract_cases() -> list[dict]:
    import yaml
    return yaml.safe_load((CONTRACT / "expected.yaml").read_text(encoding="utf-8"))


def contract_household(name: str) -> dict:
    return json.loads((CONTRACT / name).read_text(encoding="utf-8"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def live_server(*args: str, workers: int = 1):
    """`levyrules serve` in a subprocess; yields (base url, process). Its stderr (the
    logs) is in `process.log_text` after the block."""
    port = free_port()
    log = (Path(os.environ.get("TMPDIR", "/tmp")) / f"levyrules-serve-{port}.log")
    fh = log.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "levyrules.cli", "serve", "--port", str(port),
                             "--workers", str(workers), *args],
                            cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("levyrules serve did not start: " + log.read_text()[-2000:])
            time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        fh.close()
        proc.log_text = log.read_text(encoding="utf-8", errors="replace")
        log.unlink()
