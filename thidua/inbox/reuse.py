"""Whether an earlier processing of the same content can answer a file again, nothing recomputed."""

from __future__ import annotations

from pathlib import Path

from thidua.base.hashing import sha256_of
from thidua.base.ledger import FileRecord, Ledger
from thidua.base.model import OUTCOME_OK, PERIOD_YEAR
from thidua.base.year_end import recorded_after


def still_valid(record: FileRecord, stem: str) -> bool:
    """Reusable when every output is named after this file and is, byte for byte, what was made then
    (a later workbook of the same name may have overwritten it)."""
    if not record.outputs or len(record.output_hashes) != len(record.outputs):
        return False
    for name in record.outputs:
        path = Path(name)
        if not path.name.startswith(stem + ".") or record.output_hashes.get(name) != _hash_or_none(path):
            return False
    return True


def _hash_or_none(path: Path) -> str | None:
    try:
        return sha256_of(path)
    except OSError:
        return None


def seasonality_changed(ledger: Ledger, record: FileRecord) -> bool:
    """An interim result read last year's year-end results of its province; if those were recorded after
    it, the same workbook now projects differently and is processed again."""
    if record.period == PERIOD_YEAR or record.province is None or record.year is None:
        return False
    return recorded_after(ledger, record.province, record.year - 1, record.id)


def reusable(ledger: Ledger, digest: str, fingerprint: str, stem: str, *, write_json: bool) -> FileRecord | None:
    """The newest finished processing of this content, with these settings, whose outputs under this file's
    name are still intact — whatever names the same content came under in between — and whose result still
    stands (no later workbook replaced that province-year's results; an interim projection still holds)."""
    for record in ledger.done_records(digest, fingerprint):
        if not still_valid(record, stem):
            continue
        if seasonality_changed(ledger, record):
            return None
        if record.outcome == OUTCOME_OK and ledger.superseded(record):
            return None  # a later workbook of that province and year replaced its results: this one counts again
        if write_json and record.outcome == OUTCOME_OK and not any(p.endswith(".json") for p in record.outputs):
            return None  # asked for more than was made then: process again
        return record
    return None
