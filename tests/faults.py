"""Real faults for tests: a tiny or read-only disk, a process holding the ledger, SMTP servers that misbehave.

Disks: as root, a small tmpfs is mounted (and a read-only bind mount made) where the test needs one; without
the right to mount, read-only falls back to chmod and a full disk to a file-size limit (RLIMIT_FSIZE) on the
subprocess under test, which fails writes with EFBIG like a full disk fails them with ENOSPC.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.inbox_fakes import wait_until
from tests.mailtools import Handler, Received, free_port, parse

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"

MEMBERS = [(f"Thành viên {i}", f"tv{i}@hoidong.example") for i in range(1, 6)]


def _mount(*args: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


class SmallDisk:
    """A folder on its own small tmpfs; `fill()` leaves about `keep` bytes free, `free()` undoes it."""

    def __init__(self, path: Path, size: str = "4m") -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        if not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)):
            raise RuntimeError("cannot mount a tmpfs here")
        self.filler = path / ".remplissage"

    def fill(self, keep: int = 16 * 1024) -> None:
        with open(self.filler, "ab") as fh:
            while True:
                left = os.statvfs(self.path).f_bavail * os.statvfs(self.path).f_frsize
                if left <= keep:
                    break
                try:
                    fh.write(b"\0" * min(left - keep, 1 << 20))
                    fh.flush()
                except OSError:
                    break

    def free(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.filler.unlink()

    def close(self) -> None:
        _umount(self.path)


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[str]:
    """Make `path` read-only for the duration: a read-only bind mount as root (root ignores chmod), else
    chmod 0555. Yields which of the two was used."""
    path.mkdir(parents=True, exist_ok=True)
    if _mount("--bind", str(path), str(path)):
        if _mount("-o", "remount,bind,ro", str(path)):
            try:
                yield "mount"
            finally:
                _umount(path)
            return
        _umount(path)
    mode = path.stat().st_mode
    path.chmod(0o555)
    try:
        yield "chmod"
    finally:
        path.chmod(mode)


def limit_file_size(max_bytes: int) -> Callable[[], None]:
    """preexec_fn for a subprocess: writes past `max_bytes` fail with EFBIG (no SIGXFSZ kill)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, resource.RLIM_INFINITY))

    return apply


# --- the command line in a real process -------------------------------------------------------------------
def write_config(tmp: Path, *, port: int = 25, output: Path | None = None, ledger: Path | None = None,
                 members: list[tuple[str, str]] | None = None, **extra: object) -> Path:
    """A config.toml for a drop folder under `tmp`: plain SMTP on loopback, the given council members."""
    output = output or tmp / "output"
    ledger = ledger or output / "thidua.sqlite3"
    email = {"host": "127.0.0.1", "port": port, "security": "none", "username": "", "timeout": 5, "retries": 0,
             "retry_backoff": 0.1, "sender": "Sở Nội vụ <thidua@snv.example>",
             "outbox_dir": str(output / "thu-di")}
    sections: dict[str, dict[str, object]] = {
        "paths": {"input_dir": str(tmp / "input"), "output_dir": str(output),
                  "templates_dir": str(ROOT / "templates")},
        "ledger": {"path": str(ledger)}, "inbox": {"workers": 2, "stable_seconds": 0.2}, "email": email}
    for dotted, value in extra.items():
        section, key = dotted.split("__")
        sections.setdefault(section, {})[key] = value
    lines = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {_toml(v)}" for k, v in values.items()]
    for name, addr in members if members is not None else MEMBERS:
        lines += ["[[email.recipients]]", f"name = {_toml(name)}", f"email = {_toml(addr)}"]
    path = tmp / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp / "input").mkdir(parents=True, exist_ok=True)
    return path


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def cli(*args: str, config: Path, timeout: float = 180, preexec: Callable[[], None] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    """`python generate_report.py ARGS --config CONFIG` in its own process."""
    return subprocess.run([sys.executable, "generate_report.py", *args, "--config", str(config)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, preexec_fn=preexec)


def start_cli(*args: str, config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "generate_report.py", *args, "--config", str(config)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def no_traceback(done: subprocess.CompletedProcess[str] | tuple[str, str]) -> None:
    out, err = (done.stdout, done.stderr) if isinstance(done, subprocess.CompletedProcess) else done
    assert "Traceback" not in out + err and "Lỗi không mong đợi" not in out + err, out + err


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def where_inputs_are(input_dir: Path) -> dict[str, list[str]]:
    """Every workbook of the drop folder by place: waiting, done, failed, and claimed (should be none)."""
    return {"input": files_in(input_dir), "da-xu-ly": files_in(input_dir / "da-xu-ly"),
            "loi": files_in(input_dir / "loi"),
            "claimed": sorted(p.name for p in (input_dir / ".dang-xu-ly").rglob("*") if p.is_file()
                              and p.name != ".khoa")}


# --- a second process holding the ledger ----------------------------------------------------------------------
_LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


@contextlib.contextmanager
def ledger_locked(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holds BEGIN EXCLUSIVE on the ledger for `seconds` (or until the block ends)."""
    proc = subprocess.Popen([sys.executable, "-c", _LOCKER, str(path), str(seconds)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()


# --- SMTP servers that misbehave on purpose ---------------------------------------------------------------------
class SlowThird(Handler):
    """Accepts every message but keeps the 250 of the `nth` one for `hold` seconds (set `release` to end it)."""

    def __init__(self, nth: int = 3, hold: float = 60.0) -> None:
        super().__init__()
        self.nth, self.hold = nth, hold
        self.release = threading.Event()
        self.holding = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parse(envelope.content)))
        if len(self.received) == self.nth:
            self.holding.set()
            deadline = time.monotonic() + self.hold
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


class Slow(Handler):
    """Accepts every message, each 250 after `delay` seconds (so two senders overlap in time)."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parse(envelope.content)))
        await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"


class DropAfterData(Handler):
    """Takes the whole message of the first `drops` sessions, then hangs up instead of answering 250."""

    def __init__(self, drops: int = 1) -> None:
        super().__init__()
        self.drops = drops

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parse(envelope.content)))
        if self.drops > 0:
            self.drops -= 1
            server.transport.abort()  # the connection is cut: no reply at all
            return "250 never seen"
        return "250 Message accepted for delivery"


class BusyAtData(Handler):
    """Answers the end of DATA with 451 (try again later) for the first `times` messages."""

    def __init__(self, times: int) -> None:
        super().__init__()
        self.times = times

    async def handle_DATA(self, server, session, envelope):
        if self.times > 0:
            self.times -= 1
            return "451 4.3.0 Hệ thống bận, thử lại sau"
        return await super().handle_DATA(server, session, envelope)


class Tarpit:
    """A raw TCP server that never finishes its greeting: one "220-" line every `every` seconds, forever."""

    def __init__(self, every: float = 0.3) -> None:
        self.every = every
        self.port = free_port()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen()
        self.stop = threading.Event()
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            while not self.stop.is_set():
                try:
                    conn.sendall(b"220-tarpit.example waiting...\r\n")
                except OSError:
                    return
                time.sleep(self.every)

    def __enter__(self) -> Tarpit:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


def plain_server(handler: Handler, port: int | None = None):
    """aiosmtpd on loopback without TLS or AUTH, answering through `handler`."""
    from aiosmtpd.controller import Controller

    return Controller(handler, hostname="127.0.0.1", port=port or free_port())


def message_ids(received: list[Received]) -> dict[str, list[str]]:
    """Recipient → the Message-ID of every copy they got, in order."""
    out: dict[str, list[str]] = {}
    for got in received:
        for rcpt in got.rcpt_tos:
            out.setdefault(rcpt, []).append(str(got.message["Message-ID"]))
    return out


def wait_for(predicate: Callable[[], object], timeout: float = 60) -> None:
    wait_until(predicate, timeout=timeout, step=0.05)


class FullDisk:
    """`output/` on a disk that can be filled: a small tmpfs where mounting is allowed, else a file-size
    limit on the process under test (`preexec`), which fails big writes with EFBIG instead of ENOSPC."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.disk: SmallDisk | None = None
        self.limited = False
        if os.environ.get("THIDUA_TEST_NO_MOUNT") != "1":
            try:
                self.disk = SmallDisk(output)
            except RuntimeError:
                self.disk = None
        self.kind = "tmpfs" if self.disk is not None else "rlimit"
        output.mkdir(parents=True, exist_ok=True)

    def fill(self) -> None:
        if self.disk is not None:
            self.disk.fill()
        self.limited = True

    def free(self) -> None:
        if self.disk is not None:
            self.disk.free()
        self.limited = False

    @property
    def preexec(self) -> Callable[[], None] | None:
        return limit_file_size(64 * 1024) if self.limited and self.disk is None else None

    def close(self) -> None:
        if self.disk is not None:
            self.disk.close()


def pid_then_slow_process(source: Path, config, *, write_json: bool = False,
                          output_name: str | None = None):
    """The first call says which process runs it (output/worker.pid) and takes long; later calls are quick."""
    from tests.inbox_fakes import fake_process

    marker = config.output_dir / "worker.pid"
    if not marker.exists():
        config.output_dir.mkdir(parents=True, exist_ok=True)
        marker.write_text(str(os.getpid()), encoding="ascii")
        time.sleep(60)
    return fake_process(source, config, write_json=write_json, output_name=output_name)
