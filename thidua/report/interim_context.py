"""What the interim report's templates add to the context: rows by interim status, who follows each
criterion, the chart of year-end projections; values only, the wording stays in templates/so_ket.html.j2."""

from __future__ import annotations

from typing import Any

from thidua.base.model import (
    INTERIM_AT_RISK,
    INTERIM_LAGGING,
    INTERIM_ON_TRACK,
    KIND_DECREASE,
    KIND_INCREASE,
    STATUS_NO_DATA,
    Assessment,
)
from thidua.report import charts
from thidua.report.context import group_by


def interim_context(assessment: Assessment, context: dict[str, Any]) -> dict[str, Any]:
    """The interim keys, built from the year-end context's rows (mutated: each row learns its members)."""
    summary = assessment.interim
    assert summary is not None
    rows: list[dict[str, Any]] = context["rows"]
    members: dict[str, list[str]] = {}
    for group in context["monitors"]:
        for r in group["rows"]:
            members.setdefault(r["code"], []).append(group["name"])
    for r in rows:
        r["members"] = members.get(r["code"], [])
        r["on_track"] = r["interim_status"] == INTERIM_ON_TRACK
        r["figure"] = r["kind"] in (KIND_INCREASE, KIND_DECREASE)
    for r in rows:
        r["behind"] = r["interim_status"] in (INTERIM_LAGGING, INTERIM_AT_RISK)
    behind = [r for r in rows if r["behind"]]
    # Bars are coloured by interim status; beyond charts.MAX_BARS criteria the key ones and those behind stay.
    chart_rows = [{**r, "status": r["interim_status"], "key": r["key"] or r["behind"]} for r in rows]
    return {
        "interim": summary,
        "header_year": context["year"],  # a review is dated within its own year
        "period": summary.period,
        "months_elapsed": summary.months_elapsed,
        "months_remaining": summary.months_remaining,
        "interim_settings": summary.settings,
        "on_track_rows": [r for r in rows if r["on_track"]],
        "lagging_rows": [r for r in rows if r["interim_status"] == INTERIM_LAGGING],
        "at_risk_rows": [r for r in rows if r["interim_status"] == INTERIM_AT_RISK],
        "behind_rows": behind,
        "behind_by_agency": group_by(behind, "agency"),
        "seasonal_rows": [r for r in rows if r.get("share_source") == "last_year"],
        "projection_chart": charts.percent_chart(chart_rows, context["bonus_line"]),
        "interim_words": {"on_track": INTERIM_ON_TRACK, "lagging": INTERIM_LAGGING, "at_risk": INTERIM_AT_RISK,
                          "no_data": STATUS_NO_DATA},
    }
