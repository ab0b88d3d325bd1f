"""Log output: readable lines for people (`make run`), JSON lines for machines.

CHORUS_LOG_FORMAT=json gives one JSON object per line, with the fields given
as `extra=` (the access log's method, code, duration_ms, tenant_id,
request_id). Nothing here ever sees a token or password: the interceptors
log names and codes only.
"""

import logging
import sys
from collections.abc import Mapping

from pythonjsonlogger.json import JsonFormatter

from chorus_core import config
from chorus_core.config import ConfigError

FORMATS = ("text", "json")


def log_format(env: Mapping[str, str]) -> str:
    value = config.text(env, "CHORUS_LOG_FORMAT").lower()
    if value not in FORMATS:
        raise ConfigError(f"CHORUS_LOG_FORMAT must be text or json, got {value!r}")
    return value


def configure_logging(fmt: str, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
