"""The workbook python-calamine reads: the file itself, or a copy in memory with the parts the guard
cleaned (stray blank cells cut) or under another name than .xlsx, so the reader never sees more than the
guard checked."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import python_calamine

from thidua.base.errors import UnreadableFileError
from thidua.intake.guard import WorkbookScan
from thidua.intake.issues import message


def open_workbook(path: Path, scan: WorkbookScan) -> python_calamine.CalamineWorkbook:
    """Open `path` as the guard checked it (UnreadableFileError when python-calamine cannot)."""
    try:
        if scan.replaced:
            return python_calamine.CalamineWorkbook.from_filelike(_rebuilt(path, scan.replaced))
        if path.suffix.lower() == ".xlsx":
            return python_calamine.CalamineWorkbook.from_path(str(path))
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))  # by content
    except (python_calamine.CalamineError, zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFileError(message("unreadable-file", value=type(exc).__name__), code="unreadable-file") from exc


def _rebuilt(path: Path, replaced: dict[str, bytes]) -> io.BytesIO:
    """The file's zip with some parts' bytes replaced (everything else copied as it is)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = replaced.get(info.filename)
            target.writestr(info, data if data is not None else source.read(info))
    buffer.seek(0)
    return buffer
