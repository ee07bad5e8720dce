"""Plain data passed between the pipeline's steps: issues, the submission, the assessment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thidua.base.cellref import cell_reference

if TYPE_CHECKING:  # a type only: `check` and `template` never import pandas
    import pandas as pd

# Canonical criterion kinds (the workbook's Vietnamese labels map onto these in `contract`).
KIND_INCREASE = "increase"  # "Tăng là tốt": % of plan = actual / plan
KIND_DECREASE = "decrease"  # "Giảm là tốt": % of plan = plan / actual
KIND_PASS_FAIL = "pass_fail"  # "Đạt/Không đạt": plan/actual 1.0 (Đạt) or 0.0 (Không đạt)
KIND_GRADE = "grade"  # "Xếp loại": plan/actual are grade levels 4 (HTXSNV) .. 1 (KHTNV)
KINDS = (KIND_INCREASE, KIND_DECREASE, KIND_PASS_FAIL, KIND_GRADE)
# The Vietnamese label of each kind, as the template's dropdown, the report and the results workbook show it.
KIND_LABELS = {
    "Tăng là tốt": KIND_INCREASE,
    "Giảm là tốt": KIND_DECREASE,
    "Đạt/Không đạt": KIND_PASS_FAIL,
    "Xếp loại": KIND_GRADE,
}
LABEL_OF_KIND = {kind: label for label, kind in KIND_LABELS.items()}

# Grade levels used in the `plan`/`actual` columns of grade criteria.
GRADE_LEVELS = {
    "Hoàn thành xuất sắc nhiệm vụ": 4,
    "Hoàn thành tốt nhiệm vụ": 3,
    "Hoàn thành nhiệm vụ": 2,
    "Không hoàn thành nhiệm vụ": 1,
}

# Data status of a figure, canonical values.
DATA_STATUSES = ("Ước", "Sơ bộ", "Chính thức")

# Columns of `Submission.criteria`, in this order. `row` is the 1-based Excel row it came from.
CRITERIA_COLUMNS = (
    "row",  # int: Excel row number in sheet "Tiêu chí"
    "code",  # str: "Mã", unique
    "field",  # str: "Lĩnh vực" (group), e.g. "Kinh tế"
    "name",  # str
    "unit",  # str ("" when blank)
    "kind",  # one of KINDS
    "plan",  # float (NaN only if issue reported)
    "actual",  # float, NaN when no figure yet
    "previous",  # float, NaN when blank
    "plan_label",  # str: the plan as the officer typed it for non-numeric kinds ("Đạt", grade name), else ""
    "actual_label",  # str: same for actual
    "max_points",  # float, >= 0
    "key",  # bool: "Trọng tâm" marked x
    "data_status",  # one of DATA_STATUSES, default "Chính thức"
    "cumulative",  # bool: "Lũy kế" marked x (the figure accumulates over the year); read by interim reviews only
    "agency",  # str: "Cơ quan chủ trì"
    "monitor",  # str: "Thành viên HĐ theo dõi"
    "note",  # str: "Nguyên nhân, ghi chú"
)

DEDUCTION_COLUMNS = ("row", "content", "points", "note")


# The reporting period of a workbook: year-end, or an interim review (kept apart in the ledger).
PERIOD_YEAR = "year"
PERIOD_H1, PERIOD_9M, PERIOD_Q1, PERIOD_Q2, PERIOD_Q3 = "h1", "9m", "q1", "q2", "q3"
INTERIM_PERIODS = (PERIOD_H1, PERIOD_9M, PERIOD_Q1, PERIOD_Q2, PERIOD_Q3)
# The label of each period, as the template's dropdown (`Kỳ báo cáo`) shows it.
PERIOD_LABELS = {"Cả năm": PERIOD_YEAR, "6 tháng": PERIOD_H1, "9 tháng": PERIOD_9M, "Quý I": PERIOD_Q1,
                 "Quý II": PERIOD_Q2, "Quý III": PERIOD_Q3}
LABEL_OF_PERIOD = {period: label for label, period in PERIOD_LABELS.items()}
# Months of the year behind an interim period's figures (they are cumulative from 1 January).
PERIOD_MONTHS = {PERIOD_H1: 6, PERIOD_9M: 9, PERIOD_Q1: 3, PERIOD_Q2: 6, PERIOD_Q3: 9, PERIOD_YEAR: 12}

FILE_SCOPE = "Tệp"  # where an issue about the whole file is located


@dataclass(frozen=True)
class Issue:
    """One data problem located in the workbook by 1-based row and column numbers.

    `row`/`column` 0 means the issue is about the whole sheet (or, without a sheet, the whole `file`);
    `end_row`/`end_column` make it a range (a merge). `cell` is the "Tiêu chí!H12" text derived from them.
    """

    code: str
    sheet: str
    message: str
    row: int = 0
    column: int = 0
    value: str = ""
    end_row: int = 0
    end_column: int = 0
    file: str = ""  # the file's name, for an issue about a whole file

    @property
    def at_cell(self) -> bool:
        return bool(self.sheet and self.row and self.column)

    @property
    def cell(self) -> str:
        """"Tiêu chí!H12", "Tiêu chí!A3:B4", the sheet name, or "Tệp"."""
        if not self.at_cell:
            return self.sheet or self.file or FILE_SCOPE
        ref = cell_reference(self.row, self.column)
        if self.end_row and self.end_column and (self.end_row, self.end_column) != (self.row, self.column):
            ref += ":" + cell_reference(self.end_row, self.end_column)
        return f"{self.sheet}!{ref}"

    @property
    def top_left(self) -> str:
        """"H12" for a cell or a range, "" for sheet and file issues."""
        return cell_reference(self.row, self.column) if self.at_cell else ""

    def as_dict(self) -> dict[str, str]:
        """The fields `check --json` prints (documented in README)."""
        return {"code": self.code, "sheet": self.sheet, "cell": self.cell, "message": self.message}


@dataclass
class ReportMeta:
    """The `Thông tin` sheet: who reports, for which year, to whom."""

    province: str
    year: int
    cluster: str = ""
    period: str = PERIOD_YEAR  # PERIOD_YEAR or one of INTERIM_PERIODS ("Kỳ báo cáo")
    parent_agency: str = ""
    agency: str = ""
    doc_number: str = ""
    place: str = ""
    report_date: dt.date | None = None
    signing_authority: str = ""
    signer_title: str = ""
    signer: str = ""
    recipients: list[str] = field(default_factory=list)


@dataclass
class Submission:
    """A validated workbook: metadata plus the criteria and deductions frames (see column tuples)."""

    meta: ReportMeta
    criteria: pd.DataFrame
    deductions: pd.DataFrame
    source: Path | None = None
    sha256: str = ""


@dataclass
class ReadResult:
    """What reading a workbook yields: every issue found in one pass and, when there is none, the submission.

    The reader collects plain values; the pandas frames of the submission are built only when asked for,
    so `check` never imports pandas.
    """

    issues: list[Issue]
    build: Callable[[], Submission] | None = None  # set only when the workbook is valid
    # What was read differently from a plain table, told to the officer without refusing anything (a
    # totals row left out, stray blank cells ignored); codes from intake.issues.NOTICE_TYPES
    notices: list[Issue] = field(default_factory=list)
    meta: ReportMeta | None = None  # what the `Thông tin` sheet said, even when there are issues

    @property
    def valid(self) -> bool:
        return self.build is not None and not self.issues

    @cached_property
    def submission(self) -> Submission | None:
        return self.build() if self.valid and self.build is not None else None


# What happened to one input file (the ledger stores these words; the CLI shows them in Vietnamese).
OUTCOME_OK = "ok"  # PDF written
OUTCOME_ISSUES = "issues"  # data problems; error copy written
OUTCOME_UNREADABLE = "unreadable"  # hostile or broken file; .loi.txt written
OUTCOME_FAILED = "failed"  # our own fault (never the officer's): the file is answered again later
OUTCOME_SYSTEM = "system"  # a fault of the machine (disk full, read-only, ledger locked): given back, retried
OUTCOME_KILLED = "killed"  # the worker died on it (killed, out of memory): tried again, set aside after a few
FINAL_OUTCOMES = (OUTCOME_OK, OUTCOME_ISSUES, OUTCOME_UNREADABLE)  # results that may be reused
# How the terminal and the web pages name each outcome.
OUTCOME_WORDS = {OUTCOME_OK: "xong", OUTCOME_ISSUES: "có lỗi dữ liệu", OUTCOME_UNREADABLE: "không đọc được",
                 OUTCOME_FAILED: "lỗi chương trình", OUTCOME_SYSTEM: "lỗi hệ thống, chưa xử lý",
                 OUTCOME_KILLED: "tiến trình xử lý bị dừng, sẽ thử lại"}


# Status words, exactly as the report prints them.
STATUS_EXCEEDED = "Vượt"
STATUS_MET = "Đạt"
STATUS_NOT_MET = "Chưa đạt"
STATUS_NO_DATA = "Không có số liệu"
STATUSES = (STATUS_EXCEEDED, STATUS_MET, STATUS_NOT_MET, STATUS_NO_DATA)

# Interim status words (six-month, nine-month and quarterly reviews), exactly as the report prints them.
INTERIM_ON_TRACK = "Đúng tiến độ"  # the year-end projection meets the plan
INTERIM_LAGGING = "Chậm tiến độ"  # below the plan, but at least [interim] risk_margin_pct of it
INTERIM_AT_RISK = "Có nguy cơ không đạt"  # below that
INTERIM_STATUSES = (INTERIM_ON_TRACK, INTERIM_LAGGING, INTERIM_AT_RISK, STATUS_NO_DATA)
SHARE_DEFAULT = "default"  # the expected share is the period's share of the year ([interim] share_*)
SHARE_LAST_YEAR = "last_year"  # ... last year's same-period figure ÷ last year's year-end actual

# Columns an interim evaluation adds after RESULT_COLUMNS. In an interim assessment `actual` stays the
# figure typed; `pct_of_plan`, `status`, `points`, `bonus` and the gaps judge `projection` (provisional).
INTERIM_COLUMNS = (
    "progress_pct",  # float: cumulative criteria, actual / year plan * 100, 2 dp; NaN otherwise
    "expected_share_pct",  # float: cumulative criteria, the share of the year expected by now (%); NaN otherwise
    "share_source",  # str: SHARE_DEFAULT / SHARE_LAST_YEAR for cumulative criteria, "" otherwise
    "projection",  # float: the year-end estimate (cumulative: actual / share, 2 dp; else the figure typed)
    "interim_status",  # one of INTERIM_STATUSES
    "pace_per_month",  # float: cumulative criteria, actual / months elapsed, 2 dp
    "needed_per_month",  # float: cumulative criteria, (plan - actual) / months remaining, 2 dp: still to
    #                      do (increase, 0 once reached) or still allowed (decrease, < 0 when already over)
    "bonus_needed_per_month",  # float: cumulative key criteria, the same to pass the bonus line
)

# Columns `scoring.evaluate` adds to the criteria columns in `Assessment.results`.
RESULT_COLUMNS = (
    "pct_of_plan",  # float, 2 dp half-up; NaN for pass_fail/grade or without actual
    "status",  # one of STATUSES
    "rule",  # kebab-case code of the scoring rule that fired (see scoring.RULES)
    "points",  # float: points earned before bonus, 0 <= points <= max_points
    "bonus",  # float: bonus points (key criteria over the bonus line), else 0
    "yoy_change",  # float: actual - previous; NaN when either is missing
    "yoy_pct",  # float: (actual - previous) / |previous| * 100, 2 dp; NaN when n/a
    "gap_to_plan",  # float: how much better actual must be to meet plan (0 if met); NaN n/a
    "gap_to_bonus",  # float: how much better actual must be to pass the bonus line; NaN n/a
    "explanation",  # str: Vietnamese sentence: rule fired + gap to the next level
)


@dataclass
class Totals:
    """Overall counts and points of one assessment."""

    n_criteria: int
    n_exceeded: int
    n_met: int  # exactly met (status Đạt)
    n_not_met: int
    n_no_data: int
    max_points: float
    points: float
    bonus: float
    deductions: float
    total: float  # points + bonus - deductions

    @property
    def n_met_or_exceeded(self) -> int:
        return self.n_exceeded + self.n_met


@dataclass
class InterimSummary:
    """What an interim assessment adds: the period, the months around it, counts per interim status."""

    period: str
    months_elapsed: int
    months_remaining: int
    n_on_track: int
    n_lagging: int
    n_at_risk: int
    n_no_data: int
    settings: dict[str, Any] = field(default_factory=dict)  # effective [interim] settings

    @property
    def label(self) -> str:
        return LABEL_OF_PERIOD.get(self.period, self.period)


@dataclass
class Assessment:
    """Scoring output: per-criterion results, totals per field and overall."""

    submission: Submission
    results: pd.DataFrame  # CRITERIA_COLUMNS + RESULT_COLUMNS, workbook order
    by_field: pd.DataFrame  # columns: field, n_criteria, n_met_or_exceeded, n_not_met, n_no_data,
    #                          max_points, points, bonus (one row per field, workbook order)
    totals: Totals
    settings: dict[str, Any] = field(default_factory=dict)  # effective [scoring] settings
    interim: InterimSummary | None = None  # set for six-month, nine-month and quarterly reviews

    @property
    def is_interim(self) -> bool:
        return self.interim is not None


@dataclass(frozen=True)
class Signature:
    """One digital signature put on a report (report/signing.py); the ledger and the CLI read it."""

    field: str  # the PDF signature field: "nguoi-ky" (the person with authority) or "co-quan" (the agency)
    role: str  # Vietnamese, as messages name the signer: "người ký", "cơ quan"
    name: str  # the certificate's common name
    subject: str  # the certificate's whole subject (RFC 4514)
    signed_at: str  # ISO 8601 with Vietnam's offset (+07:00), as the visible signature shows it
    level: str  # "PAdES B-B" or "PAdES B-T"
