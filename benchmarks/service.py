"""Load test of `levyrules serve` on loopback (bounded; nothing is asserted).

    python benchmarks/service.py [--requests 20000] [--concurrency 50] [--workers 2]
                                 [--batch 20000] [--runs 3] [--http h11|httptools]
                                 [--json [PATH]]

1. POST /v1/assess: `--requests` requests over `--concurrency` keep-alive connections
   to a server started with `--workers` processes, cycling through 1,000 synthetic
   households (benchmarks/population.py, tariff koriyama/2025). The client is a small
   asyncio HTTP/1.1 loop (one process, far lighter than an HTTP library), so most of
   the two cores go to the server. Reported: requests/s, median and p99 latency,
   errors (any status other than 200 or a short read), and the workers' RSS before and
   after each run (memory flat = no growth across runs).
2. POST /v1/batch: `--batch` households as one JSON Lines request, streamed back, against
   the in-process path the endpoint runs (levyrules.serve.batch.run_lines) on the same
   lines (the ratio is the cost of HTTP), and against `levyrules batch --workers 1` on
   the same JSON Lines file (process start and the Parquet file included; skipped
   without the batch extra).

Each figure is the median of `--runs` runs after a warm-up. Loopback only: the server
binds 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from population import generate  # noqa: E402

TARIFF = "koriyama/2025"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(workers: int, http: str = "h11"):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "levyrules.cli", "serve", "--port", str(port),
                             "--workers", str(workers), "--http", http], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=HERE.parent)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(100).startswith(b"HTTP/1.1 200"):
                    # every worker up: one answers; give the others their start time
                    time.sleep(1.0 if workers > 1 else 0)
                    return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _workers_rss(pid: int) -> list[int]:
    """RSS (KiB) of the server's worker processes (or of the server when it has none)."""
    return [_rss_kib(k) for k in _worker_pids(pid)]


def _cpu_seconds(pids: list[int]) -> float:
    """utime + stime of processes (from /proc), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total / tick


def _worker_pids(pid: int) -> list[int]:
    try:
        kids = [int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        kids = []
    return [k for k in kids if _rss_kib(k) > 20_000] or [pid]


def _client_cpu() -> float:
    t = os.times()
    return t.user + t.system


def _requests(port: int, households: list[dict]) -> list[bytes]:
    out = []
    for h in households:
        body = json.dumps(h, separators=(",", ":")).encode()
        out.append(f"POST /v1/assess?tariff={TARIFF} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                   .encode() + body)
    return out


async def _load(port: int, reqs: list[bytes], total: int, concurrency: int) -> dict:
    latencies: list[int] = []
    errors = {"n": 0}
    counter = {"next": 0}

    async def conn():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while counter["next"] < total:
                i = counter["next"]
                counter["next"] += 1
                t0 = time.perf_counter_ns()
                writer.write(reqs[i % len(reqs)])
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length)
                latencies.append(time.perf_counter_ns() - t0)
                if not head.startswith(b"HTTP/1.1 200") or b'"total"' not in body:
                    errors["n"] += 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    results = await asyncio.gather(*(conn() for _ in range(concurrency)), return_exceptions=True)
    seconds = time.perf_counter() - t0
    errors["n"] += sum(1 for r in results if isinstance(r, Exception))
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] / 1e6  # noqa: E731
    return {"requests": len(latencies), "seconds": seconds, "rps": len(latencies) / seconds,
            "median_ms": p(0.5), "p99_ms": p(0.99), "errors": errors["n"]}


def bench_assess(args) -> dict:
    proc, port = _start(args.workers, args.http)
    try:
        reqs = _requests(port, generate(1000, 2025, seed=13))
        asyncio.run(_load(port, reqs, 2000, args.concurrency))          # warm-up
        runs = []
        for _ in range(args.runs):
            before = _workers_rss(proc.pid)
            pids = _worker_pids(proc.pid)
            s0, c0 = _cpu_seconds(pids), _client_cpu()
            r = asyncio.run(_load(port, reqs, args.requests, args.concurrency))
            r["server_cpu_us"] = (_cpu_seconds(pids) - s0) / r["requests"] * 1e6
            r["client_cpu_us"] = (_client_cpu() - c0) / r["requests"] * 1e6
            r["rss_kib_before"], r["rss_kib_after"] = before, _workers_rss(proc.pid)
            runs.append(r)
            print(f"  assess run: {r['rps']:,.0f} req/s, p99 {r['p99_ms']:.2f} ms, "
                  f"errors {r['errors']}, worker RSS {before} → {r['rss_kib_after']} KiB",
                  file=sys.stderr)
    finally:
        proc.terminate()
        proc.wait(20)
    med = lambda k: statistics.median(r[k] for r in runs)  # noqa: E731
    cores = min(os.cpu_count() or 1, args.workers)
    return {"workers": args.workers, "concurrency": args.concurrency,
            "requests_per_run": args.requests, "rps": med("rps"), "median_ms": med("median_ms"),
            "p99_ms": med("p99_ms"), "errors": sum(r["errors"] for r in runs),
            "server_cpu_us": med("server_cpu_us"), "client_cpu_us": med("client_cpu_us"),
            # what the same CPU cost gives when the machine does nothing else: the
            # workers' cores shared with the client that loads them
            "idle_projection_rps": cores / ((med("server_cpu_us") + med("client_cpu_us")) / 1e6),
            "load_average": os.getloadavg(), "runs": runs}


def _cli_batch(body: bytes, runs: int) -> float | None:
    """Median wall time of `levyrules batch` (one worker, JSON Lines → Parquet) on the
    same households, or None when the batch extra is not installed."""
    import tempfile
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return None
    times = []
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "households.jsonl"
        src.write_bytes(body)
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "levyrules.cli", "batch", str(src), "--tariff",
                            TARIFF, "--out", str(Path(d) / "out.parquet"), "--workers", "1"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_batch(args) -> dict:
    import httpx
    from levyrules.serve.batch import run_lines
    lines = [json.dumps(h, separators=(",", ":")).encode()
             for h in generate(args.batch, 2025, seed=11)]
    body = b"\n".join(lines) + b"\n"
    proc, port = _start(1, args.http)
    http, local = [], []
    try:
        for k in range(args.runs + 1):                                   # first: warm-up
            t0 = time.perf_counter()
            n = bad = 0
            with httpx.Client(timeout=600) as c:
                with c.stream("POST", f"http://127.0.0.1:{port}/v1/batch?tariff={TARIFF}",
                              content=body, headers={"content-type": "application/x-ndjson"}) as r:
                    for line in r.iter_lines():
                        n += 1
                        bad += '"problem"' in line
            t_http = time.perf_counter() - t0
            t0 = time.perf_counter()
            m = sum(1 for _ in run_lines(lines, TARIFF))
            t_local = time.perf_counter() - t0
            if k:
                http.append((t_http, n, bad))
                local.append((t_local, m))
                print(f"  batch run: HTTP {n / t_http:,.0f}/s, in-process {m / t_local:,.0f}/s, "
                      f"problems {bad}", file=sys.stderr)
    finally:
        proc.terminate()
        proc.wait(20)
    th = statistics.median(t for t, _, _ in http)
    tl = statistics.median(t for t, _ in local)
    tc = _cli_batch(body, args.runs)
    return {"households": args.batch, "http_per_s": args.batch / th,
            "in_process_per_s": args.batch / tl, "ratio": th / tl,
            "cli_batch_per_s": args.batch / tc if tc else None,
            "ratio_cli": th / tc if tc else None,
            "lines_out": [n for _, n, _ in http], "problems": sum(b for _, _, b in http)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--http", choices=("h11", "httptools"), default="h11",
                    help="the server's HTTP parser (levyrules serve --http)")
    ap.add_argument("--json", nargs="?", const="-", metavar="PATH")
    args = ap.parse_args(argv)
    a = bench_assess(args)
    b = bench_batch(args)
    env = {"python": platform.python_version(), "machine": platform.machine(),
           "cpus": os.cpu_count()}
    rss = [r["rss_kib_after"] for r in a["runs"]]
    print(f"POST /v1/assess ({args.http}, {a['workers']} workers, {a['concurrency']} connections, "
          f"{a['requests_per_run']:,} requests × {args.runs}): {a['rps']:,.0f} req/s, "
          f"median {a['median_ms']:.2f} ms, p99 {a['p99_ms']:.2f} ms, errors {a['errors']}, "
          f"worker RSS after each run {rss} KiB")
    print(f"  CPU per request: server {a['server_cpu_us']:.0f} µs, client {a['client_cpu_us']:.0f} µs"
          f" → {a['idle_projection_rps']:,.0f} req/s on {min(os.cpu_count() or 1, args.workers)} "
          f"otherwise idle cores; load average during the run {a['load_average'][0]:.1f}")
    print(f"POST /v1/batch ({b['households']:,} households): {b['http_per_s']:,.0f}/s over HTTP, "
          f"{b['in_process_per_s']:,.0f}/s in-process, HTTP/in-process time {b['ratio']:.2f}×, "
          f"problems {b['problems']}")
    if b["cli_batch_per_s"]:
        print(f"  `levyrules batch --workers 1` (JSON Lines → Parquet, process start included): "
              f"{b['cli_batch_per_s']:,.0f}/s; HTTP/CLI time {b['ratio_cli']:.2f}×")
    if args.json:
        text = json.dumps({"env": env, "assess": a, "batch": b}, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
