"""SQLite failures of the ledger become LedgerErrors that name the file, the cause and what to do.

The ledger's connection translates them wherever they surface (opening, a statement, fetching rows), so
no command ends with "database disk image is malformed" and a busy ledger is told apart from a damaged one.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from thidua.base.errors import LedgerBusyError, LedgerDamagedError, LedgerError, LedgerUnavailableError
from thidua.base.program import command_name

_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_UNAVAILABLE = {sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_IOERR,
                sqlite3.SQLITE_FULL, sqlite3.SQLITE_AUTH}


def damaged_error(path: Path, detail: str) -> LedgerDamagedError:
    """The message for a ledger SQLite cannot read; `detail` is SQLite's own words."""
    what = ("không phải là tệp SQLite (phần đầu tệp bị ghi đè hoặc không phải sổ theo dõi)"
            if "not a database" in detail else "bị cắt cụt hoặc hỏng một phần")
    return LedgerDamagedError(
        f"Sổ theo dõi \"{path}\" bị hỏng: tệp {what} ({detail}): không đọc được lịch sử xử lý và gửi thư.",
        str(path),
        hint=(f"Kiểm tra: {command_name()} ledger check; sửa: {command_name()} ledger repair (giữ lại bản hỏng, "
              "chép sang sổ mới những gì còn đọc được). Đừng xóa tệp này: lịch sử gửi thư giúp không gửi trùng."))


def folder_cause(path: Path) -> str:
    """Why `path` (the ledger file) cannot be opened or written, checked on disk, in Vietnamese."""
    parent = path.parent
    if not parent.exists():
        return f"thư mục \"{parent}\" không tồn tại"
    if not parent.is_dir():
        return f"\"{parent}\" không phải là thư mục"
    statvfs = getattr(os, "statvfs", None)  # POSIX only
    try:
        read_only_fs = bool(statvfs(parent).f_flag & os.ST_RDONLY) if statvfs else False
    except OSError:
        read_only_fs = False
    if read_only_fs:
        return f"thư mục \"{parent}\" nằm trên ổ chỉ cho đọc"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"không có quyền ghi vào thư mục \"{parent}\""
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return f"không có quyền đọc và ghi tệp \"{path}\""
    try:
        free = statvfs(parent) if statvfs else None
        if free is not None and free.f_bavail * free.f_frsize < 64 * 1024:
            return f"ổ đĩa chứa thư mục \"{parent}\" đã đầy"
    except OSError:
        pass
    return "lỗi của hệ điều hành khi mở tệp"


def unavailable_error(path: Path, detail: str) -> LedgerUnavailableError:
    return LedgerUnavailableError(
        f"Không mở hoặc ghi được sổ theo dõi \"{path}\": {folder_cause(path)} ({detail}).", str(path),
        hint="Kiểm tra đường dẫn \"ledger.path\" trong config.toml, quyền ghi và chỗ trống của ổ đĩa, rồi chạy lại.")


def busy_error(path: Path, waited: float) -> LedgerBusyError:
    seconds = f"{waited:g}".replace(".", ",")
    return LedgerBusyError(
        f"Sổ theo dõi \"{path}\" đang bị một tiến trình khác khóa (đã chờ {seconds} giây).",
        str(path),
        hint="Chờ tiến trình đó xong (hoặc tăng \"ledger.lock_timeout\" trong config.toml) rồi chạy lại.")


def translate(exc: sqlite3.Error, path: Path, waited: float) -> LedgerError | None:
    """The LedgerError for an environmental SQLite failure; None for a programming error (kept as is)."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    detail = str(exc)
    if primary in _BUSY or "database is locked" in detail:
        return busy_error(path, waited)
    if primary in _DAMAGED or "malformed" in detail or "not a database" in detail:
        return damaged_error(path, detail)
    if primary in _UNAVAILABLE or "unable to open" in detail or "readonly" in detail:
        return unavailable_error(path, detail)
    return None


class GuardedCursor(sqlite3.Cursor):
    """A cursor whose failures are translated like its connection's."""

    def _fail(self, exc: sqlite3.Error) -> LedgerError | sqlite3.Error:
        conn = self.connection
        if isinstance(conn, GuardedConnection):
            return conn.translated(exc)
        return exc

    def execute(self, sql: str, parameters: Any = (), /) -> GuardedCursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> GuardedCursor:
        try:
            return super().executemany(sql, seq_of_parameters)
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        try:
            return super().fetchmany(size)
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc


class GuardedConnection(sqlite3.Connection):
    """sqlite3.Connection whose environmental failures are LedgerErrors naming `ledger_path`."""

    ledger_path: Path = Path()
    lock_timeout: float = 0.0

    def translated(self, exc: sqlite3.Error) -> LedgerError | sqlite3.Error:
        return translate(exc, self.ledger_path, self.lock_timeout) or exc

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or GuardedCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            raise self.translated(exc) from exc

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.Error as exc:
            raise self.translated(exc) from exc


def connect(path: Path, lock_timeout: float) -> GuardedConnection:
    """Open the ledger file (autocommit, WAL, rows by name), waiting up to `lock_timeout` s on a lock."""
    try:
        conn = sqlite3.connect(path, timeout=lock_timeout, isolation_level=None, factory=GuardedConnection)
    except sqlite3.Error as exc:
        raise (translate(exc, path, lock_timeout) or exc) from exc
    assert isinstance(conn, GuardedConnection)
    conn.ledger_path, conn.lock_timeout = path, lock_timeout
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    except BaseException:
        conn.close()
        raise
    return conn
