"""SQLite history: files processed, results per criterion and year, signatures, every email delivery."""

from __future__ import annotations

import dataclasses
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
from thidua.base.ledger_mail import MailRecords, delivery_record, now
from thidua.base.ledger_schema import MIGRATIONS as MIGRATIONS
from thidua.base.ledger_schema import apply_migrations as apply_migrations
from thidua.base.ledger_schema import version as _version
from thidua.base.model import FINAL_OUTCOMES, OUTCOME_FAILED, OUTCOME_KILLED, PERIOD_YEAR, Issue, Signature
from thidua.base.settings import BY_KEY
from thidua.base.values import number_or_none

if TYPE_CHECKING:
    from thidua.base.config import Config

DEFAULT_LOCK_TIMEOUT = float(BY_KEY["ledger.lock_timeout"].default)  # seconds


def report_key(source_sha256: str, fingerprint: str) -> str:
    """What a province report's mail is keyed by: the workbook's content and the settings it was made with,
    never the PDF's bytes (a re-render or a signature changes those). Migration 11 builds the same text."""
    return f"{source_sha256}/{fingerprint}"


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
                    output_hashes: dict[str, str] | None = None, period: str | None = None,
                    issues: Sequence[Issue] = ()) -> None:
        """Record how a claimed file ended; `period` None keeps what record_results set (year-end default)."""
        self.conn.execute(
            "UPDATE files SET outcome=?, outputs=?, message=?, n_issues=?, province=?, year=?, finished_at=?, "
            "output_hashes=?, period=COALESCE(?, period), issues=? WHERE id=?",
            (outcome, json.dumps(outputs, ensure_ascii=False), message, n_issues, province, year, now(),
             json.dumps(output_hashes or {}, ensure_ascii=False), period,
             json.dumps([dataclasses.asdict(i) for i in issues], ensure_ascii=False), file_id),
        )

    def record_reuse(self, name: str, original: FileRecord) -> int:
        """Record a file answered with an earlier processing of the same content (nothing recomputed)."""
        stamp = now()
        cur = self.conn.execute(
            "INSERT INTO files (sha256, name, claimed_at, finished_at, outcome, outputs, message, n_issues, "
            "province, year, reused_from, fingerprint, output_hashes, period, issues) SELECT sha256, ?, ?, ?, outcome, "
            "outputs, message, n_issues, province, year, id, fingerprint, output_hashes, period, issues FROM files "
            "WHERE id=?", (name, stamp, stamp, original.id))
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

    # --- signatures --------------------------------------------------------------------------
    def record_signature(self, file_id: int | None, report_sha256: str, report_path: str,
                         signature: Signature) -> None:
        """Remember who signed a report (certificate subject) and when (ISO 8601, +07:00)."""
        self.conn.execute(
            "INSERT INTO signatures (file_id, report_sha256, report_path, field, role, subject, signed_at, level, "
            "recorded_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (file_id, report_sha256, report_path, signature.field, signature.role, signature.subject,
             signature.signed_at, signature.level, now()),
        )

    def signatures(self, report_sha256: str | None = None) -> list[dict[str, Any]]:
        """Recorded signatures, oldest first (of one report when its hash is given)."""
        sql, params = "SELECT * FROM signatures", []
        if report_sha256 is not None:
            sql, params = sql + " WHERE report_sha256=?", [report_sha256]
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY id", params).fetchall()]


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


def _file(row: sqlite3.Row) -> FileRecord:
    return FileRecord(row["id"], row["sha256"], row["name"], row["outcome"], json.loads(row["outputs"]),
                      row["message"], row["n_issues"], row["claimed_at"], row["finished_at"], row["reused_from"],
                      row["fingerprint"], json.loads(row["output_hashes"]), row["province"], row["year"],
                      row["period"], [Issue(**fields) for fields in json.loads(row["issues"])])


# Row readers for queries of the layers above over these same tables (the web's pages).
file_from_row = _file
delivery_from_row = delivery_record
