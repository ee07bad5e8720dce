"""A sheet's cell values as the reader sees them, and how a raw value is quoted back to the officer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from thidua.base.cellref import column_letters

MAX_MAGNITUDE = 1e15  # a figure this large is a typing accident (and would print as 16 digits)


@dataclass
class Grid:
    """A sheet's values from (A1) on, its merged ranges, formula cells without a stored value, percent cells."""

    name: str
    rows: Sequence[Sequence[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (1-based)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → formula text
    percent: set[tuple[int, int]] = field(default_factory=set)  # cells formatted as a percentage
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # cells showing "#N/A" etc. (read as "")

    def raw(self, row: int, col: int) -> object:
        """The value at 1-based (row, col); "" outside the used area; strings stripped."""
        if row > len(self.rows) or col > len(self.rows[row - 1]):
            return ""
        value = self.rows[row - 1][col - 1]
        return value.strip() if isinstance(value, str) else value

    def where(self, row: int, col: int) -> str:
        return f"{self.name}!{column_letters(col)}{row}"


def is_blank(value: object) -> bool:
    return value is None or value == ""


def show(value: object) -> str:
    """How a raw value is quoted back to the officer."""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.day}/{value.month}/{value.year}"
    if isinstance(value, float) and value.is_integer() and abs(value) < MAX_MAGNITUDE:
        return str(int(value))
    if isinstance(value, float) and abs(value) >= MAX_MAGNITUDE:
        return f"{value:.6g}"  # 1e+308, not three hundred digits
    return str(value)
