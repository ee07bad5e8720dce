"""Log line format for the console: officers get one line per event, tracebacks only with --debug."""

from __future__ import annotations

import logging
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATEFMT = "%H:%M:%S"


class ConsoleFormatter(logging.Formatter):
    """Without `tracebacks`, an exception is summarised on the same line ("… (KeyError: 'x')")."""

    def __init__(self, tracebacks: bool) -> None:
        super().__init__(FORMAT, DATEFMT)
        self.tracebacks = tracebacks

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


def console_handler(stream: TextIO, level: int) -> logging.Handler:
    """A stream handler whose format follows the level: tracebacks at DEBUG (--debug) only."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ConsoleFormatter(tracebacks=level <= logging.DEBUG))
    return handler
