"""Log line format for the console: officers get one Vietnamese line per event, tracebacks only with --debug."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # --debug: the developer's line
OFFICER_FORMAT = "%(asctime)s %(levelname)s: %(message)s"
DATEFMT = "%H:%M:%S"

Wording = Callable[[logging.LogRecord], str]  # a record → the line an officer reads


class ConsoleFormatter(logging.Formatter):
    """Without `tracebacks`, an exception is summarised on the same line ("… (KeyError: 'x')"); with a
    `wording`, the message and the level name are the officer's (Vietnamese) and the logger name is left out."""

    def __init__(self, tracebacks: bool, wording: Wording | None = None,
                 levels: Mapping[int, str] | None = None) -> None:
        super().__init__(OFFICER_FORMAT if wording is not None else FORMAT, DATEFMT)
        self.tracebacks = tracebacks
        self.wording = wording
        self.levels = dict(levels or {})

    def formatMessage(self, record: logging.LogRecord) -> str:
        if self.wording is None:
            return super().formatMessage(record)
        shown = logging.makeLogRecord(record.__dict__)
        shown.message = self.wording(record)
        shown.levelname = self.levels.get(record.levelno, record.levelname)
        return super().formatMessage(shown)

    def format(self, record: logging.LogRecord) -> str:
        if self.tracebacks or not (record.exc_info or record.stack_info):
            return super().format(record)
        saved = record.exc_info, record.exc_text, record.stack_info
        exc = record.exc_info[1] if record.exc_info else None
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        return f"{line} ({type(exc).__name__}: {exc})" if exc is not None else line


def console_handler(stream: TextIO, level: int, wording: Wording | None = None,
                    levels: Mapping[int, str] | None = None) -> logging.Handler:
    """A stream handler whose format follows the level: tracebacks at DEBUG (--debug) only; `wording`
    (ignored at DEBUG, where developers read the records as logged) gives the officer's lines."""
    handler = logging.StreamHandler(stream)
    debug = level <= logging.DEBUG
    handler.setFormatter(ConsoleFormatter(tracebacks=debug, wording=None if debug else wording, levels=levels))
    return handler
