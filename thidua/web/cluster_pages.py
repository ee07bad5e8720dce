"""The cluster's ranking for a year and a province's years, read from the ledger by thidua.cluster."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from thidua.cluster.build import cluster_years, rank_year
from thidua.cluster.history import YearSummary, province_years
from thidua.web.context import store, web
from thidua.web.pages import viewer

bp = Blueprint("cluster", __name__)


def _precision() -> int:
    return int(web().config["scoring.points_precision"])


@bp.route("/cum")
def ranking() -> ResponseReturnValue:
    """Every member's standing (what the cluster report mailed to each province's contact shows too)."""
    settings = web().config.cluster
    years = cluster_years(store().ledger, settings)
    asked = request.args.get("nam", "").strip()
    if asked and not asked.isdigit():
        abort(404)
    year = int(asked) if asked else (years[-1] if years else None)
    board = rank_year(store().ledger, settings, year, precision=_precision()) if year is not None else None
    return render_template("cluster.html.j2", ranking=board, years=list(reversed(years)), year=year,
                           may_open=viewer().may_see_province, configured=settings.configured)


def history(province: str) -> list[YearSummary]:
    """The province's year-end results across the years, with its cluster rank when known (oldest first)."""
    return province_years(store().ledger, province, web().config.cluster, _precision())
