"""The web's background worker: the drop folder's watcher, also fed the uploaded workbooks; pages wait on it."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from thidua.base.config import Config
from thidua.base.ledger import Ledger
from thidua.inbox import folder
from thidua.inbox.dispatcher import Done
from thidua.inbox.watch import watch
from thidua.pipeline import ProcessFn, process_workbook
from thidua.web.store import WebStore

log = logging.getLogger(__name__)

START_TIMEOUT = 180.0  # workers start warm (fonts, CSS); a slow machine needs a while


class UploadService:
    """Runs `inbox.watch.watch` in a thread: files dropped into input/ and uploads go through the same
    claim, dedupe, pool, ledger, outputs and mail. Request threads only queue claims and wait for events."""

    def __init__(self, config: Config, *, process: ProcessFn = process_workbook, workers: int | None = None,
                 on_done: Callable[[Done], None] | None = None) -> None:
        self.config = config
        self.process, self.workers, self.on_done = process, workers, on_done
        self.uploads: queue.Queue[folder.Claim] = queue.Queue()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._finished: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._ledger: Ledger | None = None  # the watcher thread's own connection
        self.error: BaseException | None = None

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the watcher and wait until its workers are warm; its start-up error is raised here."""
        self._thread = threading.Thread(target=self._run, name="thidua-web-worker", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the worker pool did not start in time")
        if self.error is not None:
            raise self.error

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self.error is None

    def _run(self) -> None:
        try:
            watch(self.config, on_done=self._done, on_ready=self._ready.set, stop_event=self._stop,
                  process=self.process, workers=self.workers, uploads=self.uploads)
        except BaseException as exc:  # told to start(), or logged when it happens later
            self.error = exc
            log.exception("the web's worker stopped")
        finally:
            if self._ledger is not None:
                self._ledger.close()
            self._ready.set()

    def stop(self, timeout: float = 120.0) -> None:
        """Finish the files in progress (queued uploads go back to input/ and are processed next time)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def submit(self, token: str, claimed: folder.Claim) -> None:
        with self._lock:
            self._finished[token] = threading.Event()
        self.uploads.put(claimed)

    def wait(self, token: str, timeout: float) -> bool:
        """Wait up to `timeout` seconds for this upload's result; True when it is recorded."""
        with self._lock:
            event = self._finished.get(token)
        return event.wait(timeout) if event is not None else False

    def _done(self, done: Done) -> None:
        if self._ledger is None:
            self._ledger = Ledger(self.config.path("ledger.path"))
        token = WebStore(self._ledger).link_upload(done.outcome.source, done.outcome.sha256, done.file_id)
        if token is not None:
            with self._lock:
                event = self._finished.pop(token, None)
            if event is not None:
                event.set()
        if self.on_done is not None:
            self.on_done(done)
