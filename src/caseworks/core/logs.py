"""Logging for ``serve`` and ``worker``: uvicorn's own loggers as uvicorn sets them, ours plainer.

The access log (``caseworks.access``) writes method, path, status, duration and request id: never
query strings, bodies or tokens, which may carry personal data. It runs once per request, so it is
kept cheap: a plain formatter, no caller, thread or process lookup per record (the logging HOWTO's
"Optimization" section), and lines written in batches at least once a second rather than one
system call each (as nginx's ``access_log … buffer= flush=1s``). Each of these cost more than the
query behind a hot read.

Every record's message is escaped as it is formatted: a control character (C0, DEL, C1), a line
or paragraph separator, a bidirectional or zero-width format character becomes ``\\xNN`` or
``\\uNNNN`` (and a backslash ``\\\\``), so a value from a request (a percent-decoded path, an SMTP
server's echo of an address) can neither start a forged line nor send escape codes to a terminal.
Traceback lines are indented, so only a record's first line starts at column 0.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from typing import Any, TextIO

from uvicorn.config import LOGGING_CONFIG

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_config(level: str) -> dict[str, Any]:
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None  # no stack walk to find the caller of each record
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["caseworks"] = {
        "()": "caseworks.core.logs.UTCFormatter",
        "fmt": LINE_FORMAT,
    }
    config["handlers"]["caseworks"] = {
        "class": "logging.StreamHandler",
        "formatter": "caseworks",
        "stream": "ext://sys.stderr",
    }
    config["handlers"]["caseworks_access"] = {
        "()": "caseworks.core.logs.BatchingStreamHandler",
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


def escape(text: str) -> str:
    """``text`` with every character that is not printable, and the backslash, escaped."""
    # The common case, printable text without a backslash, costs two scans in C.
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(_escaped(char) for char in text)


def _escaped(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if char.isprintable():
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


class UTCFormatter(logging.Formatter):
    """Times in UTC as ``2026-11-22T14:30:08.645Z``; the part up to the second is formatted once
    a second, not once a line. Messages are escaped (see the module's docstring)."""

    def __init__(self, fmt: str | None = None) -> None:
        super().__init__(fmt)
        self._second = -1
        self._prefix = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return self.utc_time(record.created)

    def utc_time(self, created: float) -> str:
        second = int(created)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{int((created - second) * 1000):03d}Z"

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        text = super().formatException(ei)
        return "\n".join("  " + escape(line) for line in text.split("\n"))

    def formatStack(self, stack_info: str) -> str:
        return "\n".join("  " + escape(line) for line in stack_info.split("\n"))


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

    def add_line(self, line: str) -> None:
        """A line formatted already (see `AccessLog`), kept with the others."""
        with self.lock:  # type: ignore[union-attr]
            self._pending.append(line)
            self._pending_size += len(line)
            if self._pending_size >= self._max_pending:
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


class AccessLog:
    """The access log's one line per request.

    Where the logger is configured as `log_config` sets it (our batching handler with our
    formatter, nothing else), the line is formatted here, exactly as the formatter would, and
    handed to the handler: a `LogRecord` and the formatter's steps cost a fifth of a hot read's
    CPU. Anywhere else (tests capturing records, an operator's own logging configuration) it is a
    normal record through the logging machinery.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def request(self, method: str, path: str, status: int, ms: float, request_id: str) -> None:
        logger = self.logger
        if not logger.isEnabledFor(logging.INFO):
            return
        handler = self._direct_handler()
        if handler is None:
            logger.info("%s %s %d %.1fms request_id=%s", method, path, status, ms, request_id)
            return
        formatter: UTCFormatter = handler.formatter  # type: ignore[assignment]
        message = escape(f"{method} {path} {status} {ms:.1f}ms request_id={request_id}")
        when = formatter.utc_time(time.time())
        handler.add_line(f"{when} INFO {logger.name}: {message}{handler.terminator}")

    def _direct_handler(self) -> BatchingStreamHandler | None:
        logger = self.logger
        if logger.propagate or logger.filters or len(logger.handlers) != 1:
            return None
        handler = logger.handlers[0]
        if (
            type(handler) is BatchingStreamHandler
            and type(handler.formatter) is UTCFormatter
            and handler.formatter._fmt == LINE_FORMAT
            and not handler.filters
            and handler.level <= logging.INFO
        ):
            return handler
        return None


def flush() -> None:
    """Write out pending lines: at shutdown, where the server may end by re-raising its signal
    (so no exit handlers run)."""
    for name in ("caseworks", "caseworks.access"):
        for handler in logging.getLogger(name).handlers:
            handler.flush()
