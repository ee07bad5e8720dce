"""Console log lines: one line per event for officers, the traceback only with --debug."""

import io
import logging

from thidua.base.logfmt import console_handler


def _log_failure(level: int) -> str:
    stream = io.StringIO()
    logger = logging.getLogger("thidua.test-logfmt")
    logger.propagate = False
    handler = console_handler(stream, level)
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        try:
            {}["khong-co"]
        except KeyError:
            logger.exception("processing a.xlsx failed")
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_without_debug_an_exception_is_summarised_on_one_line():
    text = _log_failure(logging.WARNING)
    assert text.endswith("processing a.xlsx failed (KeyError: 'khong-co')\n")
    assert "Traceback" not in text and text.count("\n") == 1


def test_with_debug_the_traceback_is_kept():
    text = _log_failure(logging.DEBUG)
    assert "Traceback (most recent call last)" in text and "KeyError: 'khong-co'" in text
