"""uvicorn's httptools protocol with bounds on the request head and on how long it may take.

httptools gives uvicorn no limit on the size or the number of request headers and no deadline for
a head that never ends: an 8 MB header and 200,000 headers were answered 200, each unfinished
header grew the process by its full size, and a connection that sent nothing was held for ever.
This protocol adds those bounds (answering 431, or closing the connection) and takes its
keep-alive timeout from our settings; uvicorn's ``limit_concurrency`` bounds the connections.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from caseworks.config import Settings

logger = logging.getLogger("caseworks.web.serving")


@functools.cache
def _limits() -> Settings:
    """The settings, read once per process (not per connection); every worker has the same
    environment."""
    return Settings.from_env()


class HeadTooLarge(Exception):
    """Raised inside the parser's callbacks, so that httptools stops parsing at once."""


_431 = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 31\r\n"
    b"connection: close\r\n"
    b"\r\n"
    b"Request Header Fields Too Large"
)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """Counts the bytes and the fields of each request head; closes a head that takes too long.

    Two counts bound the head's size, each never more than its true size: the URL and the header
    fields httptools has handed over, and the bytes of whole reads that arrived while the head was
    unfinished. The second is what stops one endless header: httptools keeps an unfinished field
    in memory until it ends, and hands over nothing meanwhile.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = _limits()
        self.max_head_bytes = limits.max_header_bytes
        self.max_head_fields = limits.max_headers
        self.head_timeout = limits.header_timeout_seconds
        self.timeout_keep_alive = limits.keepalive_timeout_seconds  # type: ignore[assignment]
        self.in_head = False
        self.head_number = 0  # which request of the connection; a read may start the next one
        self.head_bytes = 0  # bytes handed over by httptools: URL, field names and values
        self.head_reads = 0  # bytes of whole reads inside one unfinished head
        self.head_fields = 0
        self.head_refused = False
        self.head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()  # a connection that never sends a byte is closed as well

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.head_refused:
            return
        within_head, number = self.in_head, self.head_number
        super().data_received(data)
        if self.head_refused:
            return
        if within_head and self.in_head and number == self.head_number:
            self.head_reads += len(data)
            if self.head_reads > self.max_head_bytes:
                self._refuse_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_head = True
        self.head_number += 1
        self.head_bytes = self.head_reads = self.head_fields = 0
        if self.head_timer is None:  # after a keep-alive wait; the first request's runs already
            self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        self._count(len(url), fields=0)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value), fields=1)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.in_head = False
        self._cancel_head_timer()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        # uvicorn answers any parser error with 400; ours, raised by `_count`, is a 431.
        if self.head_refused:
            self._write_431()
        else:
            super().send_400_response(msg)

    def _count(self, size: int, fields: int) -> None:
        self.head_bytes += size
        self.head_fields += fields
        if self.head_bytes > self.max_head_bytes or self.head_fields > self.max_head_fields:
            self.head_refused = True
            raise HeadTooLarge

    def _refuse_head(self) -> None:
        self.head_refused = True
        self._write_431()

    def _write_431(self) -> None:
        """Answers 431, then reads and drops what the client still sends, for a bounded time.

        Closing at once, with the client's bytes still arriving, would make the kernel reset the
        connection, and the client would lose the answer unread (hence nginx's lingering close).
        """
        self._cancel_head_timer()
        logger.warning("request head over the limit from %s: 431", self.client)
        if self.transport.is_closing():
            return
        self.transport.write(_431)
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self._arm_head_timer()  # `data_received` drops everything from now on
        else:
            self.transport.close()

    def _arm_head_timer(self) -> None:
        self.head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if not self.transport.is_closing():
            self.transport.close()
