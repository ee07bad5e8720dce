"""Write outputs under a temporary name and rename into place, so no reader sees half a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path, *, replace: bool = True) -> Iterator[Path]:
    """Yield a temp path beside `target`; on success fsync and os.replace it onto `target`.

    With `replace` False an existing `target` is never replaced: the temp file is hard-linked into place,
    which fails (FileExistsError) if `target` appeared meanwhile. On any exception the temp file is
    removed and `target` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, _default_mode())  # mkstemp makes 0600; outputs are shared like any file the officer saves
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, target)
        else:
            _place_new(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _place_new(tmp: Path, target: Path) -> None:
    """Move `tmp` to `target` only if `target` does not exist (atomically where hard links work)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError:  # no hard links on this file system: O_EXCL then rename is the best there is
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        os.close(fd)
        os.replace(tmp, target)
        return
    tmp.unlink()


def _read_umask() -> int:
    """The process umask; read once at import, since reading it means setting it (not thread-safe)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def _default_mode() -> int:
    """0666 minus the umask: the mode open() would give a new file."""
    return 0o666 & ~_UMASK


def write_bytes(target: Path, data: bytes) -> Path:
    """Atomically write `data` to `target`."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target


def write_text(target: Path, text: str) -> Path:
    """Atomically write UTF-8 `text` to `target`."""
    return write_bytes(target, text.encode("utf-8"))
