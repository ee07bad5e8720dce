"""The cluster's year as versioned JSON (schema "thidua.cluster/1", see docs/cluster-json.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from thidua.base.atomic import write_text
from thidua.cluster.ranking import Ranking

SCHEMA = "thidua.cluster/1"


def cluster_document(ranking: Ranking) -> dict[str, Any]:
    """The JSON document as plain data; `ranking` is in rank order, null for no award or no previous rank."""
    return {
        "schema": SCHEMA,
        "cluster": ranking.cluster,
        "year": ranking.year,
        "tie_breakers": list(ranking.tie_breakers),
        "ranking": [{
            "rank": s.rank, "province": s.province, "total": s.total, "points": s.points, "bonus": s.bonus,
            "deductions": s.deductions, "max_points": s.max_points, "pct_of_max": s.pct_of_max,
            "n_met_or_exceeded": s.n_met_or_exceeded, "n_criteria": s.n_criteria, "n_key_bonus": s.n_key_bonus,
            "award": s.award, "source": s.result.source, "processed_at": s.result.processed_at or None,
            "previous_rank": s.previous_rank,
        } for s in ranking.standings],
        "missing": list(ranking.missing),
        "warnings": list(ranking.warnings),
        "criteria": [{
            "code": row.code, "name": row.name, "field": row.field, "key": row.key,
            "by_province": {p: {"pct_of_plan": c.pct_of_plan, "status": c.status, "points": c.points,
                                "bonus": c.bonus, "max_points": c.max_points}
                            for p, c in row.by_province.items()},
        } for row in ranking.criteria],
    }


def dumps(ranking: Ranking) -> str:
    return json.dumps(cluster_document(ranking), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_json(ranking: Ranking, path: Path) -> Path:
    """Write the JSON document atomically to `path` and return it."""
    return write_text(Path(path), dumps(ranking))
