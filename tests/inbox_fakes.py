"""Cheap stand-ins for the pipeline (picklable, for worker processes) and drop-folder helpers."""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from thidua.base.atomic import write_bytes
from thidua.base.config import Config, build_config
from thidua.base.hashing import sha256_of
from thidua.base.model import OUTCOME_ISSUES, OUTCOME_OK
from thidua.pipeline import FileOutcome

ROOT = Path(__file__).resolve().parent.parent


def make_config(tmp: Path, email: dict[str, object] | None = None, **inbox: object) -> Config:
    """Settings for a drop folder under `tmp` (input/, output/, ledger), real templates."""
    data = {"paths": {"input_dir": str(tmp / "input"), "output_dir": str(tmp / "output"),
                      "templates_dir": str(ROOT / "templates")},
            "ledger": {"path": str(tmp / "output" / "thidua.sqlite3")},
            "inbox": {"workers": 2, "stable_seconds": 0.2, **inbox},
            "email": {"outbox_dir": str(tmp / "output" / "thu-di"), **(email or {})}}
    config = build_config(data, tmp)
    config.input_dir.mkdir(parents=True, exist_ok=True)
    return config


def fake_xlsx(path: Path, content: str = "", size: int = 0) -> Path:
    """A small real zip named like a workbook; `content` makes its hash unique. BAD in content → issues."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fixed = (2026, 1, 1, 0, 0, 0)  # same content → same bytes, whatever the clock says
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("xl/workbook.xml", fixed), content or path.name)
        if size:
            zf.writestr(zipfile.ZipInfo("xl/padding.bin", fixed), os.urandom(size))
    return path


def calls(config: Config) -> list[str]:
    """Names the fake pipeline was called with, in order."""
    log = config.output_dir / "calls.log"
    return log.read_text(encoding="utf-8").split() if log.exists() else []


def _note_call(config: Config, source: Path) -> None:
    config.output_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(config.output_dir / "calls.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, (source.name.replace(" ", "_") + "\n").encode())
    finally:
        os.close(fd)


def fake_process(source: Path, config: Config, *, write_json: bool = False,
                 output_name: str | None = None) -> FileOutcome:
    """Like process_workbook, in milliseconds: a dummy PDF, or an 'issues' outcome for BAD content."""
    _note_call(config, source)
    stem = output_name or source.stem
    digest = sha256_of(source)
    with zipfile.ZipFile(source) as zf:
        bad = b"BAD" in zf.read("xl/workbook.xml")
    if bad:
        out = write_bytes(config.output_dir / f"{stem}.loi.txt", b"bad\n")
        return FileOutcome(source, OUTCOME_ISSUES, digest, outputs=[out])
    pdf = write_bytes(config.output_dir / f"{stem}.pdf", b"%PDF-1.7 fake " + digest.encode())
    return FileOutcome(source, OUTCOME_OK, digest, outputs=[pdf])


def slow_process(source: Path, config: Config, *, write_json: bool = False,
                 output_name: str | None = None) -> FileOutcome:
    """Announce the start (output/started), then take a long time: for crash and signal tests."""
    (config.output_dir / "started").write_text(source.name, encoding="utf-8")
    time.sleep(float(os.environ.get("THIDUA_TEST_SLOW", "30")))
    return fake_process(source, config, write_json=write_json, output_name=output_name)


def crashing_process(source: Path, config: Config, *, write_json: bool = False,
                     output_name: str | None = None) -> FileOutcome:
    """A bug of ours, not a data problem."""
    raise RuntimeError("boom")


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, step: float = 0.02) -> None:
    """Poll `predicate` until true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")
        time.sleep(step)


def settled(config: Config) -> set[str]:
    """Names of the files that ended in done/ or failed/."""
    names: set[str] = set()
    for sub in (config["inbox.done_dir"], config["inbox.failed_dir"]):
        folder = config.input_dir / sub
        if folder.is_dir():
            names |= {p.name for p in folder.iterdir()}
    return names


def full_process(source: Path, config: Config, *, write_json: bool = False,
                 output_name: str | None = None) -> FileOutcome:
    """The real pipeline (picklable by name, like the stand-ins above)."""
    from thidua.pipeline import process_workbook

    return process_workbook(source, config, write_json=write_json, output_name=output_name)


def distinct_copy(source: Path, target: Path, tag: str) -> Path:
    """A copy of a workbook with different bytes (a document property) but the same data."""
    from openpyxl import load_workbook

    book = load_workbook(source)
    book.properties.title = tag
    book.save(target)
    return target


def dying_process(source: Path, config: Config, *, write_json: bool = False,
                  output_name: str | None = None) -> FileOutcome:
    """The worker process itself dies (as when the kernel kills it for memory) on 'dies' content."""
    with zipfile.ZipFile(source) as zf:
        if zf.read("xl/workbook.xml") == b"dies":
            os._exit(9)
    return fake_process(source, config, write_json=write_json, output_name=output_name)
