"""Find a contract table in a sheet grid: header row, column positions, data rows, structural issues."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from thidua.base.model import Issue
from thidua.base.rounding import half_up
from thidua.base.textfold import LabelMatcher
from thidua.base.vnnumber import AMBIGUOUS, parse_vn_number
from thidua.intake import contract
from thidua.intake.grid import MAX_MAGNITUDE, Grid, is_blank, show
from thidua.intake.issues import make_issue
from thidua.intake.layout import lay_out

__all__ = ["Grid", "Table", "is_blank", "locate_table", "show"]

MIN_HEADER_MATCHES = 2


@dataclass
class Table:
    """A located table: header row, key → column, and the data rows to convert."""

    grid: Grid
    sheet: contract.Sheet
    header_row: int
    columns: dict[str, int]
    data_rows: list[int]
    issues: list[Issue]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # merges refused (r1, c1, r2, c2)
    # a cell → the merged cell whose value it shows (a field written once for a group of criteria)
    sources: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    _told: set[tuple[str, int, int]] = field(default_factory=set)  # one issue per cell, however many rows share it

    def at(self, row: int, key: str) -> tuple[int, int]:
        """(row, column) of the cell holding this row's value for `key` (a merged cell's top left), for an Issue."""
        cell = (row, self.columns[key])
        return self.sources.get(cell, cell) if self.sources else cell

    def raw(self, row: int, key: str) -> object:
        col = self.columns.get(key)
        if col is None:
            return ""
        if self.sources:  # only workbooks with honoured merges pay for the lookup
            row, col = self.sources.get((row, col), (row, col))
        return self.grid.raw(row, col)

    def _add(self, issue: Issue) -> None:
        told = (issue.code, issue.row, issue.column)
        if told not in self._told:
            self._told.add(told)
            self.issues.append(issue)

    def _issue(self, code: str, row: int, key: str, value: object = "", **fields: object) -> None:
        self._add(make_issue(code, self.grid.name, self.at(row, key), show(value),
                             column=self.sheet.column(key).header, **fields))

    def _missing(self, row: int, key: str, code: str, expected: str) -> None:
        if key not in self.columns:
            return
        cell = self.at(row, key)
        if self._hidden_by_merge(*cell):  # a merge already reported
            return
        formula = self.grid.formulas.get(cell)
        error = self.grid.errors.get(cell)
        if error is not None:  # not blank at all: the officer sees "#N/A", calamine gives ""
            self._issue("error-value", row, key, error)
        elif formula is not None:
            self._add(make_issue("formula-without-value", self.grid.name, cell, formula))
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
            if self.at(row, key) in self.grid.percent:  # typed "8,62%": stored 0.0862, meant 8,62
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


def locate_table(grid: Grid, sheet: contract.Sheet, issues: list[Issue],
                 notices: list[Issue] | None = None) -> Table | None:
    """Find the header, map columns (any order, extras ignored), lay out the data rows; record issues (and
    notices: a totals row left out)."""
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
    layout = lay_out(grid, sheet, header_row, columns, issues, [] if notices is None else notices)
    return Table(grid, sheet, header_row, columns, layout.rows, issues, layout.refused, layout.sources)
