"""`levyrules serve`: the engine over HTTP for host systems, and the resident's 試算 page.

Needs the ``serve`` extra (``pip install 'levyrules[serve]'``): Starlette, uvicorn and
Jinja2. ``import levyrules`` never imports this package.

    from levyrules.serve import create_app, ServeConfig
    app = create_app(ServeConfig())          # an ASGI application
"""

from __future__ import annotations

from .config import ServeConfig

__all__ = ["ServeConfig", "create_app"]


def create_app(config: ServeConfig | None = None):
    """The ASGI application (Starlette) for `config` (default: the safe defaults)."""
    from .app import build
    return build(config or ServeConfig())
