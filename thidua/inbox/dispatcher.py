"""Run workbooks through a bounded pool of warm worker processes, with the ledger and the drop folder."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import time
from collections import deque
from pathlib import Path

from thidua.base.config import Config
from thidua.base.errors import LedgerError
from thidua.base.faults import system_fault
from thidua.base.fingerprint import settings_fingerprint
from thidua.base.hashing import sha256_of
from thidua.base.ledger import Ledger
from thidua.base.model import OUTCOME_OK, OUTCOME_SYSTEM, PERIOD_YEAR, Issue
from thidua.inbox import folder
from thidua.inbox.jobs import Changed, Done, Held, Item, Job, OutputNames, default_workers, item_key
from thidua.inbox.pool import Workers
from thidua.inbox.recovery import Recovery
from thidua.inbox.retry import Backoff
from thidua.inbox.reuse import reusable
from thidua.pipeline import FileOutcome, MailPlan, ProcessFn, process_workbook, run_workbook

log = logging.getLogger(__name__)


class Dispatcher(Recovery):
    """Claims files, hands them to the pool (which runs the whole pipeline), and on completion records and moves them.

    Everything but the processing itself happens in the calling thread, so the ledger is written by one
    connection per run and the working folder is only touched here. A fault of the machine never sends a file
    to input/loi/: it goes back to input/ and, in one pass (`one_pass`), the pass stops (`halted`); in watch
    mode it is tried again after a back-off, forever. A dead worker is replaced and its file tried again,
    until it has killed KILL_LIMIT workers.
    """

    def __init__(self, config: Config, *, process: ProcessFn = process_workbook, workers: int | None = None,
                 force: bool = False, write_json: bool = False, claim: bool = True, warm_render: bool = False,
                 mail: MailPlan | None = None, inline: bool = False, one_pass: bool = True,
                 lock_wait: float | None = None) -> None:
        self.config = config
        self.inline = inline  # one file from the command line: no worker start-up, no pickling
        self.process = process
        self.workers = max(1, workers or default_workers(config))
        self.force, self.write_json, self.claim, self.mail = force, write_json, claim, mail
        self.warm_render = warm_render
        self.queue: deque[Item] = deque()
        self.running: dict[cf.Future[FileOutcome], Job] = {}
        self.ledger: Ledger | None = None
        self.lock_wait = lock_wait  # None: ledger.lock_timeout
        self.pool = Workers(self.workers, inline=inline, warm_render=warm_render,
                            templates_dir=config.templates_dir)
        self._break_sizes: dict[int, int] = {}  # pool generation → files in progress when it broke
        self.suspects: set[str] = set()
        self.backoff = Backoff()
        self.halted: str | None = None  # one pass stopped by a fault of the machine: its cause
        self.left_waiting = 0  # files a halted pass left in input/
        self.names = OutputNames(one_pass)
        self.one_pass = one_pass
        self._lock = contextlib.ExitStack()  # holds the drop folder's lock while claiming
        self.changed: list[Changed] = []  # year-end results recorded by this run (the cluster report follows)

    # --- life cycle ------------------------------------------------------------------------------
    def __enter__(self) -> Dispatcher:
        if self.claim:
            self._lock.enter_context(folder.locked(self.config.input_dir))
        try:
            self._ledger()
        except LedgerError as exc:
            if self.one_pass:  # nothing claimed yet: every file stays in input/
                self._lock.close()
                raise
            log.warning("ledger not available yet, will retry: %s", exc.message)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(wait=exc[0] is None)

    def _ledger(self) -> Ledger:
        """The ledger connection, opened again after a failure (the file may have been repaired since)."""
        if self.ledger is None:
            self.ledger = Ledger.for_config(self.config, self.lock_wait)
        return self.ledger

    def _drop_ledger(self) -> None:
        if self.ledger is not None:
            with contextlib.suppress(Exception):
                self.ledger.close()
            self.ledger = None

    def start_pool(self) -> None:
        """Start the workers now (watch mode), so the first file does not pay for their start-up."""
        self.pool.start()

    def drop_queue(self) -> None:
        """Forget files not started yet: unclaimed ones stay in input/, claimed ones go back there."""
        while self.queue:
            item = self.queue.popleft()
            if isinstance(item, folder.Claim):
                with contextlib.suppress(OSError):  # else it stays claimed: the next start recovers it
                    folder.release(item)

    def abort(self) -> None:
        """Hard stop (second Ctrl+C): kill the workers and give every file in progress back to input/."""
        self.drop_queue()
        self.pool.terminate()
        for job in self.running.values():
            self._give_back(job)
            log.warning("%s given back to the drop folder unprocessed", job.name)
        self.running.clear()

    def close(self, *, wait: bool = True) -> None:
        """Stop: finish files in progress (or give them back when not `wait`); queued ones stay in input/."""
        if not wait:
            self.abort()
        self.drop_queue()
        while self.running:
            self.collect(timeout=None)
        self.drop_queue()  # a file given back while finishing
        self.pool.shutdown()
        self._drop_ledger()
        self._lock.close()

    # --- feeding ---------------------------------------------------------------------------------
    def recover(self) -> int:
        """Queue files a crashed run had claimed; their half-finished ledger rows are abandoned."""
        try:
            ledger = self._ledger()
            for row in ledger.unfinished():
                ledger.abandon(row.id)
                log.warning("run interrupted earlier while processing %s; it will be processed again", row.name)
        except LedgerError as exc:  # the rows stay "claimed": abandoned by a later start, harmless meanwhile
            log.warning("cannot tidy the ledger now: %s", exc.message)
            self._drop_ledger()
            if self.one_pass:  # every file would wait for the ledger again: leave them all for the next run
                self.halted = f"Lỗi hệ thống: {system_fault(exc)}"
        found = folder.unclaimed(self.config.input_dir) if self.claim else []
        self.queue.extend(found)
        return len(found)

    def add(self, path: Path | folder.Claim) -> None:
        """Queue a file (or one claimed already, an upload) once (watch mode may report a waiting file again)."""
        if path not in self.queue:
            self.queue.append(path)

    @property
    def idle(self) -> bool:
        return not self.queue and not self.running

    def next_attempt(self) -> float | None:
        """Seconds until a deferred file may start (0 when one may start now), None when none waits."""
        due = self.backoff.next_due()
        return None if due is None else max(0.0, due - time.monotonic())

    def pump(self) -> list[Done]:
        """Start queued files while a worker is free; reused results come back at once."""
        done: list[Done] = []
        held: list[Item] = []
        while self.queue and len(self.running) < self.workers and self.halted is None:
            if any(job.solo for job in self.running.values()):
                break
            item = self.queue.popleft()
            if not self.backoff.due(item_key(item)) or (item_key(item) in self.suspects and self.running):
                held.append(item)
                continue
            result = self._start(item)
            if isinstance(result, Held):
                held.append(result.item)
            elif isinstance(result, Done):
                done.append(result)
        self.queue.extendleft(reversed(held))
        if self.halted is not None:
            self.left_waiting += len(self.queue)
            self.drop_queue()
        return done

    def _start(self, item: Item) -> Done | Held | None:
        self.backoff.started(item_key(item))
        if isinstance(item, folder.Claim):
            claimed: folder.Claim | None = item
        elif self.claim:
            try:
                claimed = folder.claim(item, self.config.input_dir)
            except OSError as exc:  # no permission to move it: leave it, say so, keep serving the rest
                log.error("cannot take %s out of the drop folder: %s", item.name, exc)
                return None
            if claimed is None:
                log.info("%s vanished before it could be claimed", item.name)
                return None
        else:
            claimed = None
        path = claimed.path if claimed is not None else Path(str(item))
        name = path.name
        try:
            digest = sha256_of(path)
        except OSError as exc:
            log.warning("cannot read %s: %s", name, exc)
            return self._system_fault(claimed or path, name, "", f"Lỗi hệ thống: không đọc được tệp ({exc}).",
                                      halt=False)
        if not self.force and any(job.sha256 == digest for job in self.running.values()):
            return Held(claimed or path)  # same content in progress: reuse its result when done
        if not self.one_pass and any(job.stem.casefold() == folder.result_stem(name).casefold()
                                     for job in self.running.values()):
            return Held(claimed or path)  # a newer drop of a file in progress: its report takes the name after
        stem = self._stem(name, digest)
        try:
            fingerprint = self._fingerprint()
            if not self.force:
                reused = self._reuse(digest, name, claimed, stem, fingerprint)
                if reused is not None:
                    self._release(stem)
                    return reused
            file_id = self._ledger().start_file(digest, name, fingerprint)
        except LedgerError as exc:
            self._release(stem)
            self._drop_ledger()
            return self._system_fault(claimed or path, name, digest, f"Lỗi hệ thống: {system_fault(exc)}")
        solo = item_key(claimed or path) in self.suspects
        job = Job(name, path, digest, claimed, file_id, stem, solo=solo)

        try:
            future, job.generation = self.pool.submit(
                run_workbook, path, self.config, write_json=self.write_json, output_name=stem, mail=self.mail,
                process=self.process, fingerprint=fingerprint)
        except BaseException:
            self._give_back(job)
            raise
        self.running[future] = job
        return None

    def _stem(self, name: str, digest: str) -> str:
        return self.names.take(name, digest)

    def _release(self, stem: str) -> None:
        self.names.release(stem, list(self.running.values()))

    def _fingerprint(self) -> str:
        """Settings and templates now (re-read per file: watch mode runs while officers edit them)."""
        return settings_fingerprint(self.config)

    def _reuse(self, digest: str, name: str, claimed: folder.Claim | None, stem: str,
               fingerprint: str) -> Done | None:
        """The earlier result of this content, if it can stand for this file as it is on disk now."""
        ledger = self._ledger()
        record = reusable(ledger, digest, fingerprint, stem, write_json=self.write_json)
        if record is None:
            return None
        outputs = [Path(p) for p in record.outputs]
        outcome = FileOutcome(claimed.path if claimed else Path(name), record.outcome, digest, outputs=outputs,
                              message=record.message)
        log.info("%s: same content as %s, already processed; reusing its result", name, record.name)
        file_id = ledger.record_reuse(name, record)
        self.backoff.clear(name)
        moved = self._settle(claimed, record.outcome) if claimed else None
        return Done(outcome, name, reused=True, moved_to=moved, recorded_issues=record.n_issues, file_id=file_id)

    # --- completion ------------------------------------------------------------------------------
    def collect(self, timeout: float | None = None) -> list[Done]:
        """Finish the files whose processing ended (waiting up to `timeout` seconds for one)."""
        if not self.running:
            return []
        finished, _ = cf.wait(list(self.running), timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return [d for d in (self._finish(future) for future in finished) if d is not None]

    def _finish(self, future: cf.Future[FileOutcome]) -> Done | None:
        job = self.running.pop(future)
        self.suspects.discard(item_key(job.item))
        try:
            outcome = future.result()
        except cf.process.BrokenProcessPool as exc:  # the worker process died (killed, out of memory)
            return self._worker_died(job, exc)
        outcome.sha256 = outcome.sha256 or job.sha256
        self._release(job.stem)
        if outcome.outcome == OUTCOME_SYSTEM:
            return self._system_fault(job.item, job.name, job.sha256, outcome.message, file_id=job.file_id)
        return self._answered(job, outcome)

    def _answered(self, job: Job, outcome: FileOutcome) -> Done:
        """Record the outcome and move the input to da-xu-ly/ or loi/ (or give it back: the ledger failed)."""
        try:
            self._record(job, outcome)
        except LedgerError as exc:
            self._drop_ledger()
            return self._system_fault(job.item, job.name, job.sha256, f"Lỗi hệ thống: {system_fault(exc)}",
                                      file_id=job.file_id)
        self.backoff.clear(job.name)
        moved = self._settle(job.claim, outcome.outcome) if job.claim else None
        return Done(outcome, job.name, moved_to=moved, seconds=time.monotonic() - job.started, file_id=job.file_id)

    def _record(self, job: Job, outcome: FileOutcome) -> None:
        ledger = self._ledger()
        meta = outcome.assessment.submission.meta if outcome.assessment is not None else None
        period = meta.period if meta is not None else PERIOD_YEAR
        if outcome.assessment is not None and meta is not None:
            rows = outcome.assessment.results.to_dict("records")
            ledger.record_results(job.file_id, meta.province, meta.year, rows, period=period,
                                  cluster=meta.cluster or "", deductions=float(outcome.assessment.totals.deductions))
            if period == PERIOD_YEAR:  # interim reviews never feed a ranking
                self.changed.append(Changed(meta.province, meta.year, meta.cluster or ""))
        hashes = {str(p): sha256_of(p) for p in outcome.outputs if Path(p).is_file()}
        refusal = [Issue(outcome.code, "", outcome.message, file=job.name)] if outcome.code else []
        ledger.finish_file(job.file_id, outcome.outcome, [str(p) for p in outcome.outputs],
                           message=outcome.message, n_issues=len(outcome.issues),
                           province=meta.province if meta else None, year=meta.year if meta else None,
                           output_hashes=hashes, period=period, issues=outcome.issues or refusal)
        if outcome.signatures and outcome.pdf is not None:
            for signature in outcome.signatures:
                ledger.record_signature(job.file_id, hashes.get(str(outcome.pdf), ""), str(outcome.pdf), signature)

    def _settle(self, claimed: folder.Claim | None, outcome: str) -> Path | None:
        if claimed is None:
            return None
        sub = self.config["inbox.done_dir"] if outcome == OUTCOME_OK else self.config["inbox.failed_dir"]
        try:
            return folder.settle(claimed, self.config.input_dir / sub)
        except OSError as exc:  # it stays in the working folder; the next start settles it (ledger: done)
            log.error("cannot move %s to %s: %s", claimed.name, sub, exc)
            return None

    def _give_back(self, job: Job) -> None:
        with contextlib.suppress(LedgerError):
            self._ledger().abandon(job.file_id)
        if job.claim is not None:
            folder.release(job.claim)
