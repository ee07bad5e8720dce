"""Evaluate every criterion against its plan and score it with the [scoring] rules; pure pandas, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from thidua.base import model
from thidua.base.rounding import round_difference, round_half_up, round_product, round_ratio
from thidua.scoring import interim
from thidua.scoring.explain import explanations
from thidua.scoring.rules import GRADE_SHARE_KEYS, RULES, effective_settings

__all__ = ["RULES", "evaluate", "effective_settings"]

# Largest % of plan reported; only reachable with a denominator near zero.
PCT_CAP = 1e9

BY_FIELD_COLUMNS = ("field", "n_criteria", "n_met_or_exceeded", "n_not_met", "n_no_data",
                    "max_points", "points", "bonus")


def _num(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _score(c: pd.DataFrame, s: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """All result columns as arrays; one pass of masks, no per-row Python."""
    kind = c["kind"].astype(str).to_numpy()
    plan, actual, maxp = (_num(c, k) for k in ("plan", "actual", "max_points"))
    maxp = np.nan_to_num(np.clip(maxp, 0, None))
    key = c["key"].fillna(False).astype(bool).to_numpy()
    floor, line = float(s["floor_pct"]), float(s["bonus_line_pct"])
    prec, proportional = int(s["points_precision"]), bool(s["proportional"])

    inc, dec = kind == model.KIND_INCREASE, kind == model.KIND_DECREASE
    pf, gr = kind == model.KIND_PASS_FAIL, kind == model.KIND_GRADE
    num = inc | dec
    no_actual = np.isnan(actual)
    has = ~no_actual
    levels = tuple(float(x) for x in GRADE_SHARE_KEYS)
    invalid = ~(num | pf | gr) | (pf & has & ~np.isin(actual, (0.0, 1.0))) | (
        gr & has & ~(np.isin(actual, levels) & np.isin(plan, levels)))
    no_plan = num & has & np.isnan(plan)
    no_data = invalid | no_actual | no_plan
    ok = num & ~no_data

    # % of plan exists only where the ratio means something: positive plan, non-negative actual
    # (increase) / positive actual (decrease).
    inc_pct = ok & inc & (plan > 0) & (actual >= 0)
    dec_pct = ok & dec & (plan > 0) & (actual > 0)
    pct = np.where(inc_pct, round_ratio(actual, plan), np.where(dec_pct, round_ratio(plan, actual), np.nan))
    pct = np.minimum(pct, PCT_CAP)  # a near-zero denominator must not yield inf
    has_pct = inc_pct | dec_pct
    zero_plan = ok & (plan == 0) & ((inc & (actual >= 0)) | (dec & (actual > 0)))
    zero_actual = ok & dec & (actual == 0) & (plan >= 0)
    negative = ok & ~has_pct & ~zero_plan & ~zero_actual

    # How much better than plan: > 0 exceeded, 0 met, < 0 not met.
    better = np.select(
        [has_pct, inc, dec, pf, gr],
        [pct - 100.0, actual - plan, plan - actual, actual - 1.0, actual - plan], default=np.nan)
    status = np.select([no_data, better > 0, better == 0],
                       [model.STATUS_NO_DATA, model.STATUS_EXCEEDED, model.STATUS_MET],
                       default=model.STATUS_NOT_MET)
    met = ~no_data & (better >= 0)

    grade_share = np.select([gr & (actual == lvl) for lvl in GRADE_SHARE_KEYS],
                            [float(s[k]) for k in GRADE_SHARE_KEYS.values()], default=0.0)
    prop_share = np.where(pct >= 100, 100.0, np.where(
        (pct >= floor) & proportional, pct, 0.0))
    share = np.select([no_data, gr, has_pct], [0.0, grade_share, prop_share], default=np.where(met, 100.0, 0.0))
    points = np.where(share >= 100, maxp, np.minimum(round_product(maxp, share, 100.0, prec), maxp))

    # Bonus: key criteria strictly past the line; an infinite ratio (plan 0 with actual > 0 to
    # increase, actual 0 against a positive plan to decrease) is past any line. Never with negatives.
    # A decrease below zero against a positive plan is better than the best case 0: past the line too,
    # so lowering the actual never lowers points + bonus.
    below_zero = negative & dec & (plan > 0) & (actual < 0)
    past_line = (has_pct & (pct > line) & (pct >= 100)) | (zero_plan & inc & (actual > 0)) | (
        zero_actual & (plan > 0)) | below_zero
    earns_bonus = key & past_line
    bonus = np.where(earns_bonus, round_product(maxp, np.full_like(maxp, float(s["bonus_share_pct"])),
                                                100.0, prec), 0.0)

    rule = np.select(
        [invalid, no_actual, no_plan, pf & (actual == 1), pf, gr, zero_plan, zero_actual, negative,
         earns_bonus, pct >= 100, pct < floor, np.full(met.shape, not proportional)],
        ["invalid", "no-data", "no-plan", "pass", "fail", "grade", "zero-plan", "zero-actual", "negative",
         "bonus", "full", "below-floor", "below-plan"], default="proportional")

    shortfall = np.select([dec, pf], [round_difference(actual, plan), 1.0 - actual],
                          default=round_difference(plan, actual))
    gap_to_plan = np.where(no_data, np.nan, np.where(met, 0.0, shortfall))
    threshold = np.where(inc, plan * line / 100.0, plan / (line / 100.0))
    to_line = np.where(inc, round_difference(threshold, actual), round_difference(actual, threshold))
    bonus_applies = key & ok & (plan >= 0) & (~negative | below_zero) & ~(dec & (plan == 0))
    gap_to_bonus = np.where(bonus_applies, np.where(earns_bonus, 0.0, np.maximum(to_line, 0.0)), np.nan)

    return {
        "pct_of_plan": pct, "status": status, "rule": rule, "points": points, "bonus": bonus,
        **_year_on_year(c), "gap_to_plan": gap_to_plan, "gap_to_bonus": gap_to_bonus,
    }


def _year_on_year(c: pd.DataFrame) -> dict[str, np.ndarray]:
    """actual − previous and its % of |previous|, for figures only."""
    kind = c["kind"].astype(str).to_numpy()
    actual, prev = _num(c, "actual"), _num(c, "previous")
    num = (kind == model.KIND_INCREASE) | (kind == model.KIND_DECREASE)
    yoy_change = round_difference(actual, prev)
    yoy_pct = round_ratio(yoy_change, np.abs(prev))
    yoy_pct = np.where(num & np.isfinite(yoy_pct), yoy_pct, np.nan)
    yoy_change = np.where(num, yoy_change, np.nan)  # a difference of grade ranks or Đạt flags means nothing
    return {"yoy_change": yoy_change, "yoy_pct": yoy_pct}


def _by_field(results: pd.DataFrame, prec: int) -> pd.DataFrame:
    """Counts and points per field, fields in workbook order."""
    status = results["status"]
    frame = pd.DataFrame({
        "field": results["field"].fillna("").astype(str),
        "n_criteria": 1,
        "n_met_or_exceeded": status.isin((model.STATUS_EXCEEDED, model.STATUS_MET)).astype(int),
        "n_not_met": (status == model.STATUS_NOT_MET).astype(int),
        "n_no_data": (status == model.STATUS_NO_DATA).astype(int),
        "max_points": pd.to_numeric(results["max_points"], errors="coerce").fillna(0.0).clip(lower=0),
        "points": results["points"],
        "bonus": results["bonus"],
    })
    grouped = frame.groupby("field", sort=False).sum().reset_index()
    for col in ("max_points", "points", "bonus"):
        grouped[col] = round_half_up(grouped[col].to_numpy(dtype=float), prec)
    return grouped[list(BY_FIELD_COLUMNS)]


def _totals(results: pd.DataFrame, deductions: pd.DataFrame, prec: int) -> model.Totals:
    """Overall counts and points; total = points + bonus − deductions."""
    status = results["status"]

    def total_of(values: pd.Series) -> float:
        return float(round_half_up(np.array([pd.to_numeric(values, errors="coerce").fillna(0.0).sum()]),
                                   prec)[0])

    points, bonus = total_of(results["points"]), total_of(results["bonus"])
    deducted = total_of(deductions["points"]) if "points" in deductions else 0.0
    return model.Totals(
        n_criteria=len(results),
        n_exceeded=int((status == model.STATUS_EXCEEDED).sum()),
        n_met=int((status == model.STATUS_MET).sum()),
        n_not_met=int((status == model.STATUS_NOT_MET).sum()),
        n_no_data=int((status == model.STATUS_NO_DATA).sum()),
        max_points=total_of(results["max_points"].clip(lower=0)),
        points=points,
        bonus=bonus,
        deductions=deducted,
        total=float(round_half_up(np.array([points + bonus - deducted]), prec)[0]),
    )


def evaluate(submission: model.Submission, settings: Mapping[str, Any], *,
             templates_dir: Path | None = None, interim_settings: Mapping[str, Any] | None = None,
             last_year: Mapping[str, float] | None = None) -> model.Assessment:
    """Score a submission: per-criterion results, totals per field and overall.

    A six-month, nine-month or quarterly workbook (`meta.period`) is an interim review: every criterion is
    judged on its year-end projection (scoring.interim) with the same rules, its points are provisional,
    and the INTERIM_COLUMNS are added; `interim_settings` is the [interim] section and `last_year` maps
    codes to the province's year-end actuals of last year (seasonality). `templates_dir` is only where the
    explanation sentences' template may be overridden.
    """
    s = effective_settings(settings)
    criteria = submission.criteria.reset_index(drop=True)
    period = submission.meta.period
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # non-finite cases are masked
        if period == model.PERIOD_YEAR:
            projected, judged = None, criteria
        else:
            projected = interim.project(criteria, period, interim_settings or {}, float(s["bonus_line_pct"]),
                                        last_year)
            if "cumulative" not in criteria:  # a frame built before the column existed: nothing accumulates
                criteria = criteria.assign(cumulative=False)
            judged = criteria.assign(actual=projected["projection"])  # the year-end rules judge the projection
        scored = _score(judged, s)
        if projected is not None:
            scored.update(_year_on_year(criteria))  # the period's own figures against the same period last year
    results = judged.assign(**scored)
    results["explanation"] = explanations(results, s, templates_dir)
    prec = int(s["points_precision"])
    by_field = _by_field(results, prec)
    summary = None
    if projected is not None:
        margin = float(interim.effective_interim(interim_settings)["risk_margin_pct"])
        status = interim.judge(results["status"].to_numpy(), results["pct_of_plan"].to_numpy(dtype=float), margin)
        added = {**projected, "interim_status": status}
        results = results.assign(actual=criteria["actual"], **{c: added[c] for c in model.INTERIM_COLUMNS})
        by_field = by_field.merge(interim.field_counts(results), on="field", how="left", sort=False)
        summary = interim.summary(results, period, interim_settings or {})
    return model.Assessment(
        submission=submission,
        results=results,
        by_field=by_field,
        totals=_totals(results, submission.deductions, prec),
        settings=s,
        interim=summary,
    )
