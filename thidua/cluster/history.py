"""A province across the years: totals and criteria met per year, its cluster rank, what changed since last year."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from thidua.base.cluster_config import ClusterSettings, province_key
from thidua.base.ledger import Ledger
from thidua.base.model import STATUS_EXCEEDED, STATUS_MET, STATUS_NOT_MET, Assessment
from thidua.base.values import number_or_none, text_or_empty
from thidua.cluster.build import rank_year
from thidua.cluster.members import belongs
from thidua.cluster.ranking import standing_of
from thidua.cluster.store import CriterionResult, YearResult, year_results

YEARS_SHOWN = 5  # the report's chart of totals covers at most this many years


@dataclass(frozen=True)
class YearSummary:
    """One year of a province: its totals, the file they come from, and its cluster rank when known."""

    year: int
    total: float
    points: float
    bonus: float
    deductions: float
    max_points: float
    n_criteria: int
    n_met_or_exceeded: int
    source: str = ""
    processed_at: str = ""
    rank: int | None = None
    n_ranked: int | None = None


@dataclass(frozen=True)
class StatusChange:
    """A criterion met one year and not the other (on a code both years have)."""

    code: str
    name: str
    before: str
    after: str
    pct_before: float | None
    pct_after: float | None


@dataclass
class Comparison:
    """Year Y of a province against its latest earlier year in the ledger (usually Y − 1)."""

    province: str
    current: YearSummary
    previous: YearSummary
    n_common: int  # codes both years have: the status changes are counted on these only
    n_new: int  # codes only this year has
    n_dropped: int  # codes only the earlier year had
    improved: list[StatusChange] = field(default_factory=list)  # chưa đạt → đạt / vượt
    worsened: list[StatusChange] = field(default_factory=list)  # đạt / vượt → chưa đạt
    years: list[YearSummary] = field(default_factory=list)  # up to YEARS_SHOWN, ascending, ending with current
    previous_criteria: dict[str, CriterionResult] = field(default_factory=dict)  # the earlier year, by code


def _summary(result: YearResult, precision: int) -> YearSummary:
    s = standing_of(result.province, result, precision)
    return YearSummary(result.year, s.total, s.points, s.bonus, s.deductions, s.max_points, s.n_criteria,
                       s.n_met_or_exceeded, result.source, result.processed_at)


def latest_by_year(ledger: Ledger, province: str) -> dict[int, YearResult]:
    """The province's latest year-end result of each year (names matched like members are)."""
    key = province_key(province)
    out: dict[int, YearResult] = {}
    for r in year_results(ledger):
        held = out.get(r.year)
        if province_key(r.province) == key and (held is None or (r.processed_at, r.file_id) > (held.processed_at, held.file_id)):
            out[r.year] = r
    return dict(sorted(out.items()))


def province_years(ledger: Ledger, province: str, settings: ClusterSettings, precision: int = 2) -> list[YearSummary]:
    """Every year of the province, ascending, with its rank in the cluster when it is a member."""
    out = []
    for year, result in latest_by_year(ledger, province).items():
        summary = _summary(result, precision)
        if settings.configured and belongs(settings, result.province, result.cluster):
            ranking = rank_year(ledger, settings, year, precision=precision, with_previous=False)
            mine = next((s for s in ranking.standings if province_key(s.province) == province_key(province)), None)
            if mine is not None:
                summary = dataclasses.replace(summary, rank=mine.rank, n_ranked=len(ranking.standings))
        out.append(summary)
    return out


def _met(status: str) -> bool | None:
    """True met/exceeded, False not met, None without data (no change can be claimed)."""
    if status in (STATUS_MET, STATUS_EXCEEDED):
        return True
    return False if status == STATUS_NOT_MET else None


def compare(ledger: Ledger, assessment: Assessment, precision: int = 2) -> Comparison | None:
    """The province report's comparison with earlier years; None when the ledger has no earlier year."""
    meta, t = assessment.submission.meta, assessment.totals
    earlier = {y: r for y, r in latest_by_year(ledger, meta.province).items() if y < meta.year}
    if not earlier:
        return None
    current = YearSummary(meta.year, t.total, t.points, t.bonus, t.deductions, t.max_points, t.n_criteria,
                          t.n_met_or_exceeded, assessment.submission.source.name if assessment.submission.source else "")
    last = earlier[max(earlier)]
    before = {c.code: c for c in last.criteria}
    rows = assessment.results.to_dict("records")
    codes_now = [text_or_empty(r["code"]) for r in rows]
    cmp = Comparison(meta.province, current, _summary(last, precision),
                     n_common=sum(1 for c in codes_now if c in before),
                     n_new=sum(1 for c in codes_now if c not in before),
                     n_dropped=sum(1 for c in before if c not in set(codes_now)), previous_criteria=before)
    for r in rows:
        old = before.get(text_or_empty(r["code"]))
        if old is None:
            continue
        was, now = _met(old.status), _met(text_or_empty(r["status"]))
        if was is None or now is None or was == now:
            continue
        change = StatusChange(old.code, text_or_empty(r["name"]), old.status, text_or_empty(r["status"]),
                              old.pct_of_plan, number_or_none(r.get("pct_of_plan")))
        (cmp.improved if now else cmp.worsened).append(change)
    shown = sorted(earlier)[-(YEARS_SHOWN - 1):]
    cmp.years = [_summary(earlier[y], precision) for y in shown] + [current]
    return cmp
