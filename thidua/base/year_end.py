"""A province's year-end results of one year, read from the ledger for interim reviews (never interim ones)."""

from __future__ import annotations

import sqlite3

from thidua.base.ledger import Ledger
from thidua.base.model import PERIOD_YEAR
from thidua.base.textfold import fold


def _rows(ledger: Ledger, province: str, year: int) -> list[sqlite3.Row]:
    """Year-end result rows of one province and year; the province name is matched as labels are (case,
    spacing, diacritics typed either way), since officers type it anew in every workbook."""
    rows = ledger.conn.execute("SELECT * FROM results WHERE year=? AND period=? ORDER BY rowid",
                               (year, PERIOD_YEAR)).fetchall()
    wanted = fold(province)
    return [r for r in rows if fold(str(r["province"])) == wanted]


def year_end_actuals(ledger: Ledger, province: str, year: int) -> dict[str, tuple[str, float]]:
    """Criterion code → (kind, actual) of the province's year-end results of `year` that have a figure."""
    return {str(r["code"]): (str(r["kind"]), float(r["actual"])) for r in _rows(ledger, province, year)
            if r["actual"] is not None}


def recorded_after(ledger: Ledger, province: str, year: int, file_id: int) -> bool:
    """Whether the province's year-end results of `year` were recorded by a file processed after `file_id`
    (an interim result made before then could not use them)."""
    return any(int(r["file_id"]) > file_id for r in _rows(ledger, province, year))
