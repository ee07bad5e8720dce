"""Shape an Assessment into plain template data: records, groupings, charts; no wording here."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from thidua.base.config import Config, Recipient
from thidua.base.model import (
    KIND_DECREASE,
    KIND_INCREASE,
    STATUS_EXCEEDED,
    STATUS_MET,
    STATUS_NO_DATA,
    STATUS_NOT_MET,
    Assessment,
)
from thidua.base.textfold import fold, split_names
from thidua.base.values import plain
from thidua.report import charts
from thidua.report.textwidth import TextWidth

LABEL_FONT = "fonts/LiberationSerif-Regular.ttf"  # measures chart labels (Times New Roman has the same widths)

if TYPE_CHECKING:
    from thidua.cluster.history import Comparison


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as dicts of plain Python values."""
    cols = list(frame.columns)
    return [{c: plain(v) for c, v in zip(cols, row, strict=True)} for row in frame.itertuples(index=False)]


def group_by(rows: Iterable[Mapping[str, Any]], key: str) -> list[dict[str, Any]]:
    """Group rows by `key`, in order of first appearance (Jinja's groupby sorts alphabetically)."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        groups.setdefault(str(r.get(key) or "").strip(), []).append(r)
    return [{"name": k, "rows": v} for k, v in groups.items()]


def monitor_groups(rows: list[dict[str, Any]], book: list[Recipient]) -> list[dict[str, Any]]:
    """Council members and their criteria exactly as the mail assigns them: names in the workbook's
    "Thành viên HĐ theo dõi" cells (several per cell allowed, matched tolerantly) plus the codes each
    member has in [[email.recipients]]; members in order of first appearance, criteria in workbook order."""
    position = {r["code"]: i for i, r in enumerate(rows)}
    groups: dict[str, dict[str, Any]] = {}

    def add(name: str, row: dict[str, Any]) -> None:
        group = groups.setdefault(fold(name), {"name": " ".join(name.split()), "rows": [], "codes": set()})
        if row["code"] not in group["codes"]:
            group["codes"].add(row["code"])
            group["rows"].append(row)

    for row in rows:
        for person in split_names(str(row.get("monitor") or "")):
            add(person, row)
    by_code = {r["code"]: r for r in rows}
    for member in book:
        for code in member.criteria:
            if code in by_code:
                add(member.name, by_code[code])
    for group in groups.values():
        group["rows"].sort(key=lambda r: position[r["code"]])
    return [{"name": g["name"], "rows": g["rows"]} for g in groups.values()]


def history_view(cmp: Comparison | None) -> dict[str, Any] | None:
    """The comparison with earlier years as the report's section reads it (None: no earlier year)."""
    if cmp is None:
        return None
    years = [{"label": str(y.year), "total": y.total, "max_points": y.max_points} for y in cmp.years]
    return {"previous": cmp.previous, "current": cmp.current, "n_common": cmp.n_common, "n_new": cmp.n_new,
            "n_dropped": cmp.n_dropped, "improved": cmp.improved, "worsened": cmp.worsened, "years": cmp.years,
            "chart": charts.totals_chart(years, label_width=60) if len(years) > 1 else None,
            "delta_total": cmp.current.total - cmp.previous.total,
            "delta_met": cmp.current.n_met_or_exceeded - cmp.previous.n_met_or_exceeded}


# "Thành phố Cần Thơ", "TP. Cần Thơ", "tỉnh Hậu Giang": the unit's kind written with its name.
_KIND_WRITTEN = re.compile(r"^(?P<kind>tỉnh|thành phố|tp\.?)\s+(?P<name>\S.*)$", re.IGNORECASE)


def unit_names(province: str, kind: str) -> dict[str, str]:
    """The reporting unit as the report writes it: `name` alone ("Cần Thơ", for the place and the title),
    `kind` ("thành phố") and `subject` ("thành phố Cần Thơ", mid-sentence). A kind written in the workbook
    wins over the configured one (report.unit_kind)."""
    name = " ".join(unicodedata.normalize("NFC", province or "").split())
    written = _KIND_WRITTEN.match(name)
    if written is not None:
        kind, name = ("tỉnh" if fold(written.group("kind")) == "tỉnh" else "thành phố"), written.group("name")
    kind = " ".join((kind or "").split())
    return {"name": name, "kind": kind, "subject": f"{kind} {name}" if kind else name}


def issuer_of(agency: str, unit: dict[str, str]) -> str:
    """"Sở Nội vụ tỉnh Hậu Giang": the issuing agency with its unit, unless the agency already names it."""
    agency = " ".join((agency or "").split())
    if not agency:
        return unit["subject"]
    return agency if fold(unit["name"]) in fold(agency) else f"{agency} {unit['subject']}".strip()


def build_context(assessment: Assessment, config: Config, *, history: Comparison | None = None) -> dict[str, Any]:
    """Everything the templates read; values are data, the wording stays in the templates."""
    sub = assessment.submission
    meta = sub.meta
    rows = records(assessment.results)
    for r in rows:
        r["met"] = r["status"] in (STATUS_MET, STATUS_EXCEEDED)
    fields = records(assessment.by_field)
    by_name = {f["field"]: f for f in fields}
    field_groups = group_by(rows, "field")
    # STT counts down the annex, which lists criteria field by field (fields may interleave in the workbook)
    for i, r in enumerate((r for g in field_groups for r in g["rows"]), start=1):
        r["stt"] = i
    for g in field_groups:
        g["totals"] = by_name.get(g["name"], {})
    settings = dict(assessment.settings or {})
    bonus_line = float(settings.get("bonus_line_pct", config["scoring.bonus_line_pct"]))
    annex_max = int(config["report.annex_max_rows"])
    deductions = records(sub.deductions) if sub.deductions is not None else []
    unmet = [r for r in rows if r["status"] == STATUS_NOT_MET]
    unit = unit_names(meta.province, str(config["report.unit_kind"]))
    measure = TextWidth(config.templates_dir / LABEL_FONT)
    return {
        "meta": meta,
        "unit": unit,
        "issuer": issuer_of(meta.agency, unit),
        "year": meta.year,
        "totals": assessment.totals,
        "settings": settings,
        "bonus_line": bonus_line,
        "points_precision": int(settings.get("points_precision", config["scoring.points_precision"])),
        "rows": rows,
        "fields": fields,
        "field_groups": field_groups,
        "key_rows": [r for r in rows if r["key"]],
        # the +10% bonus applies to figures only: grade and pass/fail key criteria are not pushed "past plan"
        "bonus_rows": [r for r in rows if r["key"] and r["kind"] in (KIND_INCREASE, KIND_DECREASE)],
        "met_rows": [r for r in rows if r["met"]],
        "unmet_rows": unmet,
        "no_data_rows": [r for r in rows if r["status"] == STATUS_NO_DATA],
        "unmet_by_agency": group_by(unmet, "agency"),
        "monitors": monitor_groups(rows, config.recipients),
        "deductions": deductions,
        "legal_basis": config.legal_basis(meta.year, meta.report_date),
        "annex_full": len(rows) <= annex_max,
        "annex_max_rows": annex_max,
        "flagged": [r for r in rows if r["data_status"] in ("Ước", "Sơ bộ")],
        "percent_chart": charts.percent_chart(rows, bonus_line, measure=measure),
        "field_chart": charts.field_chart(fields, measure=measure),
        "source_name": sub.source.name if sub.source else "",
        "sha256": sub.sha256,
        "history": history_view(history),
        "status": {"exceeded": STATUS_EXCEEDED, "met": STATUS_MET, "not_met": STATUS_NOT_MET,
                   "no_data": STATUS_NO_DATA},
    }
