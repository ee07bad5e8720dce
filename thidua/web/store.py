"""The web's reads and writes in the ledger: uploads, the files a viewer may see, reports by province and year."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thidua.base.ledger import DeliveryRecord, FileRecord, Ledger
from thidua.base.ledger import delivery_from_row as _delivery
from thidua.base.ledger import file_from_row as _file
from thidua.base.model import OUTCOME_OK
from thidua.base.textfold import fold
from thidua.web.access import Viewer


@dataclass(frozen=True)
class Upload:
    """One workbook sent through the web pages; `file_id` is set once its processing is recorded."""

    token: str
    user: str
    province: str
    name: str
    sha256: str
    claim_path: str
    uploaded_at: str
    file_id: int | None


@dataclass
class ReportRow:
    """The latest good report of one province for one year and period, with what the ledger says of it."""

    province: str
    year: int
    period: str
    record: FileRecord
    brief: dict[str, Any] = field(default_factory=dict)
    mail: dict[str, int] = field(default_factory=dict)  # delivery status → count
    n_files: int = 1  # how many good reports of that year were made (the latest counts)


def pdf_of(record: FileRecord) -> tuple[str, str] | None:
    """(path, SHA-256 when made) of a file's PDF report, if it has one."""
    path = next((p for p in record.outputs if p.lower().endswith(".pdf")), None)
    return (path, record.output_hashes.get(path, "")) if path else None


class WebStore:
    """Queries over one ledger connection (one per request thread)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.conn = ledger.conn

    # --- uploads -------------------------------------------------------------------------------
    def add_upload(self, token: str, user: str, province: str, name: str, sha256: str, claim_path: Path) -> None:
        self.conn.execute(
            "INSERT INTO web_uploads (token, user, province, name, sha256, claim_path, uploaded_at) "
            "VALUES (?,?,?,?,?,?,?)",
            (token, user, province, name, sha256, str(claim_path), dt.datetime.now().isoformat(timespec="seconds")))

    def link_upload(self, source: Path, sha256: str, file_id: int) -> str | None:
        """Attach a finished processing to the upload it answers (by where it was claimed, else by content
        for an upload given back to input/ and claimed again); returns the upload's token."""
        row = self.conn.execute(
            "SELECT token FROM web_uploads WHERE file_id IS NULL AND (claim_path=? OR sha256=?) "
            "ORDER BY claim_path=? DESC, id LIMIT 1", (str(source), sha256, str(source))).fetchone()
        if row is None:
            return None
        self.conn.execute("UPDATE web_uploads SET file_id=? WHERE token=?", (file_id, row["token"]))
        return str(row["token"])

    def upload(self, token: str) -> Upload | None:
        row = self.conn.execute("SELECT * FROM web_uploads WHERE token=?", (token,)).fetchone()
        return _upload(row) if row else None

    def uploads_of(self, file_id: int) -> list[Upload]:
        rows = self.conn.execute("SELECT * FROM web_uploads WHERE file_id=? ORDER BY id", (file_id,)).fetchall()
        return [_upload(r) for r in rows]

    # --- files ---------------------------------------------------------------------------------
    def may_see(self, viewer: Viewer, record: FileRecord) -> bool:
        if viewer.is_admin:
            return True
        return viewer.may_see_file(record.province, [u.province for u in self.uploads_of(record.id)])

    def file(self, file_id: int) -> FileRecord | None:
        return self.ledger.file(file_id)

    def recent(self, viewer: Viewer, limit: int = 10) -> list[FileRecord]:
        """The latest finished files this viewer may see, newest first."""
        found: list[FileRecord] = []
        rows = self.conn.execute("SELECT * FROM files WHERE finished_at IS NOT NULL AND outcome NOT IN "
                                 "('claimed', 'abandoned') ORDER BY id DESC LIMIT 500").fetchall()
        for row in rows:
            record = _file(row)
            if self.may_see(viewer, record):
                found.append(record)
                if len(found) >= limit:
                    break
        return found

    def stem_taken_by_others(self, viewer: Viewer, stem: str) -> bool:
        """Does an output named `stem.*` belong to a file this viewer may not see? (Then an upload of that
        name would overwrite another province's report.)"""
        pattern = "%" + stem.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%"
        rows = self.conn.execute("SELECT * FROM files WHERE outputs LIKE ? ESCAPE '\\'", (pattern,)).fetchall()
        for row in rows:
            record = _file(row)
            if any(Path(p).name.casefold().startswith(stem.casefold() + ".") for p in record.outputs) and (
                    not self.may_see(viewer, record)):
                return True
        return False

    # --- reports -------------------------------------------------------------------------------
    def reports(self, viewer: Viewer) -> list[ReportRow]:
        """One row per province, year and period: its latest good report; provinces by name, years newest first."""
        rows = self.conn.execute("SELECT * FROM files WHERE outcome=? AND province IS NOT NULL ORDER BY id DESC",
                                 (OUTCOME_OK,)).fetchall()
        latest: dict[tuple[str, int, str], ReportRow] = {}
        for row in rows:
            record = _file(row)
            if not viewer.may_see_province(record.province):
                continue
            period = row["period"]
            key = (fold(str(record.province)), int(record.year or 0), str(period))
            if key in latest:
                latest[key].n_files += 1
                continue
            latest[key] = ReportRow(str(record.province), int(record.year or 0), str(period), record)
        for report in latest.values():
            found = pdf_of(report.record)
            if found:
                report.brief = self.brief(found[1]) or {}
                report.mail = self.mail_counts(found[1])
        return sorted(latest.values(), key=lambda r: (fold(r.province), -r.year, r.period))

    def brief(self, pdf_sha: str) -> dict[str, Any] | None:
        """What the report says in figures (kept for its mail): totals, counts."""
        row = self.conn.execute("SELECT brief FROM reports WHERE sha256=?", (pdf_sha,)).fetchone()
        return dict(json.loads(row["brief"])) if row else None

    def deliveries(self, pdf_sha: str) -> list[DeliveryRecord]:
        rows = self.conn.execute("SELECT * FROM deliveries WHERE report_sha256=? ORDER BY id", (pdf_sha,)).fetchall()
        return [_delivery(r) for r in rows]

    def mail_counts(self, pdf_sha: str) -> dict[str, int]:
        rows = self.conn.execute("SELECT status, COUNT(*) AS n FROM deliveries WHERE report_sha256=? GROUP BY status",
                                 (pdf_sha,)).fetchall()
        return {str(r["status"]): int(r["n"]) for r in rows}


def _upload(row: Any) -> Upload:
    return Upload(row["token"], row["user"], row["province"], row["name"], row["sha256"], row["claim_path"],
                  row["uploaded_at"], row["file_id"])
