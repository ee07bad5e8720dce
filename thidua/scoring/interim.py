"""Interim reviews (six-month, nine-month, quarterly): progress, the year-end projection and the interim
status of every criterion; pure numpy over the criteria frame, no I/O (last year's figures come as numbers).

The projection is what the year-end rules then judge (scoring.evaluate): a cumulative figure is divided by
the share of the year expected by now, a rate or a level is already the estimate for the year.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from thidua.base import model
from thidua.base.config import SETTINGS
from thidua.base.rounding import round_difference, round_ratio

DEFAULTS: dict[str, Any] = {s.key.split(".", 1)[1]: s.default for s in SETTINGS if s.key.startswith("interim.")}


def effective_interim(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """Defaults from the settings table overlaid with the caller's [interim] values."""
    merged = dict(DEFAULTS)
    merged.update(settings or {})
    return merged


def _num(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _flags(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:  # a frame built before the column existed: nothing is cumulative
        return np.zeros(len(frame), dtype=bool)
    return frame[column].fillna(False).astype(bool).to_numpy()


def project(criteria: pd.DataFrame, period: str, settings: Mapping[str, Any], bonus_line_pct: float,
            last_year: Mapping[str, float] | None = None) -> dict[str, np.ndarray]:
    """The INTERIM_COLUMNS but `interim_status`, as arrays in row order.

    `last_year` maps a criterion code to that province's year-end actual of last year (from the ledger):
    with this year's `previous` (last year's figure for the same period) it gives last year's share at this
    point, used instead of the configured share when it is a proper share (0 < previous ≤ year total).
    """
    s = effective_interim(settings)
    elapsed = model.PERIOD_MONTHS[period]
    remaining = 12 - elapsed
    kind = criteria["kind"].astype(str).to_numpy()
    plan, actual, prev = (_num(criteria, k) for k in ("plan", "actual", "previous"))
    inc, dec = kind == model.KIND_INCREASE, kind == model.KIND_DECREASE
    cumulative = _flags(criteria, "cumulative") & (inc | dec)
    key = _flags(criteria, "key")
    known = last_year if (last_year and s["use_last_year"]) else {}
    total = np.array([known.get(str(code), np.nan) for code in criteria["code"]], dtype=float)
    seasonal = cumulative & np.isfinite(prev) & np.isfinite(total) & (prev > 0) & (total > 0) & (prev <= total)

    default_share = np.full(len(criteria), float(s[f"share_{period}"]))
    share_pct = np.where(seasonal, round_ratio(prev, total), default_share)
    projection = np.where(seasonal, round_ratio(actual * total, prev, factor=1.0),
                          round_ratio(actual, default_share, factor=100.0))
    projection = np.where(cumulative, projection, actual)

    progress = np.where(cumulative & (plan > 0) & (actual >= 0), round_ratio(actual, plan), np.nan)
    months_left = np.full(len(criteria), float(remaining))
    pace = np.where(cumulative, round_ratio(actual, np.full(len(criteria), float(elapsed)), factor=1.0), np.nan)
    line = bonus_line_pct / 100.0
    needed = round_ratio(round_difference(plan, actual), months_left, factor=1.0)
    bonus_target = np.where(inc, plan * line, plan / line)
    bonus_needed = round_ratio(round_difference(bonus_target, actual), months_left, factor=1.0)
    if remaining == 0:  # cannot happen for an interim period; keeps the arrays NaN rather than inf
        needed = bonus_needed = np.full(len(criteria), np.nan)
    # An increase still to do is 0 once reached; a decrease keeps its sign (< 0: already over the plan).
    needed = np.where(cumulative, np.where(inc, np.maximum(needed, 0.0), needed), np.nan)
    bonus_needed = np.where(cumulative & key & (plan >= 0),
                            np.where(inc, np.maximum(bonus_needed, 0.0), bonus_needed), np.nan)
    return {
        "progress_pct": progress,
        "expected_share_pct": np.where(cumulative, share_pct, np.nan),
        "share_source": np.where(cumulative, np.where(seasonal, model.SHARE_LAST_YEAR, model.SHARE_DEFAULT), ""),
        "projection": projection,
        "pace_per_month": pace,
        "needed_per_month": needed,
        "bonus_needed_per_month": bonus_needed,
    }


def judge(status: np.ndarray, pct_of_plan: np.ndarray, risk_margin_pct: float) -> np.ndarray:
    """The interim status from the year-end verdict on the projection: meets the plan → on track; below it
    but at least the margin (% of plan, as printed) → lagging; below that, or no % to measure → at risk."""
    no_data = status == model.STATUS_NO_DATA
    met = np.isin(status, (model.STATUS_EXCEEDED, model.STATUS_MET))
    lagging = ~no_data & ~met & np.isfinite(pct_of_plan) & (pct_of_plan >= risk_margin_pct)
    return np.select([no_data, met, lagging], [model.STATUS_NO_DATA, model.INTERIM_ON_TRACK,
                                               model.INTERIM_LAGGING], default=model.INTERIM_AT_RISK)


_COUNTS = {"n_on_track": model.INTERIM_ON_TRACK, "n_lagging": model.INTERIM_LAGGING,
           "n_at_risk": model.INTERIM_AT_RISK}


def field_counts(results: pd.DataFrame) -> pd.DataFrame:
    """Per field (workbook order): how many criteria are on track, lagging, at risk."""
    status = results["interim_status"]
    frame = pd.DataFrame({"field": results["field"].fillna("").astype(str),
                          **{name: (status == word).astype(int) for name, word in _COUNTS.items()}})
    return frame.groupby("field", sort=False).sum().reset_index()


def summary(results: pd.DataFrame, period: str, settings: Mapping[str, Any]) -> model.InterimSummary:
    """The period, months elapsed and remaining, and the counts per interim status."""
    status = results["interim_status"]
    elapsed = model.PERIOD_MONTHS[period]
    return model.InterimSummary(
        period=period, months_elapsed=elapsed, months_remaining=12 - elapsed,
        **{name: int((status == word).sum()) for name, word in _COUNTS.items()},
        n_no_data=int((status == model.STATUS_NO_DATA).sum()), settings=effective_interim(settings))
