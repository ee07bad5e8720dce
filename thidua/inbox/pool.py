"""The worker processes: warm start-up, and the bounded pool that runs `pipeline.run_workbook` in them."""

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
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, TypeVar

from thidua.base.logfmt import console_handler

log = logging.getLogger(__name__)
T = TypeVar("T")

PRELOAD = ("thidua.pipeline", "thidua.intake.reader", "thidua.scoring.evaluate", "thidua.report.pdf",
           "thidua.intake.error_copy")


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
    from thidua import pipeline  # noqa: F401  (the flow, light until used)
    from thidua.intake import reader  # noqa: F401  (calamine)

    try:
        from thidua.report import pdf
    except ImportError:  # WeasyPrint missing: the first PDF reports it to the officer
        log.debug("cannot import the renderer", exc_info=True)
        return
    if warm_render:
        try:
            pdf.get_renderer(Path(templates_dir)).stylesheet()  # fonts and CSS parsed once
        except Exception:  # warming is an optimisation; the real render reports the error
            log.debug("could not warm the renderer", exc_info=True)


def make_pool(workers: int, *, warm_render: bool, templates_dir: Path) -> cf.ProcessPoolExecutor:
    """A bounded pool whose workers start warm and ignore Ctrl+C (the parent decides what stops)."""
    ctx: BaseContext
    if "forkserver" in mp.get_all_start_methods():
        # Workers fork from one server that imported the heavy modules once (missing ones are
        # skipped): a new worker is warm at once. No plain fork of the parent: it may run threads.
        forkserver = mp.get_context("forkserver")
        forkserver.set_forkserver_preload(list(PRELOAD))
        ctx = forkserver
    else:
        ctx = mp.get_context("spawn")
    return cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=warm_worker,
                                  initargs=(warm_render, str(templates_dir),
                                            logging.getLogger("thidua").getEffectiveLevel(), os.getpid()))


class InlineExecutor(cf.Executor):
    """Runs each call at once in this process: for a single named file, a pool only costs time."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> cf.Future[T]:
        future: cf.Future[T] = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


class Workers:
    """A dispatcher's pool, started on first use; a worker that dies breaks its pool, which is then replaced.

    `generation` counts the pools: a file's failure is matched to the pool it ran on.
    """

    def __init__(self, workers: int, *, inline: bool, warm_render: bool, templates_dir: Path) -> None:
        self.workers, self.inline = workers, inline
        self.warm_render, self.templates_dir = warm_render, templates_dir
        self.executor: cf.Executor | None = None
        self.generation = 0

    def _executor(self) -> cf.Executor:
        if self.executor is None:
            self.executor = InlineExecutor() if self.inline else make_pool(
                self.workers, warm_render=self.warm_render, templates_dir=self.templates_dir)
        return self.executor

    def start(self) -> None:
        """Start every worker now (watch mode), so the first file does not pay for their start-up."""
        pool = self._executor()
        for fut in [pool.submit(os.getpid) for _ in range(self.workers)]:
            fut.result()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> tuple[cf.Future[T], int]:
        """Run `fn` in a worker: (its future, the pool generation); a pool found broken is replaced once."""
        try:
            return self._executor().submit(fn, *args, **kwargs), self.generation
        except cf.process.BrokenProcessPool:  # a worker died earlier (killed, out of memory): new pool
            log.warning("worker pool broken; starting new workers")
            self.replace(self.generation)
            return self._executor().submit(fn, *args, **kwargs), self.generation

    def replace(self, generation: int) -> None:
        """A worker of pool `generation` died: the next file starts new workers (once per generation).

        Its remaining workers are stopped too, including one a submit may have started while the pool was
        breaking (CPython would wait for that idle worker forever when shutting the broken pool down)."""
        if generation == self.generation and self.executor is not None:
            _stop_workers(self.executor)
            self.executor.shutdown(wait=False)
            self.executor = None
            self.generation += 1

    def terminate(self) -> None:
        """Kill busy workers at once (a hard stop)."""
        if self.executor is None:
            return
        _stop_workers(self.executor)
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = None

    def shutdown(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)
            self.executor = None


def _stop_workers(executor: cf.Executor) -> None:
    terminate = getattr(executor, "terminate_workers", None)  # public from Python 3.14
    if terminate is not None:
        terminate()
        return
    for proc in list((getattr(executor, "_processes", None) or {}).values()):  # Python 3.11-3.13: no public way
        proc.terminate()
