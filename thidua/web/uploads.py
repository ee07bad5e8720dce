"""An uploaded workbook becomes a file claimed in the drop folder: a safe name, staged, checked, claimed."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from thidua.base.errors import UnreadableFileError
from thidua.base.hashing import sha256_of
from thidua.inbox import folder

STAGING_DIR = ".dang-tai-len"  # hidden beside the working folder: half-received uploads are never claimed
FALLBACK_STEM = "tai-len"
MAX_STEM = 80
_NOT_ALLOWED = re.compile(r"[^\w\s().,+\-]", re.UNICODE)  # letters of any script, digits, _ and a few marks
_SPACES = re.compile(r"\s+")


def safe_name(uploaded: str | None) -> str:
    """The workbook's name in the drop folder, made from the browser's name but never a path: the last
    component only, NFC, letters, digits, spaces and ( ) . , + - _ only, no leading dot or ~, at most 80
    characters, always ending in .xlsx ("../../x.xls" → "x.xlsx", "" → "tai-len.xlsx")."""
    text = unicodedata.normalize("NFC", uploaded or "")
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")  # control and format characters
    stem = text[:-5] if text.lower().endswith(".xlsx") else os.path.splitext(text)[0] if "." in text[1:] else text
    stem = _SPACES.sub(" ", _NOT_ALLOWED.sub("", stem)).strip(" .~-")
    stem = stem[:MAX_STEM].rstrip(" .") or FALLBACK_STEM
    return stem + ".xlsx"


def numbered(name: str, n: int) -> str:
    """"x.xlsx" → "x (2).xlsx"."""
    return f"{name[:-5]} ({n}).xlsx" if n > 1 else name


@dataclass(frozen=True)
class Staged:
    """An upload fully received into the hidden staging folder, not yet in the drop folder."""

    path: Path
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name

    def discard(self) -> None:
        shutil.rmtree(self.path.parent, ignore_errors=True)


def stage(stream: IO[bytes], name: str, input_dir: Path) -> Staged:
    """Copy the received bytes into a fresh folder of our own (the name is `safe_name`'s)."""
    root = input_dir / STAGING_DIR
    root.mkdir(parents=True, exist_ok=True)
    slot = Path(tempfile.mkdtemp(prefix="", dir=root))
    path = slot / name
    try:
        with open(path, "xb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        return Staged(path, sha256_of(path))
    except BaseException:
        shutil.rmtree(slot, ignore_errors=True)
        raise


def rename_staged(staged: Staged, name: str) -> Staged:
    """The same upload under another name (a name another province's report already uses)."""
    target = staged.path.with_name(name)
    os.rename(staged.path, target)
    return Staged(target, staged.sha256)


def claim(staged: Staged, input_dir: Path) -> folder.Claim:
    """Into the drop folder's working folder by atomic rename, as a dropped file is claimed."""
    (input_dir / folder.WORKING_DIR).mkdir(parents=True, exist_ok=True)
    claimed = folder.claim(staged.path, input_dir)
    staged.discard()
    if claimed is None:  # only we know the staging folder: this is a fault of ours, not the officer's
        raise FileNotFoundError(staged.path)
    return claimed


def workbook_province(path: Path) -> str | None:
    """The province the workbook's `Thông tin` sheet names (None when unreadable or not filled): read the
    same way `check` reads it, so a hostile file is refused here exactly as there."""
    from thidua.intake.reader import read_workbook

    try:
        meta = read_workbook(path).meta
    except UnreadableFileError:
        return None
    return meta.province if meta is not None and meta.province else None
