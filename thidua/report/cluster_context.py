"""Shape a cluster's ranking into plain template data: the document, the table, leaders, gaps, the annex."""

from __future__ import annotations

from typing import Any

from thidua.base.config import Config
from thidua.base.model import STATUS_NO_DATA, STATUS_NOT_MET, ReportMeta
from thidua.base.settings import parse_day
from thidua.cluster.gaps import gaps
from thidua.cluster.members import when
from thidua.cluster.ranking import CriterionRow, Ranking
from thidua.report import charts

ANNEX_COLUMNS = 12  # provinces per annex table (A4 landscape); more members get several tables


def document_meta(config: Config, ranking: Ranking) -> ReportMeta:
    """The report's header, Nơi nhận and signature fields as configured (the template fills the blanks from
    the cluster's name and chair)."""
    cs = config.cluster
    doc = cs.document
    return ReportMeta(
        province=cs.chair, year=ranking.year, cluster=ranking.cluster, parent_agency=doc["parent_agency"],
        agency=doc["agency"] or ranking.cluster, doc_number=doc["doc_number"], place=doc["place"] or cs.chair,
        report_date=parse_day(doc["report_date"]), signing_authority=doc["signing_authority"],
        signer_title=doc["signer_title"], signer=doc["signer"], recipients=list(doc["recipients"]),
    )


def _lead_lag(row: CriterionRow, order: list[str]) -> dict[str, Any]:
    """Who leads and who lags on one criterion by % of plan; without one (pass/fail, grades), who met it."""
    cells = [(p, row.by_province[p]) for p in order if p in row.by_province]
    with_pct = [(p, c.pct_of_plan) for p, c in cells if c.pct_of_plan is not None]
    out: dict[str, Any] = {"code": row.code, "name": row.name, "key": row.key, "provinces": [p for p, _ in cells],
                           "by_pct": bool(with_pct),
                           "not_met": [p for p, c in cells if c.status == STATUS_NOT_MET],
                           "no_data": [p for p, c in cells if c.status == STATUS_NO_DATA],
                           "met": [p for p, c in cells if c.met], "leaders": [], "laggards": []}
    if with_pct:
        top = max(v for _, v in with_pct)
        bottom = min(v for _, v in with_pct)
        out["leaders"] = [(p, v) for p, v in with_pct if v == top]
        out["laggards"] = [(p, v) for p, v in with_pct if v == bottom] if bottom != top else []
    return out


def cluster_context(ranking: Ranking, config: Config) -> dict[str, Any]:
    """Everything the cluster templates read; values are data, the wording stays in templates/cluster/."""
    precision = int(config["scoring.points_precision"])
    order = [s.province for s in ranking.standings]
    rows: list[dict[str, Any]] = []
    for s in ranking.standings:
        change = s.previous_rank - s.rank if s.previous_rank is not None else None
        rows.append({"rank": s.rank, "province": s.province, "points": s.points, "bonus": s.bonus,
                     "deductions": s.deductions, "total": s.total, "max_points": s.max_points,
                     "pct_of_max": s.pct_of_max, "n_met": s.n_met_or_exceeded, "n_criteria": s.n_criteria,
                     "n_key_bonus": s.n_key_bonus, "award": s.award, "previous_rank": s.previous_rank,
                     "change": change, "source": s.result.source, "processed_at": when(s.result.processed_at)})
    by_province = {r["province"]: r for r in rows}
    paragraphs = []
    for g in gaps(ranking, precision):
        paragraphs.append({"row": by_province[g.standing.province],
                           "above": by_province[g.above.province] if g.above else None,
                           "below": by_province[g.below.province] if g.below else None,
                           "gap_above": g.gap_above, "lead_below": g.lead_below, "closes": g.closes,
                           "closer_points": g.closer_points,
                           "closers": [{"name": c.name, "code": c.code, "available": c.available,
                                        "no_data": c.status == STATUS_NO_DATA}
                                       for c in g.closers],
                           "unmet_total": sum(c.available for c in g.standing.unmet)})
    awards: dict[str, list[str]] = {}
    for r in rows:
        if r["award"]:
            awards.setdefault(r["award"], []).append(r["province"])
    focus = [r for r in ranking.criteria if r.key or r.not_met]
    groups = [order[i:i + ANNEX_COLUMNS] for i in range(0, len(order), ANNEX_COLUMNS)]
    return {
        "meta": document_meta(config, ranking), "year": ranking.year, "cluster": ranking.cluster,
        "rows": rows, "n_ranked": len(rows), "missing": ranking.missing, "warnings": ranking.warnings,
        "max_points_differ": ranking.max_points_differ, "tie_breakers": list(ranking.tie_breakers),
        "ties": [{"upper": by_province[t.upper.province], "lower": by_province[t.lower.province],
                  "decided_by": t.decided_by} for t in ranking.ties],
        "awards": awards, "has_previous": any(r["previous_rank"] is not None for r in rows),
        "chart": charts.totals_chart(rows), "focus": [_lead_lag(r, order) for r in focus],
        "paragraphs": paragraphs, "criteria": ranking.criteria, "annex_groups": groups,
        "points_precision": precision, "legal_basis": config.legal_basis(ranking.year),
    }
