"""What a new report reads from the ledger: the province's earlier year-end results (the comparison of
years) and last year's actuals (an interim review's share at this point)."""

from __future__ import annotations

import logging
import sqlite3
from typing import TYPE_CHECKING

from thidua.base.config import Config
from thidua.base.model import Assessment, Submission
from thidua.base.textfold import fold

if TYPE_CHECKING:
    from thidua.cluster.history import Comparison

log = logging.getLogger(__name__)


def earlier_years(assessment: Assessment, config: Config) -> Comparison | None:
    """The province's earlier year-end results in the ledger, compared with this one (None when there are
    none, or no ledger yet); a ledger that cannot be read never stops the report."""
    from thidua.base.ledger import Ledger
    from thidua.cluster.history import compare

    path = config.path("ledger.path")
    if not path.is_file():
        return None
    try:
        with Ledger(path) as ledger:
            return compare(ledger, assessment, int(config["scoring.points_precision"]))
    except sqlite3.Error:
        log.exception("could not read earlier years of %s from the ledger", assessment.submission.meta.province)
        return None


def last_year_actuals(submission: Submission, config: Config) -> dict[str, float]:
    """Code → the province's year-end actual of last year, for each cumulative criterion the ledger knows
    with the same code and kind: an interim review reads last year's share at this point from it."""
    path = config.path("ledger.path")
    if not path.is_file():  # nothing recorded yet (and reading must not create a ledger)
        return {}
    from thidua.base.ledger import Ledger
    from thidua.base.year_end import year_end_actuals

    meta = submission.meta
    with Ledger(path) as ledger:
        known = {fold(code): found for code, found in year_end_actuals(ledger, meta.province, meta.year - 1).items()}
    out: dict[str, float] = {}
    criteria = submission.criteria
    for code, kind, cumulative in zip(criteria["code"], criteria["kind"], criteria["cumulative"], strict=True):
        found = known.get(fold(str(code)))
        if cumulative and found is not None and found[0] == kind:
            out[str(code)] = found[1]
    return out
