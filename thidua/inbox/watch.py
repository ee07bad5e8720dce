"""Watch mode: keep running and process each workbook dropped into input/ as soon as it is complete."""

from __future__ import annotations

import contextlib
import logging
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from thidua.base.config import Config
from thidua.base.model import OUTCOME_SYSTEM
from thidua.inbox import folder
from thidua.inbox.cluster_auto import OnCluster, Rebuilder
from thidua.inbox.dispatcher import Dispatcher, Done
from thidua.inbox.retry import WATCH_LOCK_WAIT
from thidua.pipeline import MailPlan, ProcessFn, process_workbook

log = logging.getLogger(__name__)


class _ShutdownNoise(logging.Filter):
    """watchdog logs a harmless race as an ERROR when its observer stops; officers should not see it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "called when the thread is inactive" not in record.getMessage()


logging.getLogger("watchdog.observers.inotify").addFilter(_ShutdownNoise())

POLL_SECONDS = 0.05  # how often pending files are re-checked; also the loop's longest nap
RESCAN_SECONDS = 5.0  # a full listing now and then catches events a network share never sent
NOT_ZIP_GIVE_UP = 10.0  # a file stable this long (× stable_seconds, ≥ 5 s) but no zip is answered anyway


@dataclass
class _Pending:
    size: int
    mtime_ns: int
    since: float  # monotonic time of the last change seen
    renamed: bool  # appeared by an atomic rename: complete at once (a broken one is answered at once too)


class StabilityTracker:
    """Files seen in input/ that are not yet ready: unchanged for `stable_seconds` and a whole zip."""

    def __init__(self, stable_seconds: float) -> None:
        self.stable_seconds = stable_seconds
        self.pending: dict[Path, _Pending] = {}

    def touch(self, path: Path, *, renamed: bool = False, now: float | None = None) -> None:
        """Note an event on `path`: a new or changed file starts its quiet period again."""
        now = time.monotonic() if now is None else now
        try:
            st = path.stat()
        except FileNotFoundError:
            self.pending.pop(path, None)
            return
        old = self.pending.get(path)
        if old is None or (old.size, old.mtime_ns) != (st.st_size, st.st_mtime_ns):
            self.pending[path] = _Pending(st.st_size, st.st_mtime_ns, now, renamed)

    def ready(self, now: float | None = None) -> list[Path]:
        """Pending files that are complete now (re-checking size and mtime of each)."""
        now = time.monotonic() if now is None else now
        out = []
        for path, entry in list(self.pending.items()):
            try:
                st = path.stat()
            except FileNotFoundError:
                del self.pending[path]
                continue
            if (st.st_size, st.st_mtime_ns) != (entry.size, entry.mtime_ns):
                self.pending[path] = _Pending(st.st_size, st.st_mtime_ns, now, False)
                continue
            quiet_for = now - entry.since
            if quiet_for < (0.0 if entry.renamed else self.stable_seconds):
                continue
            if (entry.renamed or folder.is_complete_zip(path)
                    or quiet_for >= max(5.0, NOT_ZIP_GIVE_UP * self.stable_seconds)):
                del self.pending[path]
                out.append(path)
        return out


class _Events(FileSystemEventHandler):
    """Watchdog thread → queue of (path, renamed) for files directly in input/."""

    def __init__(self, input_dir: Path, inbox_queue: queue.Queue[tuple[Path, bool]]) -> None:
        self.input_dir = input_dir
        self.queue = inbox_queue

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type not in ("created", "modified", "moved", "closed"):
            return
        renamed = event.event_type == "moved"
        raw = event.dest_path if renamed else event.src_path
        path = Path(raw.decode() if isinstance(raw, bytes) else raw)
        if path.parent == self.input_dir and folder.classify(path) != folder.IGNORED:
            self.queue.put((path, renamed))


@contextlib.contextmanager
def _signals(stop: threading.Event, hard: threading.Event) -> Iterator[None]:
    """SIGINT/SIGTERM: first one finishes the files in progress, a second one releases them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            hard.set()
        stop.set()
        log.info("signal %s: stopping after the files in progress", signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def watch(config: Config, *, on_done: Callable[[Done], None] | None = None,
          on_ready: Callable[[], None] | None = None, stop_event: threading.Event | None = None,
          max_files: int | None = None, process: ProcessFn = process_workbook, workers: int | None = None,
          force: bool = False, on_cluster: OnCluster | None = None,
          uploads: queue.Queue[folder.Claim] | None = None) -> int:
    """Process files as they arrive until stopped (signal, `stop_event`, or `max_files` handled).

    `on_ready` is called once the folder is watched and the workers are warm; `on_done` for each file
    handled, and for each file given back after a fault of the machine (it is tried again after a back-off:
    the watcher never stops for a full disk or a locked ledger); `on_cluster` for each cluster report rebuilt
    when idle. `uploads` brings files claimed into the working folder by someone else (the web pages): they
    are processed exactly like a dropped file. Returns how many files were handled.
    """
    stop = stop_event or threading.Event()
    hard = threading.Event()
    input_dir = config.input_dir.resolve()
    input_dir.mkdir(parents=True, exist_ok=True)
    events: queue.Queue[tuple[Path, bool]] = queue.Queue()
    tracker = StabilityTracker(float(config["inbox.stable_seconds"]))
    seen_other: set[str] = set()
    handled = 0
    cluster = Rebuilder(config, on_cluster)
    lock_wait = min(float(config["ledger.lock_timeout"]), WATCH_LOCK_WAIT)  # then the file is retried later
    with _signals(stop, hard), Dispatcher(config, process=process, workers=workers, force=force, claim=True,
                                          one_pass=False, warm_render=True, mail=MailPlan(force=force),
                                          lock_wait=lock_wait) as d:
        observer = Observer()
        observer.schedule(_Events(input_dir, events), str(input_dir), recursive=False)
        observer.start()
        try:
            d.start_pool()
            d.recover()
            last_scan = 0.0
            if on_ready is not None:
                on_ready()
            while not stop.is_set():
                now = time.monotonic()
                if now - last_scan >= RESCAN_SECONDS:
                    for path in folder.candidates(input_dir, seen_other=seen_other):
                        tracker.touch(path, now=now)
                    last_scan = now
                _drain(events, tracker, seen_other)
                for path in tracker.ready():
                    d.add(path)
                while uploads is not None and not uploads.empty():
                    d.add(uploads.get_nowait())
                finished = d.pump()
                if d.running:
                    finished += d.collect(timeout=POLL_SECONDS)
                else:
                    stop.wait(POLL_SECONDS)
                for done in finished:
                    handled += done.outcome.outcome != OUTCOME_SYSTEM
                    _announce(done, on_done)
                if d.idle:
                    cluster.poll(d)
                if max_files is not None and handled >= max_files:
                    break
        finally:
            observer.stop()
            observer.join(timeout=5)
            for done in _finish_running(d, hard):
                handled += done.outcome.outcome != OUTCOME_SYSTEM
                _announce(done, on_done)
            if not hard.is_set():  # what the last files changed, before stopping (atomic writes: a hard stop
                cluster.wait()     # leaves the previous report in place)
                cluster.poll(d)
                cluster.wait()
    return handled


def _drain(events: queue.Queue[tuple[Path, bool]], tracker: StabilityTracker, seen_other: set[str]) -> None:
    while True:
        try:
            path, renamed = events.get_nowait()
        except queue.Empty:
            return
        if folder.is_taken(path):
            tracker.touch(path, renamed=renamed)
        elif path.name not in seen_other and path.is_file():
            seen_other.add(path.name)
            log.warning("left alone: %s is not an .xlsx workbook", path.name)


def _finish_running(d: Dispatcher, hard: threading.Event) -> list[Done]:
    """On stop: finish the files in progress (queued ones stay in input/); a second signal gives
    the files in progress back to input/ instead."""
    done: list[Done] = []
    d.drop_queue()
    while d.running and not hard.is_set():
        done += d.collect(timeout=POLL_SECONDS)
    if hard.is_set():
        d.abort()
    return done


def _announce(done: Done, on_done: Callable[[Done], None] | None) -> None:
    log.info("%s: %s in %.1f s", done.name, done.outcome.outcome, done.seconds)
    if on_done is not None:
        on_done(done)
