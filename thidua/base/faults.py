"""Tell a fault of the machine (full disk, read-only folder, busy ledger) from a bug or a bad workbook.

A system fault is never the officer's: the workbook goes back to input/ and is processed again later,
instead of being set aside in input/loi/. `system_fault` names the cause in Vietnamese, for the person.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from thidua.base.errors import LedgerError

# errno → what it means for the person; the folder (or file) concerned is added when known.
_CAUSES = {
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EDQUOT: "đã hết dung lượng được cấp trên ổ đĩa",
    errno.EROFS: "ổ đĩa chỉ cho đọc, không ghi được",
    errno.EACCES: "không có quyền ghi hoặc đọc",
    errno.EPERM: "không được phép ghi hoặc đọc",
    errno.EFBIG: "tệp vượt giới hạn kích thước mà hệ thống cho phép",
    errno.EIO: "lỗi đọc/ghi của ổ đĩa",
    errno.EMFILE: "tiến trình mở quá nhiều tệp cùng lúc",
    errno.ENFILE: "hệ thống mở quá nhiều tệp cùng lúc",
    errno.ENOMEM: "hệ thống hết bộ nhớ",
    errno.EAGAIN: "tài nguyên hệ thống tạm thời không có",
}


_WRITING = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}


def _place(exc: OSError, writing_to: Path | None) -> str:
    """The folder concerned: the parent of the temporary or final file being written, else the file; a write
    error without a file name (a library writing to an open file) is about `writing_to`."""
    name = exc.filename
    if not name:
        return str(writing_to) if writing_to is not None and exc.errno in _WRITING else ""
    path = Path(os.fsdecode(name))
    if path.name.startswith(".") and path.name.endswith(".tmp"):  # base.atomic's temporary name
        path = path.parent
    return str(path)


def os_cause(exc: OSError, writing_to: Path | None = None) -> str:
    """'ổ đĩa đã đầy ("output")' — the Vietnamese words for an environmental OSError, with its place."""
    cause = _CAUSES.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    place = _place(exc, writing_to)
    technical = f"Errno {exc.errno}: {exc.strerror}" if exc.errno else str(exc)
    return f"{cause}" + (f" (\"{place}\")" if place else "") + f" [{technical}]"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 20:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def system_fault(exc: BaseException, writing_to: Path | None = None) -> str | None:
    """A Vietnamese description when `exc` (or what caused it) is a fault of the machine, else None;
    `writing_to` is the folder being written when the error does not say which file."""
    for link in _chain(exc):
        if isinstance(link, LedgerError):
            return link.message + (f" Gợi ý: {link.hint}" if link.hint else "")
        if isinstance(link, OSError) and link.errno in _CAUSES:
            return os_cause(link, writing_to)
    return None
