"""The ledger's mail records: every delivery of a report to an address, and what each report says."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

DELIVERY_SENT = "sent"
DELIVERY_PENDING = "pending"
DELIVERY_SENDING = "sending"  # handed to the SMTP server by `owner`, no 250 yet: in doubt if `owner` died
DELIVERY_REJECTED = "rejected"
DELIVERY_DRY_RUN = "dry-run"


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


@dataclass(frozen=True)
class DeliveryRecord:
    """One report sent (or to be sent) to one recipient; `report_sha256` is the PDF attached last."""

    report_sha256: str
    report_path: str
    email: str
    name: str
    status: str
    attempts: int
    last_error: str
    report_key: str = ""
    message_id: str = ""
    owner: str = ""  # the process sending it now (base.owner), "" when nobody holds it
    in_doubt: bool = False
    updated_at: str = ""


def delivery_record(row: sqlite3.Row) -> DeliveryRecord:
    return DeliveryRecord(row["report_sha256"], row["report_path"], row["email"], row["name"], row["status"],
                          row["attempts"], row["last_error"], row["report_key"], row["message_id"], row["owner"],
                          bool(row["in_doubt"]), row["updated_at"])


class MailRecords:
    """Ledger methods for deliveries and report briefs (the outbox's claims live in delivery.outbox)."""

    conn: sqlite3.Connection

    def delivery(self, key: str, email: str) -> DeliveryRecord | None:
        row = self.conn.execute("SELECT * FROM deliveries WHERE report_key=? AND email=?",
                                (key, email.lower())).fetchone()
        return delivery_record(row) if row else None

    def delivery_status(self, key: str, email: str) -> str | None:
        found = self.delivery(key, email)
        return found.status if found else None

    def record_delivery(self, key: str, report_path: str, email: str, name: str, status: str,
                        *, error: str = "", message_id: str = "", report_sha256: str = "") -> None:
        """Insert or update the delivery of one report to one address, counting attempts."""
        self.conn.execute(
            "INSERT INTO deliveries (report_key, report_sha256, report_path, email, name, status, attempts, "
            "last_error, message_id, updated_at) VALUES (?,?,?,?,?,?,1,?,?,?) "
            "ON CONFLICT (report_key, email) DO UPDATE SET status=excluded.status, "
            "report_path=excluded.report_path, report_sha256=excluded.report_sha256, attempts=attempts+1, "
            "last_error=excluded.last_error, message_id=excluded.message_id, updated_at=excluded.updated_at",
            (key, report_sha256 or key, report_path, email.lower(), name, status, error, message_id, now()),
        )

    def pending_deliveries(self) -> list[DeliveryRecord]:
        """Deliveries not yet done: pending, or being sent (by a live process, or in doubt if it died)."""
        rows = self.conn.execute("SELECT * FROM deliveries WHERE status IN (?, ?) ORDER BY id",
                                 (DELIVERY_PENDING, DELIVERY_SENDING)).fetchall()
        return [delivery_record(r) for r in rows]

    def deliveries(self, key: str | None = None) -> list[DeliveryRecord]:
        if key is None:
            rows = self.conn.execute("SELECT * FROM deliveries ORDER BY id").fetchall()
        else:
            rows = self.conn.execute("SELECT * FROM deliveries WHERE report_key=? ORDER BY id", (key,)).fetchall()
        return [delivery_record(r) for r in rows]

    # --- reports -----------------------------------------------------------------------------
    def record_report(self, sha256: str, path: str, brief: dict[str, Any], key: str = "") -> str:
        """Remember a rendered report's mail brief by the PDF's hash (latest path wins); returns the key its
        mail goes under: the one this PDF was first recorded with, else `key` (else "pdf:<sha>")."""
        key = key or f"pdf:{sha256}"
        self.conn.execute(
            "INSERT INTO reports (sha256, path, brief, updated_at, report_key) VALUES (?,?,?,?,?) "
            "ON CONFLICT (sha256) DO UPDATE SET path=excluded.path, brief=excluded.brief, "
            "updated_at=excluded.updated_at, report_key=CASE WHEN report_key='' THEN excluded.report_key "
            "ELSE report_key END",
            (sha256, path, json.dumps(brief, ensure_ascii=False), now(), key),
        )
        row = self.conn.execute("SELECT report_key FROM reports WHERE sha256=?", (sha256,)).fetchone()
        return str(row[0]) if row else key

    def report_brief(self, sha256: str) -> tuple[str, dict[str, Any]] | None:
        """(path, brief) recorded for this PDF hash, or None when the report is unknown."""
        row = self.conn.execute("SELECT path, brief FROM reports WHERE sha256=?", (sha256,)).fetchone()
        return (str(row["path"]), json.loads(row["brief"])) if row else None

    def report_key_of(self, sha256: str) -> str | None:
        """The key the mail of this PDF goes under, or None when the report is unknown."""
        row = self.conn.execute("SELECT report_key FROM reports WHERE sha256=?", (sha256,)).fetchone()
        return (str(row[0]) or f"pdf:{sha256}") if row else None

    def reports_for_key(self, key: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(PDF hash, path, brief) of every rendering of one report key, newest first."""
        rows = self.conn.execute("SELECT sha256, path, brief FROM reports WHERE report_key=? "
                                 "ORDER BY updated_at DESC, rowid DESC", (key,)).fetchall()
        return [(str(r["sha256"]), str(r["path"]), json.loads(r["brief"])) for r in rows]
