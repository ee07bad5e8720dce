"""How the rows under a table's header are laid out: which are data, which a merge continues, which are
blank, whether the last one is a totals row, and which merges mean one thing only.

An officer's workbook groups rows the Vietnamese way: a field written once in a cell merged down over its
criteria, a long criterion name merged over two rows, a blank row between two fields, a "Tổng cộng" row at
the bottom. Each of these has one meaning and is read so; a merge that could mean two things (across plan
and actual, or a code or a figure shared by two criteria) stays a `merged-cells` issue.
Work is bounded by rows × table columns plus merges × table columns, whatever the merges' extent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from thidua.base.model import Issue
from thidua.base.textfold import fold
from thidua.intake import contract
from thidua.intake.grid import Grid, is_blank, show
from thidua.intake.issues import make_issue, make_notice

Merge = tuple[int, int, int, int]  # r1, c1, r2, c2 (1-based, inclusive)
Cell = tuple[int, int]

# A row whose only words are one of these (any case, with or without a colon) is a totals row.
TOTAL_WORDS = frozenset(fold(w) for w in ("Tổng cộng", "Cộng", "Tổng", "Tổng số", "Tổng điểm", "Cộng điểm"))
# Required columns that a totals row leaves empty (its figures may be sums, its words are the label only).
_WORD_TYPES = (contract.TEXT, contract.KIND)


@dataclass
class Layout:
    """The data rows of a table, where a merged cell's value comes from, and the merges refused."""

    rows: list[int] = field(default_factory=list)
    sources: dict[Cell, Cell] = field(default_factory=dict)  # a cell → the merged cell whose value it has
    refused: list[Merge] = field(default_factory=list)  # reported as merged-cells (their hidden cells are not
    #                                                     reported again as empty)


class _Cover:
    """Which table cells merges hide: below a merge's first row (difference arrays, one per column) and
    beside its top-left cell in that first row."""

    def __init__(self, cols: list[int], top: int, last: int, merges: list[Merge]) -> None:
        self.top = top
        size = last - top + 2
        diff = {c: [0] * size for c in cols}
        self.beside: set[Cell] = set()
        for r1, c1, r2, c2 in merges:
            inside = [c for c in cols if c1 <= c <= c2]
            a, b = max(r1 + 1, top), min(r2, last)
            for c in inside:
                if a <= b:
                    diff[c][a - top] += 1
                    diff[c][b - top + 1] -= 1
                if top <= r1 <= last and c != c1:
                    self.beside.add((r1, c))
        self.below: dict[int, list[bool]] = {}
        for c, steps in diff.items():
            running, flags = 0, []
            for step in steps[:-1]:
                running += step
                flags.append(running > 0)
            self.below[c] = flags

    def continued(self, row: int, col: int) -> bool:
        """The cell lies under the first row of a merge (it shows that merge's value)."""
        return self.below[col][row - self.top]

    def hidden(self, row: int, col: int) -> bool:
        return self.continued(row, col) or (row, col) in self.beside


def lay_out(grid: Grid, sheet: contract.Sheet, header_row: int, columns: dict[str, int],
            issues: list[Issue], notices: list[Issue]) -> Layout:
    """The layout of the rows below `header_row`; issues and notices about it are appended."""
    cols = sorted(set(columns.values()))
    key_of = {col: key for key, col in columns.items()}
    top = header_row + 1
    marked = {cell for cell in (*grid.formulas, *grid.errors) if cell[1] in key_of and cell[0] >= top}
    marked_rows = {r for r, _ in marked}
    filled = [r for r in range(top, len(grid.rows) + 1)
              if r in marked_rows or any(not is_blank(grid.raw(r, c)) for c in cols)]
    totals = _totals_row(grid, sheet, columns, filled[-1]) if filled and sheet.row_noun else None
    if totals is not None:
        row, col, label = totals
        notices.append(make_notice("totals-row", grid.name, (row, col), label, row=row, what=sheet.row_noun))
        filled.pop()
    if not filled:
        return Layout()
    last = filled[-1]
    merges = [m for m in grid.merged if m[2] >= top and m[0] <= last and any(m[1] <= c <= m[3] for c in cols)]
    cover = _Cover(cols, top, last, merges)

    def shows_something(r: int) -> bool:
        return any(not cover.hidden(r, c) and (not is_blank(grid.raw(r, c)) or (r, c) in marked) for c in cols)

    content = [shows_something(r) for r in range(top, last + 1)]
    counted = [0]  # counted[i]: content rows among the first i rows below the header
    for flag in content:
        counted.append(counted[-1] + flag)
    layout = Layout(rows=[r for r, flag in zip(range(top, last + 1), content, strict=True) if flag])
    for merge in merges:
        _place(merge, grid, sheet, key_of, top, last, content, counted, layout, issues)
    _blank_rows(grid, sheet, columns, top, last, content, merges, layout, issues)
    return layout


def _place(merge: Merge, grid: Grid, sheet: contract.Sheet, key_of: dict[int, str], top: int, last: int,
           content: list[bool], counted: list[int], layout: Layout, issues: list[Issue]) -> None:
    """Honour a merge that means one thing (its value belongs to one column; over several criteria only in
    a spanning column such as Lĩnh vực); refuse any other."""
    r1, c1, r2, c2 = merge
    inside = [c for c in key_of if c1 <= c <= c2]
    end = min(r2, last)
    if r1 < top or len(inside) != 1:  # into the header, or across two columns (plan and actual…)
        _refuse(merge, grid, layout, issues)
        return
    col = inside[0]
    later_rows = counted[end - top + 1] - counted[r1 - top + 1]  # rows of their own below the first one
    if later_rows == 0:  # one criterion: its name (or any cell) written over several rows or cells
        if col != c1:
            layout.sources[(r1, col)] = (r1, c1)
        return
    if key_of[col] not in sheet.spanning_columns:  # a code, a name, a figure shared by several criteria
        _refuse(merge, grid, layout, issues)
        return
    for r in range(r1, end + 1):
        if content[r - top] and (r, col) != (r1, c1):
            layout.sources[(r, col)] = (r1, c1)


def _refuse(merge: Merge, grid: Grid, layout: Layout, issues: list[Issue]) -> None:
    issues.append(make_issue("merged-cells", grid.name, merge))
    layout.refused.append(merge)


def _totals_row(grid: Grid, sheet: contract.Sheet, columns: dict[str, int],
                row: int) -> tuple[int, int, str] | None:
    """(row, column, label) when `row` says "Tổng cộng" (in any cell) and holds no criterion's words."""
    width = len(grid.rows[row - 1]) if row <= len(grid.rows) else 0
    labels = {c: show(v) for c in range(1, width + 1)
              if isinstance(v := grid.raw(row, c), str) and fold(v).strip(" :.") in TOTAL_WORDS}
    if not labels:
        return None
    for column in sheet.columns:
        col = columns.get(column.key)
        if (column.required and column.type in _WORD_TYPES and col is not None and col not in labels
                and not is_blank(grid.raw(row, col))):
            return None
    col, label = next(iter(labels.items()))
    return row, col, label


def _blank_rows(grid: Grid, sheet: contract.Sheet, columns: dict[str, int], top: int, last: int,
                content: list[bool], merges: list[Merge], layout: Layout, issues: list[Issue]) -> None:
    """A run of blank rows inside one group is reported; under the header, between two groups, or on a
    sheet without groups it is layout and is skipped. Rows a merge reaches are never blank."""
    if not sheet.group_column or sheet.group_column not in columns:
        return
    steps = [0] * (last - top + 2)
    for r1, _, r2, _ in merges:
        a, b = max(r1, top), min(r2, last)
        if a <= b:
            steps[a - top] += 1
            steps[b - top + 1] -= 1
    touched, running = [], 0
    for step in steps[:-1]:
        running += step
        touched.append(running > 0)
    group_col = columns[sheet.group_column]

    def group(r: int) -> str:
        source = layout.sources.get((r, group_col), (r, group_col))
        return fold(show(grid.raw(*source)))

    above: int | None = None
    run: list[int] = []
    for r in range(top, last + 1):
        if content[r - top]:
            if run and above is not None and group(above) == group(r):
                rows = str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}"
                issues.append(make_issue("blank-row", grid.name, (run[0], min(columns.values())), rows=rows))
            run, above = [], r
        elif touched[r - top]:
            run = []
        else:
            run.append(r)
