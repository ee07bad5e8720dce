"""The drop folder on disk: which files are workbooks, claiming them, and moving them out when done."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from thidua.base.errors import ThiduaError

log = logging.getLogger(__name__)

WORKING_DIR = ".dang-xu-ly"  # claimed files live here while they are processed (hidden from officers)
LOCK_NAME = ".khoa"
WORKBOOK = "workbook"
IGNORED = "ignored"  # lock, hidden and temporary files: silently skipped
OTHER = "other"  # anything else: left alone, logged once
_TEMP_SUFFIXES = {".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp", ".bak"}
_EXCEL_TEMP = re.compile(r"^[0-9A-F]{8}$")  # Excel writes its save to e.g. "A1B2C3D4", then renames
# Excel 97-2003 workbooks are not read, but taken in like workbooks: the officer gets a note (save it as
# .xlsx) in output/ and the file moves to the failed folder, instead of lying unanswered in input/.
LEGACY_SUFFIXES = (".xls",)


class InboxBusyError(ThiduaError):
    """Another thidua process is already working on this drop folder."""


def classify(path: Path) -> str:
    """WORKBOOK for `.xlsx` in any letter case; IGNORED for lock/hidden/temp files; else OTHER."""
    name = path.name
    if name.startswith((".", "~")) or name.endswith("~"):
        return IGNORED
    suffix = path.suffix.lower()
    if suffix in _TEMP_SUFFIXES or _EXCEL_TEMP.match(name):
        return IGNORED
    return WORKBOOK if suffix == ".xlsx" else OTHER


def is_taken(path: Path) -> bool:
    """A file the drop folder processes: a workbook, or an Excel 97-2003 file (answered with a note)."""
    kind = classify(path)
    return kind == WORKBOOK or (kind == OTHER and path.suffix.lower() in LEGACY_SUFFIXES)


def candidates(input_dir: Path, *, seen_other: set[str] | None = None) -> list[Path]:
    """Workbooks (and Excel 97-2003 files) waiting directly in `input_dir`, oldest first; other files are
    logged once each."""
    found = []
    seen = seen_other if seen_other is not None else set()
    try:
        entries = list(os.scandir(input_dir))
    except FileNotFoundError:
        return []
    for entry in entries:
        path = Path(entry.path)
        if not entry.is_file(follow_symlinks=False):
            continue
        kind = classify(path)
        if is_taken(path):
            found.append(path)
        elif kind == OTHER and path.name not in seen:
            seen.add(path.name)
            log.warning("left alone: %s is not an .xlsx workbook", path.name)
    return sorted(found, key=_mtime_then_name)


def _mtime_then_name(path: Path) -> tuple[float, str]:
    try:
        return path.stat().st_mtime, path.name
    except FileNotFoundError:
        return 0.0, path.name


def is_complete_zip(path: Path) -> bool:
    """True when the file opens as a zip (its central directory, written last, is in place)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return bool(zf.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


@dataclass(frozen=True)
class Claim:
    """A file taken out of the drop folder: `path` is where it is now, `name` the officer's name."""

    path: Path
    input_dir: Path

    @property
    def name(self) -> str:
        return self.path.name


def working_dir(input_dir: Path) -> Path:
    return input_dir / WORKING_DIR


@contextlib.contextmanager
def locked(input_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the drop folder so two runs never share (or recover) the same file."""
    work = working_dir(input_dir)
    work.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process lock, single runs only
        yield
        return
    with open(work / LOCK_NAME, "a+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise InboxBusyError(f"Một tiến trình thidua khác đang xử lý thư mục \"{input_dir}\".",
                                 hint="Chờ tiến trình đó xong, hoặc dừng nó (Ctrl+C) rồi chạy lại.") from exc
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def claim(path: Path, input_dir: Path) -> Claim | None:
    """Move `path` by atomic rename into its own folder under the working folder; None if it is gone.

    Each claim gets a fresh sub-folder, so the officer's file name is kept exactly (outputs are named
    after it) and two drops of the same name never collide, even across a crash.
    """
    slot = Path(tempfile.mkdtemp(prefix="", dir=working_dir(input_dir)))
    target = slot / path.name
    try:
        os.rename(path, target)
    except FileNotFoundError:
        slot.rmdir()
        return None
    log.debug("claimed %s", path.name)
    return Claim(target, input_dir)


def unclaimed(input_dir: Path) -> list[Claim]:
    """Files claimed by a run that died (kill -9, power cut); empty leftover folders are removed."""
    work = working_dir(input_dir)
    if not work.is_dir():
        return []
    found: list[Claim] = []
    for slot in sorted(p for p in work.iterdir() if p.is_dir()):
        files = [p for p in slot.iterdir() if p.is_file()]
        if not files:
            with contextlib.suppress(OSError):
                slot.rmdir()
        found.extend(Claim(p, input_dir) for p in files)
    return sorted(found, key=lambda c: _mtime_then_name(c.path))


def unique_target(folder: Path, name: str) -> Path:
    """`folder/name`, or `name (2)`, `name (3)`… when taken."""
    stem, suffix = os.path.splitext(name)
    candidate, n = folder / name, 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem} ({n}){suffix}"
    return candidate


def _linked_copy(source: Path, folder: Path, name: str) -> Path | None:
    """The file in `folder` that already is `source` (a hard link made by a move a crash interrupted)."""
    try:
        if os.stat(source).st_nlink < 2:
            return None
    except OSError:
        return None
    stem, suffix = os.path.splitext(name)
    candidate, n = folder / name, 1
    while candidate.exists():
        with contextlib.suppress(OSError):
            if os.path.samefile(candidate, source):
                return candidate
        n += 1
        candidate = folder / f"{stem} ({n}){suffix}"
    return None


def move_no_overwrite(source: Path, folder: Path, name: str) -> Path:
    """Move `source` into `folder` as `name` (suffixed on collision); never replaces an existing file.

    Moving is link-then-unlink; when a crash came between the two, the file already in `folder` is the same
    file (same inode): the move is finished by removing the source, never by a second copy.
    """
    folder.mkdir(parents=True, exist_ok=True)
    done = _linked_copy(source, folder, name)
    if done is not None:
        source.unlink()
        return done
    for _ in range(1000):
        target = unique_target(folder, name)
        try:
            os.link(source, target)  # fails if target exists: no race can overwrite a file
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK):
                raise
            if target.exists():
                continue
            os.rename(source, target)  # no hard links here: check-then-rename is the best we have
            return target
        source.unlink()
        return target
    raise OSError(f"no free name for {name} in {folder}")


def settle(item: Claim, dest_dir: Path) -> Path:
    """Move a claimed file to its final folder (done or failed) and drop its working slot."""
    final = move_no_overwrite(item.path, dest_dir, item.name)
    with contextlib.suppress(OSError):
        item.path.parent.rmdir()
    return final


def release(item: Claim) -> Path:
    """Give a claimed file back to the drop folder untouched (interrupted before it was processed)."""
    return settle(item, item.input_dir)


def result_stem(name: str) -> str:
    """Outputs are named after the input; a corrected error copy "x.loi.xlsx" answers as "x"."""
    stem = os.path.splitext(name)[0]
    return stem[: -len(".loi")] if stem.lower().endswith(".loi") and len(stem) > 4 else stem
