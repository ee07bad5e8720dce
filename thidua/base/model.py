"""Plain data passed between the pipeline's steps: issues, the submission, the assessment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# Canonical criterion kinds (the workbook's Vietnamese labels map onto these in `contract`).
KIND_INCREASE = "increase"  # "Tăng là tốt": % of plan = actual / plan
KIND_DECREASE = "decrease"  # "Giảm là tốt": % of plan = plan / actual
KIND_PASS_FAIL = "pass_fail"  # "Đạt/Không đạt": plan/actual 1.0 (Đạt) or 0.0 (Không đạt)
KIND_GRADE = "grade"  # "Xếp loại": plan/actual are grade levels 4 (HTXSNV) .. 1 (KHTNV)
KINDS = (KIND_INCREASE, KIND_DECREASE, KIND_PASS_FAIL, KIND_GRADE)

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
    "agency",  # str: "Cơ quan chủ trì"
    "monitor",  # str: "Thành viên HĐ theo dõi"
    "note",  # str: "Nguyên nhân, ghi chú"
)

DEDUCTION_COLUMNS = ("row", "content", "points", "note")


@dataclass(frozen=True)
class Issue:
    """One data problem located in the workbook; `cell` is like "Tiêu chí!H12" (or a sheet name)."""

    code: str
    sheet: str
    cell: str
    message: str
    value: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "sheet": self.sheet, "cell": self.cell, "message": self.message}


@dataclass
class ReportMeta:
    """The `Thông tin` sheet: who reports, for which year, to whom."""

    province: str
    year: int
    cluster: str = ""
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
    """What reading a workbook yields: a submission when valid, and every issue found in one pass."""

    submission: Submission | None
    issues: list[Issue]

    @property
    def valid(self) -> bool:
        return self.submission is not None and not self.issues


# Status words, exactly as the report prints them.
STATUS_EXCEEDED = "Vượt"
STATUS_MET = "Đạt"
STATUS_NOT_MET = "Chưa đạt"
STATUS_NO_DATA = "Không có số liệu"
STATUSES = (STATUS_EXCEEDED, STATUS_MET, STATUS_NOT_MET, STATUS_NO_DATA)

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
class Assessment:
    """Scoring output: per-criterion results, totals per field and overall."""

    submission: Submission
    results: pd.DataFrame  # CRITERIA_COLUMNS + RESULT_COLUMNS, workbook order
    by_field: pd.DataFrame  # columns: field, n_criteria, n_met_or_exceeded, n_not_met, n_no_data,
    #                          max_points, points, bonus (one row per field, workbook order)
    totals: Totals
    settings: dict[str, object] = field(default_factory=dict)  # effective [scoring] settings
