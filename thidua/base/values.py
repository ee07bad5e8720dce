"""Missing values, defined once: NaN, None, NaT and numpy scalars become plain Python or None."""

from __future__ import annotations

import math
from typing import Any


def plain(value: Any) -> Any:
    """A plain Python value: numpy scalars unwrapped, NaN/inf/NaT → None, everything else as is."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes | list | dict | tuple):
        try:
            value = value.item()
        except (ValueError, TypeError):  # pandas NaT and friends
            return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if type(value).__name__ in ("NaTType", "NAType"):
        return None
    return value


def number_or_none(value: Any) -> float | None:
    """A finite float, or None for blanks, text and NaN (JSON and SQLite keep no NaN)."""
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def is_missing(value: Any) -> bool:
    """True when `value` is no usable number (None, NaN, inf, text)."""
    return number_or_none(value) is None


def text_or_empty(value: Any) -> str:
    """A string for text columns: None and NaN become ""."""
    value = plain(value)
    return "" if value is None else str(value)
