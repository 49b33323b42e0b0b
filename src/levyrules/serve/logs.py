"""Log policy: one line per request with what the operator needs and nothing personal.

Written: method, route (the template, never the raw path), status, household count,
tariff id, duration. Never written: the body, the query string, header values, ids,
error messages (a library message names a field, but may one day carry more) or a
traceback (it can hold values). An internal error is logged by exception type only.
"""

from __future__ import annotations

import hmac
import os
import logging
import re
import time

from .problems import ENGINE, Problem

_ENGINE_H = b"x-levyrules-engine"          # on every answer, the page and files included
_ENGINE_V = ENGINE.encode()

LOGGER = "levyrules.serve"

_ROUTES = [(re.compile(r"^/v1/tariffs/[^/]+/[^/]+$"), "/v1/tariffs/{slug}/{fy}")]
_FIXED = {"/", "/v1/assess", "/v1/revise", "/v1/batch", "/v1/tariffs", "/healthz",
          "/openapi.json", "/static/page.css", "/static/page.js"}

LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain",
                            "stream": "ext://sys.stderr"}},
    "loggers": {
        LOGGER: {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}


def route_of(path: str) -> str:
    if path in _FIXED:
        return path
    for pattern, template in _ROUTES:
        if pattern.match(path):
            return template
    return "(other)"


class Guard:
    """Outermost own middleware: bearer token for /v1, the access line, and a last
    net that turns any unexpected exception into a bare 500 without its text."""

    def __init__(self, app, token: bytes | None, log: logging.Logger):
        self.app = app
        self.token = token
        self.log = log

    def _authorised(self, scope) -> bool:
        if self.token is None or not scope["path"].startswith("/v1/"):
            return True
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, given = value.partition(b" ")
                if scheme.lower() == b"bearer":
                    return hmac.compare_digest(given.strip(), self.token)
        return False

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        state = {"status": 0}

        async def tracked(message):
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                headers = list(message.get("headers", ()))
                if not any(k.lower() == _ENGINE_H for k, _ in headers):
                    message = {**message, "headers": headers + [(_ENGINE_H, _ENGINE_V)]}
            await send(message)

        try:
            if not self._authorised(scope):
                await _send_problem(send, Problem(401, "unauthorized", "send Authorization: "
                                                  "Bearer TOKEN", None,
                                                  {"www-authenticate": 'Bearer realm="levyrules"'}),
                                    state)
            else:
                await self.app(scope, receive, tracked)
        except Exception as e:  # a bug of ours; the text of e may hold request values
            if os.environ.get("LEVYRULES_DEBUG"):
                raise
            self.log.error("internal error (%s) on %s %s", type(e).__name__, scope["method"],
                           route_of(scope["path"]))
            if not state["status"]:
                await _send_problem(send, Problem(500, "internal"), state)
        finally:
            info = scope.get("levyrules.log", {})
            self.log.info("%s %s status=%s households=%s tariff=%s ms=%.2f", scope["method"],
                          route_of(scope["path"]), state["status"] or "-",
                          info.get("households", "-"), info.get("tariff", "-"),
                          (time.perf_counter() - start) * 1000)


async def _send_problem(send, p: Problem, state: dict) -> None:
    from .problems import MEDIA
    state["status"] = p.status
    headers = [(b"content-type", MEDIA.encode()), (_ENGINE_H, _ENGINE_V)]
    headers += [(k.encode(), v.encode()) for k, v in p.headers.items()]
    await send({"type": "http.response.start", "status": p.status, "headers": headers})
    await send({"type": "http.response.body", "body": p.body()})
