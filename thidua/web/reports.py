"""Reports by province and year from the ledger, a province's page, the blank template and the filling guide."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import Blueprint, abort, render_template, request, send_file
from flask.typing import ResponseReturnValue

from thidua.base.textfold import fold
from thidua.web.context import store, web
from thidua.web.pages import outputs_of, viewer
from thidua.web.store import ReportRow

bp = Blueprint("reports", __name__)

TEMPLATE_NAME = "mau-tieu-chi-thi-dua.xlsx"


def _filtered(rows: list[ReportRow], province: str, year: str) -> list[ReportRow]:
    if province:
        rows = [r for r in rows if fold(r.province) == fold(province)]
    if year.isdigit():
        rows = [r for r in rows if r.year == int(year)]
    return rows


@bp.route("/bao-cao")
def reports() -> ResponseReturnValue:
    """Every province's latest report of each year (a province account: its own only)."""
    province, year = request.args.get("tinh", "").strip(), request.args.get("nam", "").strip()
    if province and not viewer().may_see_province(province):
        abort(403)
    everything = store().reports(viewer())
    rows = _filtered(everything, province, year)
    provinces = sorted({r.province for r in everything}, key=fold)
    years = sorted({r.year for r in everything}, reverse=True)
    return render_template("reports.html.j2", rows=rows, provinces=provinces, years=years, province=province,
                           year=year, outputs_of=outputs_of)


@bp.route("/tinh/<province>")
def province_page(province: str) -> ResponseReturnValue:
    """One province across the years (the seam where its history and cluster rank are shown)."""
    if not viewer().may_see_province(province):
        abort(403)
    from thidua.web.cluster_pages import history

    rows = _filtered(store().reports(viewer()), province, "")
    shown = rows[0].province if rows else province
    return render_template("province.html.j2", province=shown, rows=rows, outputs_of=outputs_of,
                           years=list(reversed(history(province))))


@bp.route("/mau-excel")
def blank_template() -> ResponseReturnValue:
    """The standard blank workbook, written by the same code as the `template` command (once per start)."""
    cache = web().cache
    if TEMPLATE_NAME not in cache:
        from thidua.intake.template import write_template

        with tempfile.TemporaryDirectory() as tmp:
            cache[TEMPLATE_NAME] = write_template(Path(tmp) / TEMPLATE_NAME).read_bytes()
    return send_file(io.BytesIO(cache[TEMPLATE_NAME]), as_attachment=True, download_name=TEMPLATE_NAME,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", max_age=0)


@bp.route("/huong-dan")
def guide() -> ResponseReturnValue:
    """How to fill the template: the steps and every sheet's columns, from the contract table."""
    from thidua.intake import contract

    return render_template("guide.html.j2", steps=contract.filling_steps(), contract=contract,
                           sheets=(contract.CRITERIA_SHEET, contract.DEDUCTIONS_SHEET), info_rows=contract.INFO_ROWS,
                           type_names=contract.TYPE_NAMES, allowed_text=contract.allowed_text)
