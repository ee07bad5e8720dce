"""Who holds a claim in the ledger (a delivery being sent), and whether that process is still alive.

A claim names its process by host, boot, pid and start time, so a pid reused after a crash or a reboot is
never mistaken for the process that made the claim. A holder on another host cannot be asked: its claim
counts as alive until it is older than `FOREIGN_CLAIM_SECONDS`.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import socket
from pathlib import Path

FOREIGN_CLAIM_SECONDS = 3600.0


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def _stat(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (Linux), or [] where unknown."""
    stat = _read(f"/proc/{pid}/stat")
    return stat.rsplit(")", 1)[-1].split() if stat else []


def _start_ticks(pid: int) -> str:
    """The process's start time in clock ticks since boot, or "" where unknown."""
    fields = _stat(pid)
    return fields[19] if len(fields) > 19 else ""


def _boot_id() -> str:
    return _read("/proc/sys/kernel/random/boot_id")[:8]


@functools.lru_cache(maxsize=4)
def _token(pid: int) -> str:
    return f"{socket.gethostname()}|{_boot_id()}|{pid}|{_start_ticks(pid)}"


def current() -> str:
    """This process's identity (cached per pid: a forked worker gets its own)."""
    return _token(os.getpid())


def alive(owner: str, claimed_at: str = "") -> bool:
    """Whether the process named by `owner` may still be working on its claim."""
    if not owner:
        return False
    try:
        host, boot, pid_text, ticks = owner.split("|")
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname():
        return _younger_than(claimed_at, FOREIGN_CLAIM_SECONDS)
    if boot and boot != _boot_id():
        return False  # the machine restarted since
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    fields = _stat(pid)
    if fields and fields[0] in ("Z", "X"):
        return False  # killed, not yet reaped by its parent
    return not ticks or not fields or ticks == fields[19]  # same pid, same start: the same process


def _younger_than(stamp: str, seconds: float) -> bool:
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return False
    return (dt.datetime.now() - when).total_seconds() < seconds
