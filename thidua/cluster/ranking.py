"""Rank a cluster's members for a year: totals, tie-breakers, shared places, awards, cross-checks (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from thidua.base.cluster_config import Award
from thidua.base.rounding import half_up
from thidua.base.textfold import strip_marks
from thidua.base.vnformat import number
from thidua.cluster.store import CriterionResult, YearResult


@dataclass
class Standing:
    """One ranked province: its totals, the counts the tie-breakers read, its place and award."""

    province: str
    result: YearResult
    points: float
    bonus: float
    deductions: float
    total: float
    max_points: float
    n_criteria: int
    n_met_or_exceeded: int
    n_key_bonus: int  # key criteria past the bonus line (earning a bonus)
    rank: int = 0
    award: str | None = None
    previous_rank: int | None = None

    @property
    def pct_of_max(self) -> float | None:
        return half_up(self.total / self.max_points * 100, 2) if self.max_points else None

    @property
    def unmet(self) -> list[CriterionResult]:
        """Criteria not met that still hold points, most points available first (code order on ties)."""
        rows = [c for c in self.result.criteria if c.available > 0]
        return sorted(rows, key=lambda c: -c.available)


@dataclass
class CriterionRow:
    """One criterion code across the ranked provinces (the annex and section II read these)."""

    code: str
    name: str
    field: str
    key: bool
    by_province: dict[str, CriterionResult] = dataclasses.field(default_factory=dict)

    @property
    def not_met(self) -> list[str]:
        return [p for p, c in self.by_province.items() if not c.met]


@dataclass(frozen=True)
class Tie:
    """Two neighbours with the same total: the tie-breaker that put `upper` first, or None (same place)."""

    upper: Standing
    lower: Standing
    decided_by: str | None


@dataclass
class Ranking:
    """The cluster's year: ranked standings (rank order), members missing, warnings, the criteria matrix."""

    cluster: str
    year: int
    standings: list[Standing]
    missing: list[str]
    warnings: list[str]
    criteria: list[CriterionRow]
    tie_breakers: tuple[str, ...]
    max_points_differ: bool = False
    ties: list[Tie] = field(default_factory=list)

    def standing(self, province: str) -> Standing | None:
        return next((s for s in self.standings if s.province == province), None)


def standing_of(province: str, result: YearResult, precision: int) -> Standing:
    """Sum a result like scoring does (sum, then round half-up): total = points + bonus − deductions."""
    points = half_up(sum(c.points for c in result.criteria), precision)
    bonus = half_up(sum(c.bonus for c in result.criteria), precision)
    deductions = half_up(result.deductions, precision)
    return Standing(
        province=province, result=result, points=points, bonus=bonus, deductions=deductions,
        total=half_up(points + bonus - deductions, precision),
        max_points=half_up(sum(c.max_points or 0.0 for c in result.criteria), precision),
        n_criteria=len(result.criteria), n_met_or_exceeded=sum(1 for c in result.criteria if c.met),
        n_key_bonus=sum(1 for c in result.criteria if c.key and c.bonus > 0),
    )


def _sort_key(s: Standing, tie_breakers: Sequence[str]) -> tuple[float, ...]:
    keys = {"met": -s.n_met_or_exceeded, "key_bonus": -s.n_key_bonus, "deductions": s.deductions}
    return (-s.total, *(float(keys[t]) for t in tie_breakers))


def assign_ranks(standings: list[Standing], tie_breakers: Sequence[str]) -> list[Standing]:
    """Order by total then the tie-breakers; still equal → the same rank, the next one skipped (1, 2, 2, 4)."""
    ordered = sorted(standings, key=lambda s: (_sort_key(s, tie_breakers), strip_marks(s.province)))
    for i, s in enumerate(ordered):
        same = i and _sort_key(s, tie_breakers) == _sort_key(ordered[i - 1], tie_breakers)
        s.rank = ordered[i - 1].rank if same else i + 1
    return ordered


def find_ties(ordered: list[Standing], tie_breakers: Sequence[str]) -> list[Tie]:
    """Neighbours level on total points, with what separated them (nothing: a shared place)."""
    ties = []
    for upper, lower in zip(ordered, ordered[1:], strict=False):
        if upper.total != lower.total:
            continue
        a, b = _sort_key(upper, tie_breakers)[1:], _sort_key(lower, tie_breakers)[1:]
        decided = next((t for t, x, y in zip(tie_breakers, a, b, strict=True) if x != y), None)
        ties.append(Tie(upper, lower, decided))
    return ties


def give_awards(ordered: list[Standing], awards: Sequence[Award]) -> list[str]:
    """Places 1… get the awards in order (count places each); a shared place gets its award for every
    province on it, and a warning says when that is more than the award's count."""
    slots = [a.name for a in awards for _ in range(a.count)]
    given: dict[str, list[Standing]] = {}
    for s in ordered:
        s.award = slots[s.rank - 1] if s.rank - 1 < len(slots) else None
        if s.award is not None:
            given.setdefault(s.award, []).append(s)
    warnings = []
    for award in awards:
        holders = given.get(award.name, [])
        if len(holders) > award.count:
            names = ", ".join(s.province for s in holders)
            warnings.append(f"{award.name}: {award.count} suất nhưng {len(holders)} tỉnh được đề nghị do đồng hạng "
                            f"({names}); Cụm cần xem xét, quyết định.")
    return warnings


def criteria_rows(ordered: list[Standing]) -> list[CriterionRow]:
    """Every code of the ranked provinces, in order of first appearance (provinces in rank order)."""
    rows: dict[str, CriterionRow] = {}
    for s in ordered:
        for c in s.result.criteria:
            row = rows.setdefault(c.code, CriterionRow(c.code, c.name, c.field, c.key))
            row.key = row.key or c.key
            row.by_province[s.province] = c
    return list(rows.values())


def cross_checks(ordered: list[Standing], rows: list[CriterionRow]) -> list[str]:
    """Codes some members lack; codes whose maximum points differ; totals of maxima that differ."""
    warnings = []
    provinces = [s.province for s in ordered]
    lacking: dict[tuple[str, ...], list[str]] = {}
    for row in rows:
        absent = tuple(p for p in provinces if p not in row.by_province)
        if absent:
            lacking.setdefault(absent, []).append(row.code)
    for absent, codes in lacking.items():
        word = "Mã" if len(codes) == 1 else "Các mã"
        present = [p for p in provinces if p not in absent]
        if len(present) < len(absent):
            warnings.append(f"{word} {', '.join(codes)} chỉ có trong báo cáo của {', '.join(present)}.")
        else:
            warnings.append(f"{word} {', '.join(codes)} không có trong báo cáo của {', '.join(absent)}.")
    for row in rows:
        by_max: dict[float, list[str]] = {}
        for province, c in row.by_province.items():
            if c.max_points is not None:
                by_max.setdefault(c.max_points, []).append(province)
        if len(by_max) > 1:
            parts = "; ".join(f"{number(mx)} ({', '.join(ps)})" for mx, ps in sorted(by_max.items(), reverse=True))
            warnings.append(f"Mã {row.code} ({row.name}) có điểm chuẩn khác nhau giữa các tỉnh: {parts}.")
    unknown = [s.province for s in ordered if any(c.max_points is None for c in s.result.criteria)]
    if unknown:
        warnings.append(f"Sổ theo dõi chưa có điểm chuẩn từng tiêu chí của {', '.join(unknown)} (kết quả ghi từ phiên "
                        "bản cũ): xử lý lại tệp của tỉnh để có đủ số liệu.")
    return warnings


def rank(cluster: str, year: int, chosen: dict[str, YearResult], *, missing: Sequence[str] = (),
         warnings: Sequence[str] = (), tie_breakers: Sequence[str], awards: Sequence[Award] = (),
         precision: int = 2) -> Ranking:
    """The ranking of `chosen` (province → its result); `warnings` from the selection come first."""
    ordered = assign_ranks([standing_of(p, r, precision) for p, r in chosen.items()], tie_breakers)
    rows = criteria_rows(ordered)
    notes = list(warnings) + cross_checks(ordered, rows)
    maxima = {s.max_points for s in ordered}
    if len(maxima) > 1:
        notes.append(f"Tổng điểm chuẩn khác nhau giữa các tỉnh (từ {number(min(maxima))} đến {number(max(maxima))} "
                     "điểm): xếp hạng theo tổng điểm, kèm tỷ lệ tổng điểm so điểm chuẩn của từng tỉnh.")
    notes += give_awards(ordered, awards)
    return Ranking(cluster, year, ordered, list(missing), notes, rows, tuple(tie_breakers),
                   max_points_differ=len(maxima) > 1, ties=find_ties(ordered, tie_breakers))
