"""smtplib with a deadline per step, so a server that trickles its answer (a tarpit) cannot hold a run.

smtplib's `timeout` bounds each socket read, and a server sending one "220-" line a second never trips it.
Here every step — connecting and the greeting, each command and its whole (multi-line) reply, the message
content and its final reply — must finish within `step_seconds` of starting, read by read.
The session also notes when a message's content has been handed over and only its final reply is awaited:
a failure then leaves the message in doubt (the server may have accepted it).
"""

from __future__ import annotations

import smtplib
import socket
import time
from typing import IO, Any

MIN_TRANSFER_RATE = 32 * 1024  # bytes per second granted, beyond step_seconds, to hand over a message's content


class StepTimeout(TimeoutError):
    """The server did not complete one step in time."""


class _BoundedReader:
    """The reply stream: every read may wait only for what is left of the current step."""

    def __init__(self, raw: IO[bytes], session: _Deadlines) -> None:
        self.raw = raw
        self.session = session

    def readline(self, limit: int = -1) -> bytes:
        self.session.wait_budget()
        return self.raw.readline(limit)

    def close(self) -> None:
        self.raw.close()


class _Deadlines(smtplib.SMTP):
    """The deadline bookkeeping shared by the plain and the implicit-TLS session."""

    step_seconds: float = 30.0
    content_sent = False  # the current message's content went out; only its final reply is missing
    _deadline = float("inf")
    _data_replies = -1  # replies read since DATA was sent; -1 outside DATA

    def _arm(self, extra: float = 0.0) -> None:
        self._deadline = time.monotonic() + self.step_seconds + extra

    def wait_budget(self) -> float:
        """Seconds left in this step (the socket's timeout is set to it); StepTimeout when none."""
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise StepTimeout(f"no complete answer within {self.step_seconds:g} s")
        if self.sock is not None:
            self.sock.settimeout(left)
        return left

    def connect(self, host: str = "localhost", port: int = 0, source_address: Any = None) -> tuple[int, bytes]:
        self._arm()  # connecting, TLS of an implicit-TLS session and the whole greeting
        self._host = host  # what TLS verifies the certificate against (smtplib sets it only in __init__)
        return super().connect(host, port, source_address)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise StepTimeout(f"no connection within {self.step_seconds:g} s")
        return super()._get_socket(host, port, min(timeout, left))  # type: ignore[misc]

    def putcmd(self, cmd: str, args: str = "") -> None:
        self._arm()
        super().putcmd(cmd, args)

    def send(self, s: Any) -> None:
        if self._data_replies == 1:  # DATA was answered 354: this is the content, then the final reply
            self._arm(len(s) / MIN_TRANSFER_RATE)
        if self.sock is not None:
            self.wait_budget()
        super().send(s)

    def getreply(self) -> tuple[int, bytes]:
        if self._data_replies >= 0:
            self._data_replies += 1
            if self._data_replies == 2:
                self.content_sent = True
        if self.file is None and self.sock is not None:
            self.file = _BoundedReader(self.sock.makefile("rb"), self)
        return super().getreply()

    def data(self, msg: Any) -> tuple[int, bytes]:
        self._data_replies = 0
        try:
            return super().data(msg)
        finally:
            self._data_replies = -1

    def new_message(self) -> None:
        """Called before each message: nothing of it has been handed over yet."""
        self.content_sent = False


class BoundedSMTP(_Deadlines):
    """A plain (or STARTTLS) session with a deadline per step."""


class BoundedSMTPSSL(_Deadlines, smtplib.SMTP_SSL):
    """An implicit-TLS session with a deadline per step."""
