"""The ledger's schema: one append-only list of migrations, each from version i to i+1."""

from __future__ import annotations

import sqlite3

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
    # 11: deliveries are keyed by what was sent (report_key: the workbook's SHA-256 and the settings fingerprint,
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


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(conn: sqlite3.Connection, start: int, stop: int) -> None:
    """Run MIGRATIONS[start:stop] inside the caller's transaction, setting user_version after each step."""
    for step, script in enumerate(MIGRATIONS[start:stop], start=start + 1):
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version={step}")
