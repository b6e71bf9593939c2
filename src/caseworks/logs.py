"""Logging for ``serve`` and ``worker``: uvicorn's format, plus our own loggers.

The access log (``caseworks.access``) writes method, path, status, duration and request id: never
query strings, bodies or tokens, which may carry personal data.
"""

from __future__ import annotations

import copy
from typing import Any

from uvicorn.config import LOGGING_CONFIG


def log_config(level: str) -> dict[str, Any]:
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["caseworks"] = {
        "handlers": ["default"],
        "level": level.upper(),
        "propagate": False,
    }
    return config
