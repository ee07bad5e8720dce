"""Cells that show an Excel error ("#N/A", "#DIV/0!", "#REF!"…): python-calamine reads them as empty, which
would turn a broken formula into a silently missing figure. Found from the worksheet bytes instead."""

from __future__ import annotations

import re

from thidua.base.cellref import NS_PREFIX, cell_position

MAX_ERROR_CELLS = 10_000  # remembered per sheet
# <c … t="e" …> then an optional <f>…</f>, then <v>#ERROR</v>; atomic/possessive parts keep hostile
# tags linear (see xlsx_guard._CELL_REF).
_ERROR_CELL = re.compile(
    rb"<" + NS_PREFIX + rb"c\s((?>[^<>]{0,300}?\bt=\"e\")[^<>/]{0,300}+)>\s*"
    rb"(?:<" + NS_PREFIX + rb"f[^<>]{0,300}+(?:/>|>[^<]{0,8192}+</" + NS_PREFIX + rb"f>)\s*)?"
    rb"<" + NS_PREFIX + rb"v>([^<]{0,64}+)</")


def find_error_cells(text: bytes, into: dict[tuple[int, int], str]) -> None:
    """Add (row, column) → error text for every error cell in this worksheet XML text."""
    if b't="e"' not in text or len(into) >= MAX_ERROR_CELLS:
        return
    for match in _ERROR_CELL.finditer(text):
        position = cell_position(match.group(1))
        if position is not None:
            into[position] = match.group(2).decode("utf-8", "replace")
            if len(into) >= MAX_ERROR_CELLS:
                return
