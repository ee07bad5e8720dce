"""What runs in the worker processes: warm start-up, one file at a time, and the pool that holds them."""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from thidua.base.config import Config
from thidua.base.logfmt import console_handler
from thidua.pipeline import OUTCOME_OK, FileOutcome

log = logging.getLogger(__name__)

OUTCOME_FAILED = "failed"  # our own crash: never reused from the ledger, the file is answered again
PRELOAD = ("thidua.pipeline", "thidua.intake.reader", "thidua.scoring.evaluate", "thidua.report.pdf",
           "thidua.intake.error_copy")
ProcessFn = Callable[..., FileOutcome]  # process_workbook(source, config, *, write_json, output_name)


PARENT_CHECK_SECONDS = 0.5


def _exit_when_gone(parent_pid: int) -> None:
    """Leave at once when the process that owns the pool is gone (kill -9): an orphan would hold the
    pool's pipes open forever, and finish and mail a file the restarted watcher processes again."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        try:
            os.kill(parent_pid, 0)
        except (ProcessLookupError, PermissionError):  # gone, or the pid now belongs to someone else
            os._exit(70)


def warm_worker(warm_render: bool, templates_dir: str, log_level: int = logging.WARNING,
                parent_pid: int | None = None) -> None:
    """Worker initializer: ignore Ctrl+C (the parent decides), log like the parent, import once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent_pid is not None:
        threading.Thread(target=_exit_when_gone, args=(parent_pid,), name="parent-watch", daemon=True).start()
    package = logging.getLogger("thidua")
    if not package.handlers:  # a fresh process: the CLI's handler did not come along
        package.addHandler(console_handler(sys.stderr, log_level))
    package.setLevel(log_level)
    from thidua.intake import reader as workbook  # noqa: F401  (pandas, calamine)

    try:
        from thidua.report import pdf as render
    except ImportError:  # WeasyPrint missing: the first PDF reports it to the officer
        log.debug("cannot import the renderer", exc_info=True)
        return
    if warm_render:
        try:
            render.get_renderer(Path(templates_dir)).stylesheet()  # fonts and CSS parsed once
        except Exception:  # warming is an optimisation; the real render reports the error
            log.debug("could not warm the renderer", exc_info=True)


@dataclass(frozen=True)
class MailPlan:
    """How to mail a new report: real mail with --send (or email.enabled), .eml only with --dry-run."""

    send: bool = False
    dry_run: bool = False
    force: bool = False


@dataclass
class WorkResult:
    """A worker's answer: the file's outcome and, for a new report, what the mailer said."""

    outcome: FileOutcome
    mail: list[str] = field(default_factory=list)
    mail_ok: bool = True


def deliver(outcome: FileOutcome, config: Config, plan: MailPlan) -> tuple[list[str], bool]:
    """The mailer's hook, run in the worker so slow SMTP never stalls the watcher; own ledger connection."""
    from thidua.base.ledger import Ledger
    from thidua.delivery.mailing import deliver_report

    if outcome.assessment is None or outcome.pdf is None:
        return [], True
    with Ledger(config.path("ledger.path")) as ledger:
        summary = deliver_report(outcome.assessment, outcome.pdf, config, send=plan.send, dry_run=plan.dry_run,
                                 force=plan.force, ledger=ledger)
    return summary.messages, summary.ok


def run_one(process: ProcessFn, path: Path, config: Config, write_json: bool, stem: str,
            mail: MailPlan | None = None) -> WorkResult:
    """In a worker: process one file, then mail its report; a crash of ours still gets an answer."""
    try:
        outcome = process(path, config, write_json=write_json, output_name=stem)
    except Exception as exc:
        log.exception("processing %s failed", path.name)
        outcome = FileOutcome(path, OUTCOME_FAILED, message=f"Lỗi hệ thống: {type(exc).__name__}: {exc}")
        try:
            from thidua.intake.error_copy import write_failure_note

            outcome.outputs.append(write_failure_note(path, exc, config.output_dir / f"{stem}.loi.txt"))
        except Exception:
            log.exception("could not write the failure note for %s", path.name)
        return WorkResult(outcome)
    if mail is None or outcome.outcome != OUTCOME_OK:
        return WorkResult(outcome)
    try:
        lines, ok = deliver(outcome, config, mail)
    except Exception as exc:  # mail trouble never loses the report; `send --pending` retries
        log.exception("mailing the report of %s failed", path.name)
        lines, ok = [f"{path.name}: chưa gửi được thư: {type(exc).__name__}: {exc}"], False
    return WorkResult(outcome, lines, ok)


def make_pool(workers: int, *, warm_render: bool, templates_dir: Path) -> cf.ProcessPoolExecutor:
    """A bounded pool whose workers start warm and ignore Ctrl+C (the parent decides what stops)."""
    if "forkserver" in mp.get_all_start_methods():
        # Workers fork from one server that imported the heavy modules once (missing ones are
        # skipped): a new worker is warm at once. No plain fork of the parent: it may run threads.
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(list(PRELOAD))
    else:
        ctx = mp.get_context("spawn")
    return cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=warm_worker,
                                  initargs=(warm_render, str(templates_dir),
                                            logging.getLogger("thidua").getEffectiveLevel(), os.getpid()))


class InlineExecutor(cf.Executor):
    """Runs each call at once in this process: for a single named file, a pool only costs time."""

    def submit(self, fn: Callable[..., object], /, *args: object, **kwargs: object) -> cf.Future[object]:
        future: cf.Future[object] = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future
