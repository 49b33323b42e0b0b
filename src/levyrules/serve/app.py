"""The Starlette application and `levyrules serve` (uvicorn).

uvicorn runs with the h11 parser unless told otherwise: Java's HttpClient (and Spring's
RestClient) offer `Upgrade: h2c` on every cleartext request, and uvicorn's httptools
parser then loses the request body (Kludex/uvicorn#2722, open); h11 ignores the offer
and reads the body, as RFC 9110 §7.8 allows. `--http httptools` is faster and safe
behind a reverse proxy that does not pass `Upgrade` on (docs/service.md).

Starlette rather than FastAPI: the request and response shapes are the library's own
JSON Schemas, which the OpenAPI document embeds as they are; FastAPI would want them
re-declared as pydantic models (a second definition to keep in step) and bring pydantic.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .config import ENV, ServeConfig
from .logs import LOG_CONFIG, LOGGER, Guard
from .problems import MEDIA, Problem
from . import api, batch, openapi, page

HERE = Path(__file__).parent


def _problem_response(request, exc: Problem) -> Response:
    return Response(exc.body(), exc.status, {api.H_ENGINE: api.ENGINE, **exc.headers},
                    media_type=MEDIA)


def _http_error(request, exc: HTTPException) -> Response:
    kind = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "not-found")
    return _problem_response(request, Problem(exc.status_code, kind, headers=exc.headers))


def build(config: ServeConfig) -> Starlette:
    doc = openapi.document(auth=config.token_file is not None)
    body = api.dumps(doc)

    async def openapi_route(request):
        return Response(body, media_type="application/json")

    routes = [                                   # the busiest first: matched in order
        Route("/v1/assess", api.assess_route, methods=["POST"]),
        Route("/v1/batch", batch.batch_endpoint, methods=["POST"]),
        Route("/v1/revise", api.revise_route, methods=["POST"]),
        Route("/v1/tariffs", api.tariffs_route, methods=["GET"]),
        Route("/v1/tariffs/{slug}/{fy}", api.tariff_route, methods=["GET"]),
        Route("/healthz", api.healthz, methods=["GET"]),
        Route("/openapi.json", openapi_route, methods=["GET"]),
        Route("/", page.form, methods=["GET"]),
        Route("/", page.submit, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={Problem: _problem_response,
                                                       HTTPException: _http_error})
    log = logging.getLogger(LOGGER)
    app.state.config = config
    app.state.log = log
    app.add_middleware(Guard, token=config.token(), log=log)
    if config.cors_origins:   # off unless asked for, origin by origin
        from starlette.middleware.cors import CORSMiddleware
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                           allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    return app


def from_env() -> Starlette:
    """The factory uvicorn's worker processes call."""
    return build(ServeConfig.from_env())


def run(config: ServeConfig) -> int:
    import uvicorn
    config.token()                      # an unreadable token file fails here, once
    os.environ[ENV] = config.to_env()
    if config.tariff_path:          # searched before $LEVYRULES_TARIFFS and the shipped ones
        from ..tariff.paths import ENV as TARIFFS_ENV
        old = os.environ.get(TARIFFS_ENV)
        os.environ[TARIFFS_ENV] = os.pathsep.join(p for p in (config.tariff_path, old) if p)
    uvicorn.run("levyrules.serve.app:from_env", factory=True, host=config.host,
                port=config.port, workers=config.workers, log_config=LOG_CONFIG,
                access_log=False, server_header=False, http=config.http)
    return 0
