"""The service's settings and its safe defaults (loopback, limits, no CORS, no token).

Worker processes started by uvicorn re-create the app from the environment, so the
settings travel as one JSON environment variable; the bearer token itself never does:
only the path of the file holding it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import attrs

from ..errors import LevyError

ENV = "LEVYRULES_SERVE_CONFIG"

MAX_BODY = 1 << 20            # bytes of one /v1/assess, /v1/revise or form request
MAX_BATCH_BODY = 256 << 20    # bytes of one /v1/batch request
MAX_LINE = 1 << 20            # bytes of one JSON Lines household
MAX_BATCH_LINES = 1_000_000   # households in one /v1/batch request


class ConfigError(LevyError):
    """A `levyrules serve` option cannot be used (e.g. an unreadable token file)."""


@attrs.frozen
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    token_file: str | None = None
    tariff_path: str | None = None
    cors_origins: tuple = ()
    http: str = "h11"            # uvicorn's HTTP/1.1 parser: h11 (default) or httptools
    max_body: int = MAX_BODY
    max_batch_body: int = MAX_BATCH_BODY
    max_line: int = MAX_LINE
    max_batch_lines: int = MAX_BATCH_LINES

    def token(self) -> bytes | None:
        """The bearer token (stripped), or None when authentication is off."""
        if self.token_file is None:
            return None
        try:
            text = Path(self.token_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"--token-file: cannot be read ({type(e).__name__})") from None
        if len(text) < 16:
            raise ConfigError("--token-file: the token must be at least 16 characters")
        return text.encode()

    def to_env(self) -> str:
        return json.dumps(attrs.asdict(self))

    @staticmethod
    def from_env() -> "ServeConfig":
        raw = os.environ.get(ENV)
        if not raw:
            return ServeConfig()
        data = json.loads(raw)
        data["cors_origins"] = tuple(data.get("cors_origins") or ())
        return ServeConfig(**data)
