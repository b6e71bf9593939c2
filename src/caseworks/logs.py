"""Logging for ``serve`` and ``worker``: uvicorn's own loggers as uvicorn sets them, ours plainer.

The access log (``caseworks.access``) writes method, path, status, duration and request id: never
query strings, bodies or tokens, which may carry personal data. It runs once per request, so it is
kept cheap: a plain formatter, no caller, thread or process lookup per record (the logging HOWTO's
"Optimization" section), and lines written in batches at least once a second rather than one
system call each (as nginx's ``access_log … buffer= flush=1s``). Each of these cost more than the
query behind a hot read.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from typing import Any, TextIO

from uvicorn.config import LOGGING_CONFIG


def log_config(level: str) -> dict[str, Any]:
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None  # no stack walk to find the caller of each record
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["caseworks"] = {
        "()": "caseworks.logs.UTCFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s: %(message)s",
    }
    config["handlers"]["caseworks"] = {
        "class": "logging.StreamHandler",
        "formatter": "caseworks",
        "stream": "ext://sys.stderr",
    }
    config["handlers"]["caseworks_access"] = {
        "()": "caseworks.logs.BatchingStreamHandler",
        "formatter": "caseworks",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["caseworks"] = {
        "handlers": ["caseworks"],
        "level": level.upper(),
        "propagate": False,
    }
    config["loggers"]["caseworks.access"] = {
        "handlers": ["caseworks_access"],
        "level": level.upper(),
        "propagate": False,
    }
    return config


class UTCFormatter(logging.Formatter):
    """Times in UTC as ``2026-11-22T14:30:08.645Z``; the part up to the second is formatted once
    a second, not once a line."""

    def __init__(self, fmt: str | None = None) -> None:
        super().__init__(fmt)
        self._second = -1
        self._prefix = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second = int(record.created)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{int(record.msecs):03d}Z"


class BatchingStreamHandler(logging.StreamHandler[TextIO]):
    """Collects lines and writes them together: when 64 kB are pending, when a warning or worse
    arrives, at least once a second, and at exit."""

    def __init__(
        self, stream: TextIO | None = None, interval: float = 1.0, max_pending: int = 65536
    ) -> None:
        super().__init__(stream)
        self._pending: list[str] = []
        self._pending_size = 0
        self._max_pending = max_pending
        self._interval = interval
        threading.Thread(target=self._flush_regularly, name="log-flush", daemon=True).start()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + self.terminator
        except Exception:
            self.handleError(record)
            return
        with self.lock:  # type: ignore[union-attr]
            self._pending.append(line)
            self._pending_size += len(line)
            if self._pending_size >= self._max_pending or record.levelno >= logging.WARNING:
                self._write_pending()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self._write_pending()

    def _write_pending(self) -> None:
        if self._pending:
            self.stream.write("".join(self._pending))
            self._pending.clear()
            self._pending_size = 0
        self.stream.flush()

    def _flush_regularly(self) -> None:
        while True:
            time.sleep(self._interval)
            self.flush()


def flush() -> None:
    """Write out pending lines: at shutdown, where the server may end by re-raising its signal
    (so no exit handlers run)."""
    for name in ("caseworks", "caseworks.access"):
        for handler in logging.getLogger(name).handlers:
            handler.flush()
