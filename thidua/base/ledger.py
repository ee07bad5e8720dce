"""SQLite history: files processed, results per criterion and year, every email delivery."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thidua.base import sqlite_guard
from thidua.base.errors import LedgerBusyError, LedgerUnavailableError
from thidua.base.ledger_mail import DELIVERY_DRY_RUN as DELIVERY_DRY_RUN
from thidua.base.ledger_mail import DELIVERY_PENDING as DELIVERY_PENDING
from thidua.base.ledger_mail import DELIVERY_REJECTED as DELIVERY_REJECTED
from thidua.base.ledger_mail import DELIVERY_SENDING as DELIVERY_SENDING
from thidua.base.ledger_mail import DELIVERY_SENT as DELIVERY_SENT
from thidua.base.ledger_mail import DeliveryRecord as DeliveryRecord
from thidua.base.ledger_mail import MailRecords, now
from thidua.base.model import FINAL_OUTCOMES, OUTCOME_FAILED, OUTCOME_KILLED, PERIOD_YEAR
from thidua.base.settings import BY_KEY
from thidua.base.values import number_or_none

if TYPE_CHECKING:
    from thidua.base.config import Config

DEFAULT_LOCK_TIMEOUT = float(BY_KEY["ledger.lock_timeout"].default)  # seconds


def report_key(source_sha256: str, fingerprint: str) -> str:
    """What a province report's mail is keyed by: the workbook's content and the settings it was made with,
    never the PDF's bytes (a re-render or a signature changes those). Migration 7 builds the same text."""
    return f"{source_sha256}/{fingerprint}"

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
    # 7: deliveries are keyed by what was sent (report_key: the workbook's SHA-256 and the settings fingerprint,
    # see report_key()), not by the PDF's bytes, and claimed by the process sending them (owner); in_doubt marks
    # a message the server may have accepted without our seeing its 250. Old rows get the key of the processing
    # that made their PDF (else "pdf:<sha>"); duplicates of one key and address keep the strongest status.
    """
    ALTER TABLE deliveries ADD COLUMN report_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE deliveries ADD COLUMN owner TEXT NOT NULL DEFAULT '';
    ALTER TABLE deliveries ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0;
    UPDATE deliveries SET report_key = COALESCE(
        (SELECT f.sha256 || '/' || f.fingerprint FROM files f, json_each(f.output_hashes) j
         WHERE j.value = deliveries.report_sha256 ORDER BY f.id DESC LIMIT 1),
        'pdf:' || report_sha256);
    DELETE FROM deliveries WHERE id NOT IN (
        SELECT (SELECT d.id FROM deliveries d WHERE d.report_key = g.report_key AND d.email = g.email
                ORDER BY CASE d.status WHEN 'sent' THEN 0 WHEN 'rejected' THEN 1 WHEN 'pending' THEN 2 ELSE 3 END,
                         d.id DESC LIMIT 1)
        FROM (SELECT DISTINCT report_key, email FROM deliveries) g);
    CREATE UNIQUE INDEX deliveries_key_email ON deliveries(report_key, email);
    CREATE INDEX deliveries_status ON deliveries(status);
    ALTER TABLE reports ADD COLUMN report_key TEXT NOT NULL DEFAULT '';
    UPDATE reports SET report_key = COALESCE(
        (SELECT f.sha256 || '/' || f.fingerprint FROM files f, json_each(f.output_hashes) j
         WHERE j.value = reports.sha256 ORDER BY f.id DESC LIMIT 1),
        'pdf:' || sha256);
    CREATE INDEX reports_key ON reports(report_key);
    """,
)


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


class Ledger(MailRecords):
    """A small wrapper over one SQLite file; safe for several worker processes (WAL, short writes).

    A write waits up to `lock_timeout` seconds (SQLite's busy handler, with back-off) for another process's
    lock; SQLite failures surface as LedgerErrors naming the file (base.sqlite_guard).
    """

    def __init__(self, path: Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerUnavailableError(
                f"Không tạo được thư mục \"{self.path.parent}\" cho sổ theo dõi \"{self.path}\": "
                f"{sqlite_guard.folder_cause(self.path)} ({exc.strerror or exc}).", str(self.path),
                hint="Kiểm tra đường dẫn \"ledger.path\" trong config.toml và quyền ghi, rồi chạy lại.") from exc
        self.conn = self._open()

    def _open(self) -> sqlite3.Connection:
        """Connect, switch to WAL and migrate. Processes opening a new ledger together can get "locked" at
        once, before SQLite's busy handler waits (switching the journal mode): retried with back-off."""
        deadline, pause = time.monotonic() + self.lock_timeout, 0.02
        while True:
            try:
                conn = sqlite_guard.connect(self.path, self.lock_timeout)
                try:
                    self._migrate(conn)
                except BaseException:
                    conn.close()
                    raise
                return conn
            except LedgerBusyError:
                if time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(1.0, pause * 2)

    @classmethod
    def for_config(cls, config: Config, lock_timeout: float | None = None) -> Ledger:
        """The ledger named by `ledger.path`, waiting `ledger.lock_timeout` (or `lock_timeout`) on locks."""
        wait = float(config["ledger.lock_timeout"]) if lock_timeout is None else lock_timeout
        return cls(config.path("ledger.path"), wait)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @property
    def schema_version(self) -> int:
        return _version(self.conn)

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        """Bring the schema up to date; an up-to-date ledger is opened without taking the write lock."""
        if _version(conn) >= len(MIGRATIONS):
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            apply_migrations(conn, _version(conn), len(MIGRATIONS))  # read again: another may have migrated
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def transaction(self) -> _Transaction:
        """`with ledger.transaction():` one write transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK on error)."""
        return _Transaction(self.conn)

    # --- files -------------------------------------------------------------------------------
    def start_file(self, sha256: str, name: str, fingerprint: str = "") -> int:
        """Record that a file was claimed; returns its id for finish_file."""
        cur = self.conn.execute("INSERT INTO files (sha256, name, claimed_at, fingerprint) VALUES (?, ?, ?, ?)",
                                (sha256, name, now(), fingerprint))
        return int(cur.lastrowid or 0)

    def finish_file(self, file_id: int, outcome: str, outputs: list[str], *, message: str = "",
                    n_issues: int = 0, province: str | None = None, year: int | None = None,
                    output_hashes: dict[str, str] | None = None) -> None:
        self.conn.execute(
            "UPDATE files SET outcome=?, outputs=?, message=?, n_issues=?, province=?, year=?, finished_at=?, "
            "output_hashes=? WHERE id=?",
            (outcome, json.dumps(outputs, ensure_ascii=False), message, n_issues, province, year, now(),
             json.dumps(output_hashes or {}, ensure_ascii=False), file_id),
        )

    def record_reuse(self, name: str, original: FileRecord) -> int:
        """Record a file answered with an earlier processing of the same content (nothing recomputed)."""
        stamp = now()
        cur = self.conn.execute(
            "INSERT INTO files (sha256, name, claimed_at, finished_at, outcome, outputs, message, n_issues, "
            "province, year, reused_from, fingerprint, output_hashes) SELECT sha256, ?, ?, ?, outcome, outputs, "
            "message, n_issues, province, year, id, fingerprint, output_hashes FROM files WHERE id=?", (name, stamp, stamp, original.id))
        return int(cur.lastrowid or 0)

    def find_done(self, sha256: str, fingerprint: str | None = None) -> FileRecord | None:
        """The latest finished processing of this exact content (made with these settings, if given)."""
        found = self.done_records(sha256, fingerprint, limit=1)
        return found[0] if found else None

    def done_records(self, sha256: str, fingerprint: str | None = None, limit: int = 50) -> list[FileRecord]:
        """Finished processings of this exact content (with these settings, if given), newest first."""
        finals = ",".join("?" * len(FINAL_OUTCOMES))
        sql = f"SELECT * FROM files WHERE sha256=? AND outcome IN ({finals})"
        params: list[object] = [sha256, *FINAL_OUTCOMES]
        if fingerprint is not None:
            sql += " AND fingerprint=?"
            params.append(fingerprint)
        rows = self.conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
        return [_file(r) for r in rows]

    def kills(self, sha256: str) -> int:
        """How many times this content killed the worker processing it since it was last answered."""
        answered = (*FINAL_OUTCOMES, OUTCOME_FAILED)
        finals = ",".join("?" * len(answered))
        row = self.conn.execute(
            f"SELECT count(*) FROM files WHERE sha256=? AND outcome=? AND id > COALESCE("
            f"(SELECT max(id) FROM files WHERE sha256=? AND outcome IN ({finals})), 0)",
            (sha256, OUTCOME_KILLED, sha256, *answered)).fetchone()
        return int(row[0])

    def unfinished(self) -> list[FileRecord]:
        """Files claimed but never finished (a crash mid-way), oldest first."""
        rows = self.conn.execute("SELECT * FROM files WHERE outcome='claimed' ORDER BY id").fetchall()
        return [_file(r) for r in rows]

    def abandon(self, file_id: int) -> None:
        """Mark a claimed row as superseded (it will be processed again under a new id)."""
        self.conn.execute("UPDATE files SET outcome='abandoned', finished_at=? WHERE id=?", (now(), file_id))

    def files(self) -> list[FileRecord]:
        return [_file(r) for r in self.conn.execute("SELECT * FROM files ORDER BY id").fetchall()]

    # --- results -----------------------------------------------------------------------------
    def record_results(self, file_id: int, province: str, year: int, rows: Sequence[Mapping[Hashable, Any]],
                       period: str = PERIOD_YEAR) -> None:
        """Replace this province-year-period's results with the given criterion rows (one transaction)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute("DELETE FROM results WHERE province=? AND year=? AND period=?", (province, year, period))
            self.conn.executemany(
                "INSERT INTO results (file_id, province, year, period, code, name, field, kind, plan, actual, "
                "pct_of_plan, status, points, bonus) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(file_id, province, year, period, r["code"], r["name"], r["field"], r["kind"],
                  number_or_none(r.get("plan")), number_or_none(r.get("actual")),
                  number_or_none(r.get("pct_of_plan")), r["status"], float(r["points"]), float(r["bonus"]))
                 for r in rows],
            )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def history(self, province: str, code: str) -> list[dict[str, Any]]:
        """Year-end results of one criterion for one province, oldest first (interim results apart)."""
        rows = self.conn.execute("SELECT * FROM results WHERE province=? AND code=? AND period=? ORDER BY year",
                                 (province, code, PERIOD_YEAR)).fetchall()
        return [dict(r) for r in rows]


class _Transaction:
    """BEGIN IMMEDIATE on entry; COMMIT on success, ROLLBACK on any exception."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:
            self.conn.execute("ROLLBACK")


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(conn: sqlite3.Connection, start: int, stop: int) -> None:
    """Run MIGRATIONS[start:stop] inside the caller's transaction, setting user_version after each step."""
    for step, script in enumerate(MIGRATIONS[start:stop], start=start + 1):
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version={step}")


def _file(row: sqlite3.Row) -> FileRecord:
    return FileRecord(row["id"], row["sha256"], row["name"], row["outcome"], json.loads(row["outputs"]),
                      row["message"], row["n_issues"], row["claimed_at"], row["finished_at"], row["reused_from"],
                      row["fingerprint"], json.loads(row["output_hashes"]))
