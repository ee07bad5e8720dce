"""Write the assessment as versioned JSON (schema "thidua.assessment/1", see docs/json-schema.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

from thidua.base import model
from thidua.base.atomic import write_text
from thidua.base.values import plain

SCHEMA = "thidua.assessment/1"

TOTALS_FIELDS = ("n_criteria", "n_exceeded", "n_met", "n_met_or_exceeded", "n_not_met", "n_no_data",
                 "max_points", "points", "bonus", "deductions", "total")


def _plain(value: Any) -> Any:
    """A JSON-safe Python value: NaN/inf → null, numpy scalars → Python, dates → ISO strings."""
    value = plain(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return value.name
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def to_document(assessment: model.Assessment) -> dict[str, Any]:
    """The JSON document as plain Python data (what `write_json` serialises)."""
    sub = assessment.submission
    meta = _plain(dataclasses.asdict(sub.meta))
    meta["source"] = sub.source.name if sub.source else None
    meta["sha256"] = sub.sha256 or None
    t = assessment.totals
    criteria_cols = list(model.CRITERIA_COLUMNS) + list(model.RESULT_COLUMNS)
    interim = assessment.interim
    if interim is not None:
        criteria_cols += list(model.INTERIM_COLUMNS)
    return {
        "schema": SCHEMA,
        "meta": meta,
        "settings": _plain(assessment.settings),
        # an interim review (six-month, nine-month, quarterly): points and statuses judge projections
        "interim": None if interim is None else {"provisional": True, "label": interim.label,
                                                 **_plain(dataclasses.asdict(interim))},
        "totals": {name: _plain(getattr(t, name)) for name in TOTALS_FIELDS},
        "by_field": [_plain(rec) for rec in assessment.by_field.to_dict("records")],
        "criteria": [_plain({k: rec[k] for k in criteria_cols})
                     for rec in assessment.results.to_dict("records")],
        "deductions": [_plain({k: rec.get(k) for k in model.DEDUCTION_COLUMNS})
                       for rec in sub.deductions.to_dict("records")],
    }


def dumps(assessment: model.Assessment) -> str:
    """Serialise; allow_nan=False guarantees no NaN/Infinity reaches other tools."""
    return json.dumps(to_document(assessment), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_json(assessment: model.Assessment, path: Path) -> Path:
    """Write the JSON document atomically to `path` and return it."""
    return write_text(Path(path), dumps(assessment))
