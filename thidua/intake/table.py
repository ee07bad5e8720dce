"""Find a contract table in a sheet grid: header row, column positions, data rows, structural issues."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from thidua.base.cellref import column_letters
from thidua.base.model import Issue
from thidua.base.rounding import half_up
from thidua.base.textfold import LabelMatcher
from thidua.base.vnnumber import AMBIGUOUS, parse_vn_number
from thidua.intake import contract
from thidua.intake.issues import make_issue

MIN_HEADER_MATCHES = 2
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


@dataclass
class Table:
    """A located table: header row, key → column, and the data rows to convert."""

    grid: Grid
    sheet: contract.Sheet
    header_row: int
    columns: dict[str, int]
    data_rows: list[int]
    issues: list[Issue]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # merges in the data (r1, c1, r2, c2)

    def raw(self, row: int, key: str) -> object:
        col = self.columns.get(key)
        return "" if col is None else self.grid.raw(row, col)

    def at(self, row: int, key: str) -> tuple[int, int]:
        """(row, column) of a cell of this table, for an Issue."""
        return row, self.columns[key]

    def _issue(self, code: str, row: int, key: str, value: object = "", **fields: object) -> None:
        self.issues.append(make_issue(code, self.grid.name, self.at(row, key), show(value),
                                      column=self.sheet.column(key).header, **fields))

    def _missing(self, row: int, key: str, code: str, expected: str) -> None:
        col = self.columns.get(key)
        if col is None or self._hidden_by_merge(row, col):  # absent column, or a merge already reported
            return
        formula = self.grid.formulas.get((row, col))
        error = self.grid.errors.get((row, col))
        if error is not None:  # not blank at all: the officer sees "#N/A", calamine gives ""
            self._issue("error-value", row, key, error)
        elif formula is not None:
            self.issues.append(make_issue("formula-without-value", self.grid.name, self.at(row, key), formula))
        elif code:
            self._issue(code, row, key, expected=expected)

    def _hidden_by_merge(self, row: int, col: int) -> bool:
        """Inside a merged range but not its top-left cell (ranges kept as rectangles: a hostile merge may
        span millions of cells)."""
        return any(r1 <= row <= r2 and c1 <= col <= c2 and (row, col) != (r1, c1)
                   for r1, c1, r2, c2 in self.merged)

    def text(self, row: int, key: str) -> str:
        """A text cell ("" when blank, or when the column is absent); numbers shown without ".0"."""
        value = self.raw(row, key)
        if is_blank(value):
            column = self.sheet.column(key)
            self._missing(row, key, "missing-value" if column.required else "", column.help)
            return ""
        return show(value)

    def number(self, row: int, key: str, *, missing_code: str = "", expected: str = "") -> float:
        """A number cell (real number or Vietnamese text); NaN when blank or wrong (an issue is recorded)."""
        value = self.raw(row, key)
        if is_blank(value):
            self._missing(row, key, missing_code, expected)
            return math.nan
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            if (row, self.columns[key]) in self.grid.percent:  # typed "8,62%": stored 0.0862, meant 8,62
                value = half_up(float(value) * 100, 10)
            return self._bounded(row, key, float(value))
        if isinstance(value, str):
            parsed = parse_vn_number(value)
            if parsed.ok and parsed.value is not None:
                return self._bounded(row, key, parsed.value, typed=value)
            if parsed.problem == AMBIGUOUS:
                self._issue("ambiguous-number", row, key, value, suggestion=parsed.suggestion)
                return math.nan
        self._issue("non-numeric", row, key, value)
        return math.nan

    def _bounded(self, row: int, key: str, value: float, typed: object = None) -> float:
        """No criterion figure is anywhere near 10^15: beyond that it is a typing accident."""
        if abs(value) >= MAX_MAGNITUDE:
            self._issue("out-of-range", row, key, value if typed is None else typed,
                        expected="một số nhỏ hơn 1.000.000.000.000.000")
            return math.nan
        return value

    def choice(self, row: int, key: str, matcher: LabelMatcher, code: str, expected: str,
               missing_code: str = "", missing_expected: str = "") -> str | None:
        """A label matched tolerantly; None when blank (and `missing_code` recorded) or unknown (`code`)."""
        value = self.raw(row, key)
        if is_blank(value):
            self._missing(row, key, missing_code, missing_expected or expected)
            return None
        hit = matcher.match(show(value))
        if hit is None:
            self._issue(code, row, key, value, expected=expected)
        return hit


def header_matcher(sheet: contract.Sheet) -> LabelMatcher:
    pairs = [(c.header, c.key) for c in sheet.columns]
    pairs += [(alias, c.key) for c in sheet.columns for alias in c.aliases]
    return LabelMatcher(pairs)


def _header_candidates(grid: Grid, matcher: LabelMatcher) -> tuple[int, dict[int, str]]:
    best_row, best = 0, dict[int, str]()
    for r in range(1, min(contract.MAX_HEADER_SCAN_ROWS, len(grid.rows)) + 1):
        found: dict[int, str] = {}
        for c, value in enumerate(grid.rows[r - 1], start=1):
            if isinstance(value, str) and value.strip():
                key = matcher.match(value)
                if key is not None:
                    found[c] = key
        if len(set(found.values())) > len(set(best.values())):
            best_row, best = r, found
    return best_row, best


def locate_table(grid: Grid, sheet: contract.Sheet, issues: list[Issue]) -> Table | None:
    """Find the header, map columns (any order, extras ignored), list the data rows; record issues."""
    header_row, found = _header_candidates(grid, header_matcher(sheet))
    if len(set(found.values())) < MIN_HEADER_MATCHES:
        issues.append(make_issue("header-not-found", grid.name, rows=contract.MAX_HEADER_SCAN_ROWS,
                                 expected=", ".join(c.header for c in sheet.columns)))
        return None
    columns: dict[str, int] = {}
    for col, key in found.items():
        if key in columns:
            issues.append(make_issue("duplicate-column", grid.name, (header_row, col),
                                     column=sheet.column(key).header, first=grid.where(header_row, columns[key])))
        else:
            columns[key] = col
    unknown = [show(grid.raw(header_row, c)) for c in range(1, len(grid.rows[header_row - 1]) + 1)
               if c not in found and isinstance(grid.raw(header_row, c), str) and grid.raw(header_row, c)]
    hint = (" Các tiêu đề không nhận ra ở dòng này: " + ", ".join(f"\"{h}\"" for h in unknown[:5]) + "."
            if unknown else "")
    for column in sheet.columns:
        if column.key not in columns and column.key not in sheet.optional_columns:
            issues.append(make_issue("missing-column", grid.name, column=column.header, row=header_row,
                                     extra=hint))
    table = Table(grid, sheet, header_row, columns, [], issues)
    table.data_rows = _data_rows(table)
    return table


def _data_rows(table: Table) -> list[int]:
    grid, cols = table.grid, sorted(table.columns.values())
    formula_rows = {r for r, c in grid.formulas if c in cols}
    filled = [r for r in range(table.header_row + 1, len(grid.rows) + 1)
              if r in formula_rows or any(not is_blank(grid.raw(r, c)) for c in cols)]
    last = filled[-1] if filled else table.header_row
    merged_rows: set[int] = set()
    for r1, c1, r2, c2 in grid.merged:
        if r2 > table.header_row and r1 <= last and any(c1 <= c <= c2 for c in cols):
            table.issues.append(make_issue("merged-cells", grid.name, (r1, c1, r2, c2)))
            merged_rows.update(range(r1, min(r2, last) + 1))
            # the rows are still read (their other problems are reported too); the cells a merge hides
            # are not reported again as empty
            table.merged.append((r1, c1, r2, c2))
    filled_set = set(filled)
    run: list[int] = []
    for r in range(table.header_row + 1, last + 1):
        if r not in filled_set and r not in merged_rows:
            run.append(r)
            continue
        _blank_run(table, run, cols[0])
        run = []
    return filled


def _blank_run(table: Table, run: list[int], first_col: int) -> None:
    if not run:
        return
    rows = str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}"
    table.issues.append(make_issue("blank-row", table.grid.name, (run[0], first_col), rows=rows))
