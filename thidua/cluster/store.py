"""Read year-end results back from the ledger (interim periods are never read here)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from thidua.base.ledger import Ledger
from thidua.base.model import OUTCOME_OK, PERIOD_YEAR, STATUS_EXCEEDED, STATUS_MET
from thidua.base.textfold import strip_marks


@dataclass(frozen=True)
class CriterionResult:
    """One criterion of one province's year-end result, as recorded."""

    code: str
    name: str
    field: str
    kind: str
    status: str
    pct_of_plan: float | None
    points: float
    bonus: float
    max_points: float | None  # None for results recorded before the ledger kept it
    key: bool

    @property
    def met(self) -> bool:
        return self.status in (STATUS_MET, STATUS_EXCEEDED)

    @property
    def available(self) -> float:
        """Points still to be won by meeting the plan (0 when met, or when the maximum is unknown)."""
        if self.met or self.max_points is None:
            return 0.0
        return max(0.0, self.max_points - self.points)


@dataclass(frozen=True)
class YearResult:
    """One province's latest year-end result for one year: which file, when, and every criterion."""

    province: str  # as typed in the workbook
    year: int
    file_id: int
    source: str  # the workbook's file name
    sha256: str
    processed_at: str  # ISO time the file was finished
    cluster: str  # the workbook's `Cụm thi đua`
    deductions: float
    criteria: tuple[CriterionResult, ...]


@dataclass(frozen=True)
class FileSeen:
    """A workbook of a province and year that was processed successfully (the latest is the one used)."""

    province: str
    year: int
    name: str
    sha256: str
    processed_at: str


_RESULTS = (
    "SELECT r.*, f.name AS source, f.sha256 AS sha256, f.finished_at AS processed_at, f.cluster AS cluster, "
    "f.deductions AS deductions FROM results r JOIN files f ON f.id = r.file_id WHERE r.period = ?"
)


def year_results(ledger: Ledger, year: int | None = None) -> list[YearResult]:
    """Every province's recorded year-end result (of `year`, or of every year), in the order recorded."""
    sql, params = _RESULTS, list[object]([PERIOD_YEAR])
    if year is not None:
        sql += " AND r.year = ?"
        params.append(year)
    rows = ledger.conn.execute(sql + " ORDER BY r.file_id, r.rowid", params).fetchall()
    grouped: dict[int, list[sqlite3.Row]] = {}
    for row in rows:
        grouped.setdefault(int(row["file_id"]), []).append(row)
    out = []
    for file_id, group in grouped.items():
        first = group[0]
        criteria = tuple(CriterionResult(
            code=str(r["code"]), name=str(r["name"]), field=str(r["field"]), kind=str(r["kind"]),
            status=str(r["status"]), pct_of_plan=r["pct_of_plan"], points=float(r["points"]),
            bonus=float(r["bonus"]), max_points=r["max_points"], key=bool(r["key"])) for r in group)
        out.append(YearResult(
            province=str(first["province"]), year=int(first["year"]), file_id=file_id,
            source=str(first["source"]), sha256=str(first["sha256"]),
            processed_at=str(first["processed_at"] or ""), cluster=str(first["cluster"] or ""),
            deductions=float(first["deductions"] or 0.0), criteria=criteria))
    return out


def files_seen(ledger: Ledger, year: int) -> list[FileSeen]:
    """Year-end workbooks of `year` processed successfully, oldest first (reused answers are not new files)."""
    rows = ledger.conn.execute(
        "SELECT province, year, name, sha256, finished_at FROM files WHERE year = ? AND period = ? AND outcome = ? "
        "AND reused_from IS NULL AND province IS NOT NULL ORDER BY finished_at, id",
        (year, PERIOD_YEAR, OUTCOME_OK)).fetchall()
    return [FileSeen(str(r["province"]), int(r["year"]), str(r["name"]), str(r["sha256"]), str(r["finished_at"] or ""))
            for r in rows]


def recorded_years(ledger: Ledger) -> list[int]:
    """Years that have year-end results, ascending."""
    rows = ledger.conn.execute("SELECT DISTINCT year FROM results WHERE period = ? ORDER BY year", (PERIOD_YEAR,))
    return [int(r[0]) for r in rows.fetchall()]


def recorded_provinces(ledger: Ledger) -> list[str]:
    """Province names with year-end results, as typed in the workbooks, alphabetical."""
    rows = ledger.conn.execute("SELECT DISTINCT province FROM results WHERE period = ?", (PERIOD_YEAR,)).fetchall()
    return sorted((str(r[0]) for r in rows), key=strip_marks)
