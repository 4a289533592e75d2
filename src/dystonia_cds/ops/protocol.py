"""The HTTP protocol `serve` runs: uvicorn's h11 implementation (whose header-size limit,
`h11_max_incomplete_event_size`, applies; the httptools one has none) with a request read
deadline that uvicorn lacks.

A connection must deliver a whole request (request line, headers and body) within
`read_timeout_s` of its first byte, or of opening the connection, or of the previous answer;
otherwise it is closed. A slow sender (slowloris) holds a connection for seconds, not forever.
Time spent by the application is not counted: the deadline stops once the request is read.

h11 applies its size limit only to a header block that arrived incomplete; one that arrives
whole in a single read (up to 256 KiB) would pass. The protocol therefore also refuses, with
431, any request whose header block is longer than `h11_max_incomplete_event_size`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)
DEFAULT_READ_TIMEOUT_S = 30.0
DEFAULT_HEADER_BYTES = 64 * 1024
TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain\r\n"
    b"connection: close\r\ncontent-length: 34\r\n\r\nRequest header fields too large.\r\n"
)


class GuardedH11Protocol(H11Protocol):
    """`H11Protocol` with a whole-request read deadline (class attribute, set by `serve`)."""

    read_timeout_s: float = float(
        os.environ.get("DYSTONIA_CDS_REQUEST_READ_TIMEOUT_S", DEFAULT_READ_TIMEOUT_S)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            if self._read_deadline is None:
                self._arm()
            if self._header_too_large(data):
                self._refuse_header()
                return
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE and self.conn.their_state is not h11.SEND_BODY:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.IDLE:
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _header_too_large(self, data: bytes) -> bool:
        limit = self.config.h11_max_incomplete_event_size or DEFAULT_HEADER_BYTES
        pending = self.conn.trailing_data[0] + data
        end = pending.find(b"\r\n\r\n")
        return end > limit or (end == -1 and len(pending) > limit)

    def _refuse_header(self) -> None:
        log.warning("refused a request whose header block is past the limit")
        self._disarm()
        if not self.transport.is_closing():
            self.transport.write(TOO_LARGE)
            self.transport.close()

    def _arm(self) -> None:
        self._disarm()
        self._read_deadline = self.loop.call_later(self.read_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _too_slow(self) -> None:
        self._read_deadline = None
        if not self.transport.is_closing():
            log.info("closed a connection that did not send a whole request in time")
            self.transport.close()
