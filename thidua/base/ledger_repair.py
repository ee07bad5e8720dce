"""Check the ledger with SQLite's integrity check; repair a damaged one by copying what still reads.

Repair never starts a silently empty ledger: the damaged file is kept aside under a timestamped name, every
row SQLite can still read goes into a new ledger (ids kept, so the delivery history still prevents duplicate
mail), and the result says, table by table, what was recovered and which rows could not be read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from thidua.base.errors import LedgerError, LedgerUnavailableError
from thidua.base.ledger import MIGRATIONS, Ledger, apply_migrations
from thidua.base.sqlite_guard import folder_cause

_BATCH = 256
_PROBE = 64  # rowids looked up one by one past an unreadable row before skipping ahead
_MAX_ROWID = 2**63 - 1


@dataclass
class CheckResult:
    """SQLite's verdict on one ledger file."""

    path: Path
    exists: bool
    ok: bool = False
    problems: list[str] = field(default_factory=list)  # SQLite's own words, the first few
    counts: dict[str, int] = field(default_factory=dict)  # rows per table, when intact


@dataclass
class TableRecovery:
    """What came back of one table: rows copied, and the rowid ranges that could not be read."""

    table: str
    recovered: int = 0
    lost: list[tuple[int, int | None]] = field(default_factory=list)  # (first, last); last None: to the end
    unreadable: bool = False  # not even its definition could be read


@dataclass
class RepairResult:
    """A repair: where the damaged file was put, and what the new ledger holds."""

    path: Path
    intact: bool = False  # nothing needed repairing
    aside: Path | None = None
    schema_version: int = 0
    tables: list[TableRecovery] = field(default_factory=list)

    @property
    def lost_anything(self) -> bool:
        return any(t.lost or t.unreadable for t in self.tables)


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def check(path: Path) -> CheckResult:
    """Run PRAGMA integrity_check on the ledger without creating or changing it."""
    path = Path(path)
    if not path.exists():
        return CheckResult(path, exists=False)
    result = CheckResult(path, exists=True)
    try:
        conn = _open_read_only(path)
    except sqlite3.Error as exc:
        result.problems = [str(exc)]
        return result
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)").fetchall()]
        result.ok = rows == ["ok"]
        result.problems = [] if result.ok else rows
        if result.ok:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                                 "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            result.counts = {t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}
    except sqlite3.Error as exc:
        result.ok, result.problems = False, [str(exc)]
    finally:
        conn.close()
    return result


def _move_aside(path: Path, now: dt.datetime) -> Path:
    """Rename the damaged file (and its write-ahead log) to `<name>.hong-YYYYMMDD-HHMMSS`."""
    aside = path.with_name(f"{path.name}.hong-{now:%Y%m%d-%H%M%S}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.hong-{now:%Y%m%d-%H%M%S}-{n}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + suffix))
    return aside


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, bool]]:
    """(name, is the rowid alias) of each column."""
    rows = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    return [(str(r[1]), bool(r[5]) and str(r[2]).upper() == "INTEGER") for r in rows]


def _copy_table(old: sqlite3.Connection, new: sqlite3.Connection, table: str) -> TableRecovery:
    found = TableRecovery(table)
    try:
        old_cols = {name for name, _ in _columns(old, table)}
    except sqlite3.DatabaseError:
        old_cols = set()
    if not old_cols:
        found.unreadable = True
        return found
    new_cols = _columns(new, table)
    cols = [name for name, _ in new_cols if name in old_cols]
    alias = any(is_alias for name, is_alias in new_cols if name in old_cols)
    names = ", ".join(f'"{c}"' for c in cols)
    select = f'SELECT rowid, {names} FROM "{table}"'
    insert = (f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})' if alias else
              f'INSERT OR IGNORE INTO "{table}" (rowid, {names}) VALUES (?, {", ".join("?" * len(cols))})')

    def keep(rows: list[tuple[int, ...]]) -> None:
        new.executemany(insert, [tuple(r[1:]) if alias else tuple(r) for r in rows])
        found.recovered += len(rows)

    after, batch = -_MAX_ROWID - 1, _BATCH
    while True:
        try:
            rows = old.execute(f"{select} WHERE rowid > ? ORDER BY rowid LIMIT ?", (after, batch)).fetchall()
        except sqlite3.DatabaseError:
            if batch > 1:
                batch = 1  # find the first row that does not read
                continue
            rows = _skip_damage(old, select, after, found)
            if not rows:
                return found
        batch = _BATCH
        if not rows:
            return found
        keep(rows)
        after = int(rows[-1][0])  # always forward: every pass reads past at least one row


def _skip_damage(old: sqlite3.Connection, select: str, after: int, found: TableRecovery) -> list[tuple[int, ...]]:
    """The next row after `after` does not read: look rowids up one by one, then further and further ahead;
    note the unreadable range; return the first row that reads beyond it ([] when none does)."""
    first_bad = last_bad = after + 1
    for rowid in range(after + 1, min(after + 1 + _PROBE, _MAX_ROWID)):
        try:
            rows = old.execute(f"{select} WHERE rowid = ?", (rowid,)).fetchall()
        except sqlite3.DatabaseError:
            last_bad = rowid
            continue
        if rows:
            found.lost.append((first_bad, last_bad))
            return rows
    step, position = _PROBE, after + _PROBE
    while position < _MAX_ROWID:
        try:
            rows = old.execute(f"{select} WHERE rowid > ? ORDER BY rowid LIMIT 1", (position,)).fetchall()
        except sqlite3.DatabaseError:
            step *= 2
            position = min(_MAX_ROWID, position + step)
            continue
        if rows:
            found.lost.append((first_bad, int(rows[0][0]) - 1))
        break
    else:
        rows = []
    if not rows:
        found.lost.append((first_bad, None))
    return rows


def repair(path: Path, now: dt.datetime | None = None) -> RepairResult:
    """Keep the damaged ledger aside and rebuild `path` from whatever of it SQLite can still read."""
    path = Path(path)
    checked = check(path)
    if not checked.exists or checked.ok:
        return RepairResult(path, intact=True)
    try:
        aside = _move_aside(path, now or dt.datetime.now())
    except OSError as exc:
        raise LedgerUnavailableError(f"Không chuyển được sổ theo dõi hỏng \"{path}\" sang tên khác: "
                                     f"{folder_cause(path)} ({exc.strerror or exc}).", str(path)) from exc
    result = RepairResult(path, aside=aside)
    old = sqlite3.connect(aside)
    old.execute("PRAGMA writable_schema=ON")  # read a truncated file as far as it goes (nothing is written)
    try:
        try:
            version = int(old.execute("PRAGMA user_version").fetchone()[0]) or len(MIGRATIONS)
        except sqlite3.DatabaseError:
            version = len(MIGRATIONS)  # the header does not read: rebuild at today's schema
        if version > len(MIGRATIONS):
            raise LedgerError(f"Sổ theo dõi \"{aside}\" do một phiên bản thidua mới hơn tạo ra; hãy sửa bằng "
                              "phiên bản đó.", str(path))
        result.schema_version = version
        temp = path.with_name(f".{path.name}.dang-sua")
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        new = sqlite3.connect(temp, isolation_level=None)
        try:
            new.execute("BEGIN")
            apply_migrations(new, 0, version)
            tables = [r[0] for r in new.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                                "AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
            result.tables = [_copy_table(old, new, t) for t in tables]
            new.execute("COMMIT")
        finally:
            new.close()
        os.replace(temp, path)
    finally:
        old.close()
    Ledger(path).close()  # the remaining migrations, as any start would run them
    return result
