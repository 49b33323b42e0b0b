"""`levyrules serve`: the subcommand, registered by cli.build_parser.

Imports nothing beyond the standard library until it runs, so the command line works
without the ``serve`` extra; running it without the extra says how to install it.
"""

from __future__ import annotations

import argparse
import os

from ..errors import LevyError


class ExtraMissing(LevyError):
    """`levyrules serve` needs the serve extra."""


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def _workers(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) <= 64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of workers (1-64)")
    return int(text)


def cmd_serve(args) -> int:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
        import jinja2  # noqa: F401
    except ImportError:
        raise ExtraMissing("serve needs the serve extra: pip install 'levyrules[serve]'") from None
    if args.http == "httptools":
        try:
            import httptools  # noqa: F401
        except ImportError:
            raise ExtraMissing("--http httptools needs httptools: pip install httptools") from None
    from ..serve.app import run
    from ..serve.config import ServeConfig
    return run(ServeConfig(host=args.host, port=args.port, workers=args.workers,
                           token_file=args.token_file,
                           tariff_path=os.pathsep.join(args.tariff_path) if args.tariff_path else None,
                           cors_origins=tuple(args.cors_origin or ()), http=args.http))


def add_parser(sub) -> None:
    s = sub.add_parser("serve", help="serve the JSON API and the 試算 page over HTTP")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only)")
    s.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    s.add_argument("--workers", type=_workers, default=1, help="worker processes (default 1)")
    s.add_argument("--token-file", metavar="FILE",
                   help="require 'Authorization: Bearer TOKEN' on /v1, the token read from FILE")
    s.add_argument("--tariff-path", metavar="DIR", action="append",
                   help="folder of tariffs (DIR/<slug>/<FY>.yaml) searched before the shipped "
                        "ones (repeatable)")
    s.add_argument("--cors-origin", action="append", metavar="ORIGIN",
                   help="allow browser calls from this origin (repeatable; default: none)")
    s.add_argument("--http", choices=("h11", "httptools"), default="h11",
                   help="HTTP/1.1 parser: h11 (default; reads the body of a request that offers "
                        "Upgrade: h2c, as Java clients do) or httptools (faster; only behind a "
                        "proxy that drops Upgrade)")
    s.set_defaults(func=cmd_serve)
