"""Whether an earlier processing of the same content can answer a file again, nothing recomputed."""

from __future__ import annotations

from pathlib import Path

from thidua.base.hashing import sha256_of
from thidua.base.ledger import FileRecord, Ledger
from thidua.base.model import OUTCOME_OK


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


def reusable(ledger: Ledger, digest: str, fingerprint: str, stem: str, *, write_json: bool) -> FileRecord | None:
    """The newest finished processing of this content, with these settings, whose outputs under this file's
    name are still intact — whatever names the same content came under in between."""
    for record in ledger.done_records(digest, fingerprint):
        if not still_valid(record, stem):
            continue
        if write_json and record.outcome == OUTCOME_OK and not any(p.endswith(".json") for p in record.outputs):
            return None  # asked for more than was made then: process again
        return record
    return None
