"""What a report's mail needs from an assessment, as plain JSON-able data kept in the ledger."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from thidua.base.model import PERIOD_YEAR, Assessment
from thidua.base.values import number_or_none, text_or_empty


@dataclass(frozen=True)
class CriterionLine:
    """One criterion as a mail lists it."""

    code: str
    name: str
    unit: str = ""
    kind: str = ""
    status: str = ""
    pct_of_plan: float | None = None
    plan: float | None = None
    actual: float | None = None
    plan_label: str = ""
    actual_label: str = ""
    monitor: str = ""
    data_status: str = ""  # "Ước" / "Sơ bộ" figures are flagged in the mail as in the report
    # interim reviews only (model.INTERIM_COLUMNS): `status`, `pct_of_plan` then judge `projection`
    cumulative: bool = False
    interim_status: str = ""
    progress_pct: float | None = None
    projection: float | None = None
    pace_per_month: float | None = None
    needed_per_month: float | None = None


@dataclass(frozen=True)
class ReportBrief:
    """The facts of one report that mail uses: where, when, overall result, every criterion.

    Stored as JSON in the ledger when a report is dispatched, so `send REPORT.pdf` and
    `send --pending` rebuild the same messages without re-reading the workbook.
    """

    province: str
    year: int
    cluster: str = ""
    n_criteria: int = 0
    n_exceeded: int = 0
    n_met: int = 0
    n_not_met: int = 0
    n_no_data: int = 0
    max_points: float = 0.0
    points: float = 0.0
    bonus: float = 0.0
    deductions: float = 0.0
    total: float = 0.0
    criteria: tuple[CriterionLine, ...] = field(default_factory=tuple)
    period: str = PERIOD_YEAR  # an interim review mails its criteria at risk first
    months_remaining: int = 0
    n_on_track: int = 0
    n_lagging: int = 0
    n_at_risk: int = 0

    @property
    def n_met_or_exceeded(self) -> int:
        return self.n_exceeded + self.n_met

    @classmethod
    def from_assessment(cls, assessment: Assessment) -> ReportBrief:
        meta, totals = assessment.submission.meta, assessment.totals
        lines = tuple(
            CriterionLine(
                code=text_or_empty(row.get("code")), name=text_or_empty(row.get("name")), unit=text_or_empty(row.get("unit")),
                kind=text_or_empty(row.get("kind")), status=text_or_empty(row.get("status")),
                pct_of_plan=number_or_none(row.get("pct_of_plan")), plan=number_or_none(row.get("plan")),
                actual=number_or_none(row.get("actual")), plan_label=text_or_empty(row.get("plan_label")),
                actual_label=text_or_empty(row.get("actual_label")), monitor=text_or_empty(row.get("monitor")),
                data_status=text_or_empty(row.get("data_status")), cumulative=number_or_none(row.get("cumulative")) == 1.0,
                interim_status=text_or_empty(row.get("interim_status")),
                progress_pct=number_or_none(row.get("progress_pct")), projection=number_or_none(row.get("projection")),
                pace_per_month=number_or_none(row.get("pace_per_month")),
                needed_per_month=number_or_none(row.get("needed_per_month")),
            )
            for row in assessment.results.to_dict("records")
        )
        interim = assessment.interim
        counts: dict[str, Any] = {} if interim is None else {
            "period": interim.period, "months_remaining": interim.months_remaining,
            "n_on_track": interim.n_on_track, "n_lagging": interim.n_lagging, "n_at_risk": interim.n_at_risk}
        return cls(
            province=str(meta.province), year=int(meta.year), cluster=str(meta.cluster or ""),
            n_criteria=int(totals.n_criteria), n_exceeded=int(totals.n_exceeded), n_met=int(totals.n_met),
            n_not_met=int(totals.n_not_met), n_no_data=int(totals.n_no_data),
            max_points=float(totals.max_points), points=float(totals.points), bonus=float(totals.bonus),
            deductions=float(totals.deductions), total=float(totals.total), criteria=lines, **counts,
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["criteria"] = [asdict(c) for c in self.criteria]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportBrief:
        known = set(cls.__dataclass_fields__) - {"criteria"}
        line_fields = set(CriterionLine.__dataclass_fields__)
        lines = tuple(CriterionLine(**{k: v for k, v in c.items() if k in line_fields})
                      for c in data.get("criteria", []))
        return cls(**{k: v for k, v in data.items() if k in known}, criteria=lines)
