"""POST /v1/batch: JSON Lines in, JSON Lines out, streamed.

Each input line is one household; each output line is ``{"line": n, "assessment": …}``
or ``{"line": n, "problem": …}`` (a problem detail for that household alone), in input
order, and the stream goes on. Lines are read as the body arrives, so memory stays
bounded by one chunk and one line whatever the number of households.
"""

from __future__ import annotations

import asyncio

from starlette.requests import ClientDisconnect, Request

from ..errors import LevyError
from .api import H_ENGINE, H_SHA, H_TARIFF, assess_one, dumps, flag, note
from .body import declared_length, parse_json
from .problems import ENGINE, Problem, from_error
from . import tariffs

MEDIA = "application/x-ndjson"
_ACCEPTED = ("", MEDIA, "application/jsonl", "application/json-lines", "application/json",
             "text/plain")


def one_line(raw: bytes, n: int, ref: str | None, opts: dict, log) -> bytes:
    """The output line for input line `n`; never raises."""
    try:
        data = parse_json(raw, f"line {n}")
        out, _, text = assess_one(data, ref, **opts)
        line = {"line": n, "assessment": out}
        if text is not None:
            line["explanation"] = text
        return dumps(line) + b"\n"
    except Problem as p:
        return dumps({"line": n, "problem": p.to_json()}) + b"\n"
    except LevyError as e:
        return dumps({"line": n, "problem": from_error(e).to_json()}) + b"\n"
    except Exception as e:   # a bug of ours: the household gets a problem, the stream goes on
        log.error("batch line failed: internal error (%s)", type(e).__name__)
        return dumps({"line": n, "problem": Problem(500, "internal").to_json()}) + b"\n"


def run_lines(lines, ref: str | None = None, log=None, **opts):
    """In-process batch: an iterable of JSON lines (bytes) → output lines (bytes).
    The same function the endpoint streams through."""
    import logging
    log = log or logging.getLogger("levyrules.serve")
    for n, raw in enumerate(lines, 1):
        if raw.strip():
            yield one_line(raw, n, ref, opts, log)


def _too_long(n: int, limit: int) -> bytes:
    return dumps({"line": n, "problem": Problem(413, "too-large",
                                                f"the line is over the limit of {limit} bytes"
                                                ).to_json()}) + b"\n"


async def _chunks(request, cfg, counter: dict):
    """The body's chunks, read by a task of their own so that reading never waits for
    sending: a client that sends the whole body before it reads the answer (most do)
    would otherwise deadlock against a full response buffer. What is read ahead is
    bounded by the body limit; a client that reads as it sends keeps it small."""
    queue: asyncio.Queue = asyncio.Queue()

    async def read():
        total = 0
        try:
            async for chunk in request.stream():
                total += len(chunk)
                if total > cfg.max_batch_body:
                    counter["cut"] = True
                    break
                queue.put_nowait(chunk)
        except ClientDisconnect:
            counter["gone"] = True
        finally:
            queue.put_nowait(None)

    task = asyncio.ensure_future(read())
    try:
        while (chunk := await queue.get()) is not None:
            yield chunk
    finally:
        task.cancel()


async def _lines(request, cfg, counter: dict):
    """(line number, bytes or None when over the line limit) as the body streams in."""
    buf = bytearray()
    n, skipping = 0, False
    async for chunk in _chunks(request, cfg, counter):
        buf += chunk
        while True:
            i = buf.find(b"\n")
            if i < 0:
                if len(buf) > cfg.max_line and not skipping:
                    n += 1
                    skipping = True
                    yield n, None
                if skipping:
                    buf.clear()
                break
            line = bytes(buf[:i])
            del buf[:i + 1]
            if skipping:
                skipping = False
                continue
            n += 1
            yield n, (None if len(line) > cfg.max_line else line)
    if buf.strip() and not skipping:
        n += 1
        yield n, (None if len(buf) > cfg.max_line else bytes(buf))


class Endpoint:
    """A plain ASGI endpoint (Starlette wraps a bare function as request → response): it
    reads the body while it sends the answer, which a StreamingResponse cannot do (it
    listens for a disconnect on the same channel)."""

    async def __call__(self, scope, receive, send):
        await _batch(scope, receive, send)


batch_endpoint = Endpoint()


async def _batch(scope, receive, send):
    request = Request(scope, receive)
    cfg = request.app.state.config
    declared_length(request, cfg.max_batch_body)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in _ACCEPTED:
        raise Problem(415, "unsupported-media-type", f"send {MEDIA} (one household per line)")
    ref = request.query_params.get("tariff")
    tariff = tariffs.get(ref) if ref else None
    opts = {"trace": flag(request, "trace"), "strict": flag(request, "strict"),
            "explain": request.query_params.get("explain") == "ja"}
    note(request, households=0, tariff=tariff)
    headers = [(b"content-type", MEDIA.encode()), (H_ENGINE.lower().encode(), ENGINE.encode())]
    if tariff is not None:
        headers += [(H_SHA.lower().encode(), tariff.sha256.encode()),
                    (H_TARIFF.lower().encode(), tariff.id.encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    async for part in _body(request, cfg, ref, opts):
        await send({"type": "http.response.body", "body": part, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _body(request, cfg, ref, opts):
    log = request.app.state.log
    counter = {"households": 0}
    out = []
    async for n, raw in _lines(request, cfg, counter):
        if counter["households"] >= cfg.max_batch_lines:
            counter["cut"] = True
            break
        if raw is not None and not raw.strip():
            continue
        counter["households"] += 1
        out.append(_too_long(n, cfg.max_line) if raw is None
                   else one_line(raw, n, ref, opts, log))
        if len(out) >= 64:
            note(request, households=counter["households"])
            yield b"".join(out)
            out.clear()
    note(request, households=counter["households"])
    if out:
        yield b"".join(out)
    if counter.get("cut"):
        p = Problem(413, "too-large", f"the batch is over its limit ({cfg.max_batch_body} "
                                      f"bytes, {cfg.max_batch_lines} households): the "
                                      "households after this line were not read")
        yield dumps({"line": None, "problem": p.to_json()}) + b"\n"
