"""SQLite history: files processed, results per criterion and year, every email delivery."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thidua.base.model import FINAL_OUTCOMES, PERIOD_YEAR, Issue, Signature
from thidua.base.values import number_or_none

DELIVERY_SENT = "sent"
DELIVERY_PENDING = "pending"
DELIVERY_REJECTED = "rejected"
DELIVERY_DRY_RUN = "dry-run"

# Each entry migrates the schema from version i to i+1; never edit a released step, append one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL,
        name TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT NOT NULL DEFAULT 'claimed',
        outputs TEXT NOT NULL DEFAULT '[]',
        message TEXT NOT NULL DEFAULT '',
        n_issues INTEGER NOT NULL DEFAULT 0,
        province TEXT,
        year INTEGER
    );
    CREATE INDEX files_sha ON files(sha256);
    CREATE TABLE results (
        file_id INTEGER NOT NULL REFERENCES files(id),
        province TEXT NOT NULL,
        year INTEGER NOT NULL,
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        field TEXT NOT NULL,
        kind TEXT NOT NULL,
        plan REAL,
        actual REAL,
        pct_of_plan REAL,
        status TEXT NOT NULL,
        points REAL NOT NULL,
        bonus REAL NOT NULL
    );
    CREATE INDEX results_province_year ON results(province, year, code);
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        report_sha256 TEXT NOT NULL,
        report_path TEXT NOT NULL,
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        message_id TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        UNIQUE (report_sha256, email)
    );
    """,
    # 2: what a report says (JSON brief), so `send REPORT.pdf` and `send --pending` can rebuild the mail.
    """
    CREATE TABLE reports (
        sha256 TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        brief TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 3: a file whose content was processed before is recorded too, pointing at the processing it reused.
    """
    ALTER TABLE files ADD COLUMN reused_from INTEGER REFERENCES files(id);
    """,
    # 4: the settings and templates a result was made with (thidua.fingerprint); reuse needs the same.
    """
    ALTER TABLE files ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
    """,
    # 5: SHA-256 of each output when it was made, so a reused result is known to be still that result.
    """
    ALTER TABLE files ADD COLUMN output_hashes TEXT NOT NULL DEFAULT '{}';
    """,
    # 6: the reporting period of a result (model.PERIOD_YEAR for year-end; interim periods are kept apart:
    # they never feed a ranking or the year-over-year history).
    """
    ALTER TABLE files ADD COLUMN period TEXT NOT NULL DEFAULT 'year';
    ALTER TABLE results ADD COLUMN period TEXT NOT NULL DEFAULT 'year';
    DROP INDEX results_province_year;
    CREATE INDEX results_province_year ON results(province, year, period, code);
    """,
    # 7: what ranking a cluster needs beside each result: a criterion's maximum points and key flag, and the
    # workbook's cluster name and deductions (the file used and when it was processed are in files already).
    """
    ALTER TABLE results ADD COLUMN max_points REAL;
    ALTER TABLE results ADD COLUMN key INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE files ADD COLUMN cluster TEXT NOT NULL DEFAULT '';
    ALTER TABLE files ADD COLUMN deductions REAL NOT NULL DEFAULT 0;
    CREATE INDEX results_year ON results(year, period);
    """,
    # 8: the digital signatures put on a report (report/signing.py): certificate subject and signing time.
    """
    CREATE TABLE signatures (
        id INTEGER PRIMARY KEY,
        file_id INTEGER REFERENCES files(id),
        report_sha256 TEXT NOT NULL,
        report_path TEXT NOT NULL,
        field TEXT NOT NULL,
        role TEXT NOT NULL,
        subject TEXT NOT NULL,
        signed_at TEXT NOT NULL,
        level TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );
    CREATE INDEX signatures_report ON signatures(report_sha256);
    """,
    # 9: the issues found in a file (JSON list of model.Issue fields), so any later page can show them cell by cell.
    """
    ALTER TABLE files ADD COLUMN issues TEXT NOT NULL DEFAULT '[]';
    """,
    # 10: workbooks uploaded through the web pages: who sent which file, linked to its processing when done.
    """
    CREATE TABLE web_uploads (
        id INTEGER PRIMARY KEY,
        token TEXT NOT NULL UNIQUE,
        user TEXT NOT NULL,
        province TEXT NOT NULL,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        claim_path TEXT NOT NULL,
        uploaded_at TEXT NOT NULL,
        file_id INTEGER REFERENCES files(id)
    );
    CREATE INDEX web_uploads_file ON web_uploads(file_id);
    """,
)


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


@dataclass(frozen=True)
class FileRecord:
    """One processing of one file content."""

    id: int
    sha256: str
    name: str
    outcome: str
    outputs: list[str]
    message: str
    n_issues: int
    claimed_at: str
    finished_at: str | None
    reused_from: int | None = None
    fingerprint: str = ""
    output_hashes: dict[str, str] = field(default_factory=dict)  # output path → SHA-256 when made
    province: str | None = None
    year: int | None = None
    period: str = PERIOD_YEAR
    issues: list[Issue] = field(default_factory=list)  # what was wrong, cell by cell (none when fine)


@dataclass(frozen=True)
class DeliveryRecord:
    """One report sent (or to be sent) to one recipient."""

    report_sha256: str
    report_path: str
    email: str
    name: str
    status: str
    attempts: int
    last_error: str


class Ledger:
    """A small wrapper over one SQLite file; safe for several worker processes (WAL, short writes)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA busy_timeout=30000")
        self._migrate()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            version = self.schema_version
            for step, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version={step}")
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    # --- files -------------------------------------------------------------------------------
    def start_file(self, sha256: str, name: str, fingerprint: str = "") -> int:
        """Record that a file was claimed; returns its id for finish_file."""
        cur = self.conn.execute("INSERT INTO files (sha256, name, claimed_at, fingerprint) VALUES (?, ?, ?, ?)",
                                (sha256, name, _now(), fingerprint))
        return int(cur.lastrowid or 0)

    def finish_file(self, file_id: int, outcome: str, outputs: list[str], *, message: str = "",
                    n_issues: int = 0, province: str | None = None, year: int | None = None,
                    output_hashes: dict[str, str] | None = None, period: str | None = None,
                    issues: Sequence[Issue] = ()) -> None:
        """Record how a claimed file ended; `period` None keeps what record_results set (year-end default)."""
        self.conn.execute(
            "UPDATE files SET outcome=?, outputs=?, message=?, n_issues=?, province=?, year=?, finished_at=?, "
            "output_hashes=?, period=COALESCE(?, period), issues=? WHERE id=?",
            (outcome, json.dumps(outputs, ensure_ascii=False), message, n_issues, province, year, _now(),
             json.dumps(output_hashes or {}, ensure_ascii=False), period,
             json.dumps([dataclasses.asdict(i) for i in issues], ensure_ascii=False), file_id),
        )

    def record_reuse(self, name: str, original: FileRecord) -> int:
        """Record a file answered with an earlier processing of the same content (nothing recomputed)."""
        now = _now()
        cur = self.conn.execute(
            "INSERT INTO files (sha256, name, claimed_at, finished_at, outcome, outputs, message, n_issues, "
            "province, year, reused_from, fingerprint, output_hashes, period, issues) SELECT sha256, ?, ?, ?, outcome, "
            "outputs, message, n_issues, province, year, id, fingerprint, output_hashes, period, issues FROM files "
            "WHERE id=?", (name, now, now, original.id))
        return int(cur.lastrowid or 0)

    def find_done(self, sha256: str, fingerprint: str | None = None) -> FileRecord | None:
        """The latest finished processing of this exact content (made with these settings, if given)."""
        finals = ",".join("?" * len(FINAL_OUTCOMES))
        sql = f"SELECT * FROM files WHERE sha256=? AND outcome IN ({finals})"
        params: list[object] = [sha256, *FINAL_OUTCOMES]
        if fingerprint is not None:
            sql += " AND fingerprint=?"
            params.append(fingerprint)
        row = self.conn.execute(sql + " ORDER BY id DESC LIMIT 1", params).fetchone()
        return _file(row) if row else None

    def unfinished(self) -> list[FileRecord]:
        """Files claimed but never finished (a crash mid-way), oldest first."""
        rows = self.conn.execute("SELECT * FROM files WHERE outcome='claimed' ORDER BY id").fetchall()
        return [_file(r) for r in rows]

    def abandon(self, file_id: int) -> None:
        """Mark a claimed row as superseded (it will be processed again under a new id)."""
        self.conn.execute("UPDATE files SET outcome='abandoned', finished_at=? WHERE id=?", (_now(), file_id))

    def files(self) -> list[FileRecord]:
        return [_file(r) for r in self.conn.execute("SELECT * FROM files ORDER BY id").fetchall()]

    def file(self, file_id: int) -> FileRecord | None:
        row = self.conn.execute("SELECT * FROM files WHERE id=?", (file_id,)).fetchone()
        return _file(row) if row else None

    # --- results -----------------------------------------------------------------------------
    def record_results(self, file_id: int, province: str, year: int, rows: Sequence[Mapping[Hashable, Any]],
                       period: str = PERIOD_YEAR, *, cluster: str = "", deductions: float = 0.0) -> None:
        """Replace this province-year-period's results with the given criterion rows (one transaction);
        the workbook's period, cluster name and deductions go on its file row."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute("DELETE FROM results WHERE province=? AND year=? AND period=?", (province, year, period))
            self.conn.executemany(
                "INSERT INTO results (file_id, province, year, period, code, name, field, kind, plan, actual, "
                "pct_of_plan, status, points, bonus, max_points, key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(file_id, province, year, period, r["code"], r["name"], r["field"], r["kind"],
                  number_or_none(r.get("plan")), number_or_none(r.get("actual")),
                  number_or_none(r.get("pct_of_plan")), r["status"], float(r["points"]), float(r["bonus"]),
                  number_or_none(r.get("max_points")), int(bool(r.get("key"))))
                 for r in rows],
            )
            self.conn.execute("UPDATE files SET cluster=?, deductions=?, period=? WHERE id=?",
                              (cluster, float(deductions), period, file_id))
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def superseded(self, record: FileRecord) -> bool:
        """True when the results now recorded for this file's province, year and period come from another
        content (a later workbook replaced them), so answering with this file's old result would be wrong."""
        row = self.conn.execute(
            "SELECT f.sha256 FROM files AS mine JOIN results AS r ON r.province = mine.province AND r.year = mine.year "
            "AND r.period = mine.period JOIN files AS f ON f.id = r.file_id WHERE mine.id = ? LIMIT 1",
            (record.id,)).fetchone()
        return row is not None and row[0] != record.sha256

    def history(self, province: str, code: str) -> list[dict[str, Any]]:
        """Year-end results of one criterion for one province, oldest first (interim results apart)."""
        rows = self.conn.execute("SELECT * FROM results WHERE province=? AND code=? AND period=? ORDER BY year",
                                 (province, code, PERIOD_YEAR)).fetchall()
        return [dict(r) for r in rows]

    # --- deliveries --------------------------------------------------------------------------
    def delivery_status(self, report_sha256: str, email: str) -> str | None:
        row = self.conn.execute("SELECT status FROM deliveries WHERE report_sha256=? AND email=?",
                                (report_sha256, email.lower())).fetchone()
        return str(row[0]) if row else None

    def record_delivery(self, report_sha256: str, report_path: str, email: str, name: str, status: str,
                        *, error: str = "", message_id: str = "") -> None:
        """Insert or update the delivery of one report to one address, counting attempts."""
        self.conn.execute(
            "INSERT INTO deliveries (report_sha256, report_path, email, name, status, attempts, last_error, "
            "message_id, updated_at) VALUES (?,?,?,?,?,1,?,?,?) "
            "ON CONFLICT (report_sha256, email) DO UPDATE SET status=excluded.status, "
            "report_path=excluded.report_path, attempts=attempts+1, last_error=excluded.last_error, "
            "message_id=excluded.message_id, updated_at=excluded.updated_at",
            (report_sha256, report_path, email.lower(), name, status, error, message_id, _now()),
        )

    def pending_deliveries(self) -> list[DeliveryRecord]:
        rows = self.conn.execute("SELECT * FROM deliveries WHERE status=? ORDER BY id",
                                 (DELIVERY_PENDING,)).fetchall()
        return [_delivery(r) for r in rows]

    def deliveries(self) -> list[DeliveryRecord]:
        return [_delivery(r) for r in self.conn.execute("SELECT * FROM deliveries ORDER BY id").fetchall()]

    # --- signatures --------------------------------------------------------------------------
    def record_signature(self, file_id: int | None, report_sha256: str, report_path: str,
                         signature: Signature) -> None:
        """Remember who signed a report (certificate subject) and when (ISO 8601, +07:00)."""
        self.conn.execute(
            "INSERT INTO signatures (file_id, report_sha256, report_path, field, role, subject, signed_at, level, "
            "recorded_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (file_id, report_sha256, report_path, signature.field, signature.role, signature.subject,
             signature.signed_at, signature.level, _now()),
        )

    def signatures(self, report_sha256: str | None = None) -> list[dict[str, Any]]:
        """Recorded signatures, oldest first (of one report when its hash is given)."""
        sql, params = "SELECT * FROM signatures", []
        if report_sha256 is not None:
            sql, params = sql + " WHERE report_sha256=?", [report_sha256]
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY id", params).fetchall()]

    # --- reports -----------------------------------------------------------------------------
    def record_report(self, sha256: str, path: str, brief: dict[str, Any]) -> None:
        """Remember a rendered report's mail brief by the PDF's hash (latest path wins)."""
        self.conn.execute(
            "INSERT INTO reports (sha256, path, brief, updated_at) VALUES (?,?,?,?) "
            "ON CONFLICT (sha256) DO UPDATE SET path=excluded.path, brief=excluded.brief, "
            "updated_at=excluded.updated_at",
            (sha256, path, json.dumps(brief, ensure_ascii=False), _now()),
        )

    def report_brief(self, sha256: str) -> tuple[str, dict[str, Any]] | None:
        """(path, brief) recorded for this PDF hash, or None when the report is unknown."""
        row = self.conn.execute("SELECT path, brief FROM reports WHERE sha256=?", (sha256,)).fetchone()
        return (str(row["path"]), json.loads(row["brief"])) if row else None


def _file(row: sqlite3.Row) -> FileRecord:
    return FileRecord(row["id"], row["sha256"], row["name"], row["outcome"], json.loads(row["outputs"]),
                      row["message"], row["n_issues"], row["claimed_at"], row["finished_at"], row["reused_from"],
                      row["fingerprint"], json.loads(row["output_hashes"]), row["province"], row["year"],
                      row["period"], [Issue(**fields) for fields in json.loads(row["issues"])])


def _delivery(row: sqlite3.Row) -> DeliveryRecord:
    return DeliveryRecord(row["report_sha256"], row["report_path"], row["email"], row["name"], row["status"],
                          row["attempts"], row["last_error"])


# Row readers for queries of the layers above over these same tables (the web's pages).
file_from_row = _file
delivery_from_row = _delivery
