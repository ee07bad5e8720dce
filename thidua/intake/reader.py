"""Read a filled workbook into a Submission, collecting every cell-located issue in one pass."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

import python_calamine

from thidua.base import model
from thidua.base.errors import UnreadableFileError
from thidua.base.model import Issue
from thidua.base.textfold import LabelMatcher, fold
from thidua.intake import contract
from thidua.intake.guard import WorkbookScan, inspect_workbook
from thidua.intake.source import open_workbook

if TYPE_CHECKING:
    import pandas as pd
from thidua.intake.issues import make_issue, message
from thidua.intake.periods import parse_period
from thidua.intake.table import Grid, Table, is_blank, locate_table, show

KIND_MATCHER = LabelMatcher(contract.KIND_LABELS)
PASS_FAIL_MATCHER = LabelMatcher({**{k: k for k in contract.PASS_FAIL_VALUES}, **contract.PASS_FAIL_ALIASES})
YES_NO_MATCHER = LabelMatcher({w: w for w in (contract.YES, contract.NO)})
GRADE_MATCHER = LabelMatcher([(g, g) for g in model.GRADE_LEVELS]
                             + list(contract.GRADE_ABBREVIATIONS.items()))
STATUS_MATCHER = LabelMatcher({s: s for s in model.DATA_STATUSES})
INFO_MATCHER = LabelMatcher({r.label: r.key for r in contract.INFO_ROWS})
FLAG_MATCHER = LabelMatcher({w: "x" for w in contract.FLAG_WORDS})
KINDS_TEXT = ", ".join(contract.KIND_LABELS)
GRADES_TEXT = ", ".join(model.GRADE_LEVELS)
_DATE_PATTERNS = (
    (re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$"), (3, 2, 1)),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), (1, 2, 3)),
    (re.compile(r"^ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})$"), (3, 2, 1)),
)
YEAR_RANGE = (2000, 2100)
INTERIM_NEEDS_CUMULATIVE = (" Báo cáo sơ kết (Kỳ báo cáo ở trang \"Thông tin\") cần cột này: nhập x cho số liệu lũy kế từ "
                            "đầu năm, để trống cho tỷ lệ, mức độ.")
MAX_ISSUES = 1000  # beyond this a file is clearly not filled as the template asks; memory stays bounded


class _CappedIssues(list):
    """A list of issues that stops growing at MAX_ISSUES (and remembers that it did)."""

    overflow = False

    def append(self, issue: Issue) -> None:
        if len(self) < MAX_ISSUES:
            super().append(issue)
        else:
            self.overflow = True


def _load_grid(book: python_calamine.CalamineWorkbook, name: str, scan: WorkbookScan) -> Grid:
    sheet = book.get_sheet_by_name(name)
    merged = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
    sheet_scan = scan.sheets.get(name)
    formulas = sheet_scan.formulas_without_value if sheet_scan else {}
    percent = sheet_scan.percent_cells if sheet_scan else set()
    errors = sheet_scan.error_cells if sheet_scan else {}
    return Grid(name, sheet.to_python(skip_empty_area=False), merged, formulas, percent, errors)


def _find_sheet(names: list[str], wanted: str) -> str | None:
    return LabelMatcher({n: n for n in names}).match(wanted)


# --- Thông tin --------------------------------------------------------------------------------------

def _parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = fold(value)
    for pattern, (y, m, d) in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(int(match.group(y)), int(match.group(m)), int(match.group(d)))
            except ValueError:
                return None
    return None


def _parse_year(value: object) -> int | None:
    if isinstance(value, float | int) and not isinstance(value, bool) and float(value).is_integer() or isinstance(value, str) and re.fullmatch(r"\d{4}", value.strip()):
        year = int(value)
    else:
        return None
    return year if YEAR_RANGE[0] <= year <= YEAR_RANGE[1] else None


def _recipients(value: str) -> list[str]:
    lines = (line.strip().lstrip("-–•+*").strip().rstrip(";,").strip() for line in value.splitlines())
    return [line for line in lines if line]


def _read_info(grid: Grid, issues: list[Issue]) -> model.ReportMeta:
    meta = model.ReportMeta(province="", year=0)
    table = locate_table(grid, contract.INFO_SHEET, issues)
    if table is None or "value" not in table.columns:
        return meta
    seen: set[str] = set()
    for row in table.data_rows:
        key = INFO_MATCHER.match(show(table.raw(row, "label")))
        if key is None or key in seen:
            continue
        seen.add(key)
        info = next(r for r in contract.INFO_ROWS if r.key == key)
        value, where = table.raw(row, "value"), table.at(row, "value")
        if is_blank(value):
            cell = (row, table.columns.get("value", 0))
            formula, error = grid.formulas.get(cell), grid.errors.get(cell)
            if error is not None:  # shows "#N/A" to the officer, reads as "" here
                issues.append(make_issue("error-value", grid.name, where, error, column=info.label))
            elif formula is not None:
                issues.append(make_issue("formula-without-value", grid.name, where, formula))
            elif info.required:
                issues.append(make_issue("missing-value", grid.name, where, column=info.label,
                                         expected=info.help))
            continue
        if info.type == contract.YEAR:
            year = _parse_year(value)
            if year is None:
                issues.append(make_issue("bad-year", grid.name, where, show(value)))
            meta.year = year or 0
        elif info.type == contract.DATE:
            meta.report_date = _parse_date(value)
            if meta.report_date is None:
                issues.append(make_issue("bad-date", grid.name, where, show(value), column=info.label))
        elif info.type == contract.LINES:
            meta.recipients = _recipients(show(value))
        elif info.type == contract.PERIOD:
            period = parse_period(show(value))
            meta.period = period or model.PERIOD_YEAR
            if period is None:
                issues.append(make_issue("invalid-period", grid.name, where, show(value),
                                         expected=", ".join(contract.PERIOD_CHOICES)))
        else:
            setattr(meta, key, show(value))
    for info in contract.INFO_ROWS:
        if info.required and info.key not in seen:
            issues.append(make_issue("missing-info", grid.name, column=info.label, expected=info.help))
    return meta


# --- Tiêu chí ---------------------------------------------------------------------------------------

def _target(table: Table, row: int, key: str, kind: str | None, required: bool) -> tuple[float, str]:
    """A plan/actual/previous cell read according to the criterion's kind: (value, label)."""
    missing = "missing-plan" if required else ""
    if kind == model.KIND_PASS_FAIL:
        answered = _yes_no(table, row, key)
        if answered is not None:
            return contract.PASS_FAIL_VALUES[answered], answered
        label = table.choice(row, key, PASS_FAIL_MATCHER, "invalid-pass-fail", "Đạt hoặc Không đạt", missing)
        return (contract.PASS_FAIL_VALUES[label], label) if label else (math.nan, "")
    if kind == model.KIND_GRADE:
        label = table.choice(row, key, GRADE_MATCHER, "invalid-grade", GRADES_TEXT, missing)
        return (float(model.GRADE_LEVELS[label]), label) if label else (math.nan, "")
    if kind is None:  # unknown kind: only check presence
        if required and is_blank(table.raw(row, key)):
            table.number(row, key, missing_code=missing, expected="theo loại chỉ tiêu")
        return math.nan, ""
    return table.number(row, key, missing_code=missing, expected="một số, ví dụ 7,0 hoặc 6.819,5"), ""


def _yes_no(table: Table, row: int, key: str) -> str | None:
    """A pass/fail cell answered "Có"/"Không" when the plan is a yes/no answer too: "Đạt" when it gives the
    planned answer, else "Không đạt"; the plan itself then reads "Đạt". None when not such a pair."""
    answer = YES_NO_MATCHER.match(show(table.raw(row, key)))
    planned = YES_NO_MATCHER.match(show(table.raw(row, "plan")))
    if answer is None or planned is None:
        return None
    return contract.PASS if answer == planned else contract.FAIL


Columns = dict[str, list[object]]  # column key → values, rows in workbook order (pandas comes later)


def _read_criteria(grid: Grid, issues: list[Issue], notices: list[Issue], interim: bool = False) -> Columns | None:
    table = locate_table(grid, contract.CRITERIA_SHEET, issues, notices)
    if table is None:
        return None
    if interim and "cumulative" not in table.columns:  # 3.900 of 7.000: six months' worth, or the year's?
        issues.append(make_issue("missing-column", grid.name, column=contract.CRITERIA_SHEET.column("cumulative").header,
                                 row=table.header_row, extra=INTERIM_NEEDS_CUMULATIVE))
    if not table.data_rows:
        issues.append(make_issue("no-criteria", grid.name, row=table.header_row + 1))
        return None
    out: Columns = {c: [] for c in model.CRITERIA_COLUMNS}
    first_row_of: dict[str, int] = {}
    for row in table.data_rows:
        code = table.text(row, "code")
        if code:
            folded = fold(code)
            if folded in first_row_of:
                issues.append(make_issue("duplicate-code", grid.name, table.at(row, "code"), code,
                                         first=first_row_of[folded]))
            else:
                first_row_of[folded] = row
        kind = table.choice(row, "kind", KIND_MATCHER, "unknown-kind", KINDS_TEXT, "missing-value",
                            missing_expected=f"một trong: {KINDS_TEXT}.")
        plan, plan_label = _target(table, row, "plan", kind, True)
        actual, actual_label = _target(table, row, "actual", kind, False)
        previous, _ = _target(table, row, "previous", kind, False)
        points = table.number(row, "max_points", missing_code="missing-value",
                              expected=contract.CRITERIA_SHEET.column("max_points").help)
        if points < 0:
            issues.append(make_issue("out-of-range", grid.name, table.at(row, "max_points"), show(points),
                                     column="Điểm chuẩn", expected="một số không âm"))
        flag = table.choice(row, "key", FLAG_MATCHER, "invalid-flag", "x")
        cumulative = table.choice(row, "cumulative", FLAG_MATCHER, "invalid-cumulative", "x")
        status = table.choice(row, "data_status", STATUS_MATCHER, "invalid-status",
                              ", ".join(model.DATA_STATUSES))
        values = (row, code, table.text(row, "field"), table.text(row, "name"), table.text(row, "unit"),
                  kind or "", plan, actual, previous, plan_label, actual_label, points, flag is not None,
                  status or contract.DEFAULT_STATUS, cumulative is not None, table.text(row, "agency"),
                  table.text(row, "monitor"), table.text(row, "note"))
        for column, value in zip(model.CRITERIA_COLUMNS, values, strict=True):
            out[column].append(value)
    return out


def _criteria_frame(columns: Columns) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(columns, columns=list(model.CRITERIA_COLUMNS))
    frame["row"] = frame["row"].astype("int64")
    frame["key"] = frame["key"].astype(bool)
    frame["cumulative"] = frame["cumulative"].astype(bool)
    return frame


# --- Điểm trừ ---------------------------------------------------------------------------------------

DeductionRow = tuple[int, str, float, str]


def _deductions_frame(rows: list[DeductionRow]) -> pd.DataFrame:
    import pandas as pd

    if not rows:
        return pd.DataFrame({"row": pd.Series([], dtype="int64"), "content": pd.Series([], dtype="str"),
                             "points": pd.Series([], dtype="float64"), "note": pd.Series([], dtype="str")},
                            columns=list(model.DEDUCTION_COLUMNS))
    frame = pd.DataFrame(rows, columns=list(model.DEDUCTION_COLUMNS))
    frame["row"] = frame["row"].astype("int64")
    return frame


def _read_deductions(grid: Grid | None, issues: list[Issue], notices: list[Issue]) -> list[DeductionRow]:
    if grid is None or not any(any(not is_blank(v) for v in r) for r in grid.rows):
        return []
    table = locate_table(grid, contract.DEDUCTIONS_SHEET, issues, notices)
    if table is None or not table.data_rows:
        return []
    rows: list[DeductionRow] = []
    for row in table.data_rows:
        points = table.number(row, "points", missing_code="missing-value",
                              expected=contract.DEDUCTIONS_SHEET.column("points").help)
        if points < 0:
            issues.append(make_issue("out-of-range", grid.name, table.at(row, "points"), show(points),
                                     column="Điểm trừ", expected="một số không âm"))
        rows.append((row, table.text(row, "content"), points, table.text(row, "note")))
    return rows


# --- the workbook -----------------------------------------------------------------------------------

_SHEET_ORDER = {name: i for i, name in enumerate(
    (contract.SHEET_INFO, contract.SHEET_CRITERIA, contract.SHEET_DEDUCTIONS))}


def _issue_order(issue: Issue) -> tuple[int, int, int]:
    """Sheet by sheet; sheet-level issues first, then by row and column (stable within a cell)."""
    return _SHEET_ORDER.get(issue.sheet, 9), issue.row, issue.column


def read_workbook(path: Path) -> model.ReadResult:
    """Check, read and validate a filled template; `submission` is None when there is any issue.

    Raises UnreadableFileError for files that are not safe, sane .xlsx workbooks (see xlsx_guard).
    """
    path = Path(path)
    scan = inspect_workbook(path)
    book = open_workbook(path, scan)
    try:
        names = list(book.sheet_names)
        issues = _CappedIssues()
        grids: dict[str, Grid | None] = {}
        for sheet in (contract.INFO_SHEET, contract.CRITERIA_SHEET, contract.DEDUCTIONS_SHEET):
            actual = _find_sheet(names, sheet.name)
            if actual is None and sheet.required:
                issues.append(make_issue("missing-sheet", sheet.name))
            grids[sheet.name] = _load_grid(book, actual, scan) if actual is not None else None
    except (python_calamine.CalamineError, ValueError, OverflowError) as exc:
        raise UnreadableFileError(message("unreadable-file", value=type(exc).__name__), code="unreadable-file") from exc
    finally:
        book.close()
    info, criteria_grid = grids[contract.SHEET_INFO], grids[contract.SHEET_CRITERIA]
    notices = list(scan.notices)
    meta = _read_info(info, issues) if info is not None else model.ReportMeta(province="", year=0)
    interim = meta.period != model.PERIOD_YEAR
    criteria = _read_criteria(criteria_grid, issues, notices, interim) if criteria_grid is not None else None
    deductions = _read_deductions(grids[contract.SHEET_DEDUCTIONS], issues, notices)
    notices.sort(key=_issue_order)
    if issues or criteria is None:
        ordered = sorted(issues, key=_issue_order)
        if issues.overflow:
            ordered.append(make_issue("too-many-issues", "", (), MAX_ISSUES))
        return model.ReadResult(ordered, notices=notices, meta=meta)
    return model.ReadResult([], lambda: model.Submission(meta, _criteria_frame(criteria), _deductions_frame(deductions),
                                                         source=path), notices, meta=meta)

