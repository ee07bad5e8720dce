"""Run workbooks through a bounded pool of warm worker processes, with the ledger and the drop folder."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import os
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from thidua.base.config import Config
from thidua.base.fingerprint import settings_fingerprint
from thidua.base.hashing import sha256_of
from thidua.base.ledger import FileRecord, Ledger
from thidua.base.model import OUTCOME_FAILED, OUTCOME_OK, PERIOD_YEAR, Issue
from thidua.base.year_end import recorded_after
from thidua.inbox import folder
from thidua.inbox.pool import InlineExecutor, make_pool
from thidua.intake.error_copy import write_failure_note
from thidua.pipeline import FileOutcome, MailPlan, ProcessFn, process_workbook, run_workbook

log = logging.getLogger(__name__)


@dataclass
class Done:
    """One file handled: its outcome, whether a recorded result was reused, where the input went."""

    outcome: FileOutcome
    name: str
    reused: bool = False
    moved_to: Path | None = None
    seconds: float = 0.0
    recorded_issues: int = 0  # a reused result only knows how many issues there were
    file_id: int = 0  # its row in the ledger's files table

    @property
    def mail(self) -> list[str]:
        """What the mailing said about this file's report (nothing for a reused result)."""
        return self.outcome.mail

    @property
    def mail_ok(self) -> bool:
        return self.outcome.mail_ok

    @property
    def n_issues(self) -> int:
        return len(self.outcome.issues) or self.recorded_issues


@dataclass(frozen=True)
class Changed:
    """A province's year-end result recorded (new or replaced): its cluster's report may need rebuilding."""

    province: str
    year: int
    cluster: str
    period: str = PERIOD_YEAR


@dataclass
class _Job:
    name: str
    path: Path
    sha256: str
    claim: folder.Claim | None
    file_id: int = 0
    stem: str = ""
    started: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class _Held:
    item: Path | folder.Claim


def default_workers(config: Config) -> int:
    return int(config["inbox.workers"]) or os.cpu_count() or 1


def _still_valid(record: FileRecord, stem: str) -> bool:
    """Reusable when every output is named after this file and is, byte for byte, what was made then
    (a later workbook of the same name may have overwritten it)."""
    if not record.outputs or len(record.output_hashes) != len(record.outputs):
        return False
    for name in record.outputs:
        path = Path(name)
        if not path.name.startswith(stem + ".") or record.output_hashes.get(name) != _hash_or_none(path):
            return False
    return True


def _hash_or_none(path: Path) -> str | None:
    try:
        return sha256_of(path)
    except OSError:
        return None


class Dispatcher:
    """Claims files, hands them to the pool (which runs the whole pipeline), and on completion records and moves them.

    Everything but the processing itself happens in the calling thread, so the ledger is written by one
    connection per run and the working folder is only touched here.
    """

    def __init__(self, config: Config, *, process: ProcessFn = process_workbook, workers: int | None = None,
                 force: bool = False, write_json: bool = False, claim: bool = True, warm_render: bool = False,
                 mail: MailPlan | None = None, inline: bool = False, one_pass: bool = True) -> None:
        self.config = config
        self.inline = inline  # one file from the command line: no worker start-up, no pickling
        self.process = process
        self.workers = max(1, workers or default_workers(config))
        self.force, self.write_json, self.claim, self.mail = force, write_json, claim, mail
        self.warm_render = warm_render
        self.queue: deque[Path | folder.Claim] = deque()
        self.running: dict[cf.Future[FileOutcome], _Job] = {}
        self.ledger: Ledger | None = None
        self.pool: cf.Executor | None = None
        # output stem (case-folded) → content digest: for one pass over a folder, every file of the pass;
        # for watch mode (not one_pass), files in progress only, so a later corrected drop replaces its report
        self._stems: dict[str, str] = {}
        self.one_pass = one_pass
        self._lock = contextlib.ExitStack()  # holds the drop folder's lock while claiming
        self.changed: list[Changed] = []  # year-end results recorded by this run (the cluster report follows)

    # --- life cycle ------------------------------------------------------------------------------
    def __enter__(self) -> Dispatcher:
        if self.claim:
            self._lock.enter_context(folder.locked(self.config.input_dir))
        self.ledger = Ledger(self.config.path("ledger.path"))
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(wait=exc[0] is None)

    def _pool(self) -> cf.Executor:
        if self.pool is None:
            self.pool = InlineExecutor() if self.inline else make_pool(
                self.workers, warm_render=self.warm_render, templates_dir=self.config.templates_dir)
        return self.pool

    def start_pool(self) -> None:
        """Start the workers now (watch mode), so the first file does not pay for their start-up."""
        pool = self._pool()
        for fut in [pool.submit(os.getpid) for _ in range(self.workers)]:
            fut.result()

    def drop_queue(self) -> None:
        """Forget files not started yet: unclaimed ones stay in input/, claimed ones go back there."""
        while self.queue:
            item = self.queue.popleft()
            if isinstance(item, folder.Claim):
                folder.release(item)

    def abort(self) -> None:
        """Hard stop (second Ctrl+C): kill the workers and give every file in progress back to input/."""
        self.drop_queue()
        if self.pool is not None:
            terminate = getattr(self.pool, "terminate_workers", None)  # public from Python 3.14
            if terminate is not None:
                terminate()
            else:  # Python 3.11-3.13 have no public way to stop a busy worker
                for proc in list(getattr(self.pool, "_processes", {}).values()):
                    proc.terminate()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
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
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None
        if self.ledger is not None:
            self.ledger.close()
            self.ledger = None
        self._lock.close()

    # --- feeding ---------------------------------------------------------------------------------
    def recover(self) -> int:
        """Queue files a crashed run had claimed; their half-finished ledger rows are abandoned."""
        assert self.ledger is not None
        for row in self.ledger.unfinished():
            self.ledger.abandon(row.id)
            log.warning("run interrupted earlier while processing %s; it will be processed again", row.name)
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

    def pump(self) -> list[Done]:
        """Start queued files while a worker is free; reused results come back at once."""
        done: list[Done] = []
        held: list[Path | folder.Claim] = []
        while self.queue and len(self.running) < self.workers:
            item = self.queue.popleft()
            result = self._start(item)
            if isinstance(result, _Held):
                held.append(result.item)
            elif isinstance(result, Done):
                done.append(result)
        self.queue.extendleft(reversed(held))
        return done

    def _start(self, item: Path | folder.Claim) -> Done | _Held | None:
        assert self.ledger is not None
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
            return None
        if not self.force and any(job.sha256 == digest for job in self.running.values()):
            return _Held(claimed or path)  # same content in progress: reuse its result when done
        stem = self._stem(name, digest)
        fingerprint = self._fingerprint()
        if not self.force:
            reused = self._reuse(digest, name, claimed, stem, fingerprint)
            if reused is not None:
                self._release(stem)
                return reused
        job = _Job(name, path, digest, claimed, self.ledger.start_file(digest, name, fingerprint), stem)

        def submit() -> cf.Future[FileOutcome]:
            return self._pool().submit(run_workbook, path, self.config, write_json=self.write_json,
                                       output_name=stem, mail=self.mail, process=self.process)

        try:
            future = submit()
        except cf.process.BrokenProcessPool:  # a worker died earlier (killed, out of memory): new pool
            log.warning("worker pool broken; starting new workers")
            if self.pool is not None:
                self.pool.shutdown(wait=False)
            self.pool = None
            try:
                future = submit()
            except BaseException:
                self._give_back(job)
                raise
        self.running[future] = job
        return None

    def _stem(self, name: str, digest: str) -> str:
        """Outputs are named after the file; two different workbooks of one pass that would share a name
        ("a.xlsx" and "a.XLSX") get "a" and "a (2)", so neither report overwrites the other."""
        base = folder.result_stem(name)
        stem, n = base, 1
        while self._stems.setdefault(stem.casefold(), digest) != digest:
            n += 1
            stem = f"{base} ({n})"
        return stem

    def _release(self, stem: str) -> None:
        """Watch mode: a name is free again once no file of that name is in progress."""
        if not self.one_pass and not any(j.stem.casefold() == stem.casefold() for j in self.running.values()):
            self._stems.pop(stem.casefold(), None)

    def _fingerprint(self) -> str:
        """Settings and templates now (re-read per file: watch mode runs while officers edit them)."""
        return settings_fingerprint(self.config)

    def _reuse(self, digest: str, name: str, claimed: folder.Claim | None, stem: str,
               fingerprint: str) -> Done | None:
        """The earlier result of this content, if it can stand for this file as it is on disk now."""
        assert self.ledger is not None
        record = self.ledger.find_done(digest, fingerprint)
        if record is None or not _still_valid(record, stem) or self._seasonality_changed(record):
            return None
        if record.outcome == OUTCOME_OK and self.ledger.superseded(record):
            return None  # a later workbook of that province and year replaced its results: this one counts again
        if self.write_json and record.outcome == OUTCOME_OK and not any(p.endswith(".json") for p in record.outputs):
            return None  # asked for more than was made then: process again
        outputs = [Path(p) for p in record.outputs]
        outcome = FileOutcome(claimed.path if claimed else Path(name), record.outcome, digest, outputs=outputs,
                              message=record.message)
        log.info("%s: same content as %s, already processed; reusing its result", name, record.name)
        file_id = self.ledger.record_reuse(name, record)
        moved = self._settle(claimed, record.outcome) if claimed else None
        return Done(outcome, name, reused=True, moved_to=moved, recorded_issues=record.n_issues, file_id=file_id)

    def _seasonality_changed(self, record: FileRecord) -> bool:
        """An interim result read last year's year-end results of its province; if those were recorded
        after it, the same workbook now projects differently and is processed again."""
        assert self.ledger is not None
        if record.period == PERIOD_YEAR or record.province is None or record.year is None:
            return False
        return recorded_after(self.ledger, record.province, record.year - 1, record.id)

    # --- completion ------------------------------------------------------------------------------
    def collect(self, timeout: float | None = None) -> list[Done]:
        """Finish the files whose processing ended (waiting up to `timeout` seconds for one)."""
        if not self.running:
            return []
        finished, _ = cf.wait(list(self.running), timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return [self._finish(future) for future in finished]

    def _finish(self, future: cf.Future[FileOutcome]) -> Done:
        job = self.running.pop(future)
        try:
            outcome = future.result()
        except Exception as exc:  # the worker process died (killed, out of memory)
            log.error("worker died while processing %s: %s", job.name, exc)
            outcome = FileOutcome(job.path, OUTCOME_FAILED, job.sha256,
                                  message=f"Tiến trình xử lý bị dừng đột ngột ({type(exc).__name__}).")
            note = self.config.output_dir / f"{job.stem}.loi.txt"
            try:  # the file may be what killed it (a bomb): answer it, never retry it in a loop
                outcome.outputs.append(write_failure_note(job.path, exc, note))
            except OSError:
                log.exception("could not write the failure note for %s", job.name)
        outcome.sha256 = outcome.sha256 or job.sha256
        self._release(job.stem)
        self._record(job, outcome)
        moved = self._settle(job.claim, outcome.outcome) if job.claim else None
        return Done(outcome, job.name, moved_to=moved, seconds=time.monotonic() - job.started, file_id=job.file_id)

    def _record(self, job: _Job, outcome: FileOutcome) -> None:
        assert self.ledger is not None
        meta = outcome.assessment.submission.meta if outcome.assessment is not None else None
        period = meta.period if meta is not None else PERIOD_YEAR
        if outcome.assessment is not None and meta is not None:
            rows = outcome.assessment.results.to_dict("records")
            self.ledger.record_results(job.file_id, meta.province, meta.year, rows, period=period,
                                       cluster=meta.cluster or "",
                                       deductions=float(outcome.assessment.totals.deductions))
            if period == PERIOD_YEAR:  # interim reviews never feed a ranking
                self.changed.append(Changed(meta.province, meta.year, meta.cluster or ""))
        hashes = {str(p): sha256_of(p) for p in outcome.outputs if Path(p).is_file()}
        refusal = [Issue(outcome.code, "", outcome.message, file=job.name)] if outcome.code else []
        self.ledger.finish_file(job.file_id, outcome.outcome, [str(p) for p in outcome.outputs],
                                message=outcome.message, n_issues=len(outcome.issues),
                                province=meta.province if meta else None, year=meta.year if meta else None,
                                output_hashes=hashes, period=period,
                                issues=outcome.issues or refusal)
        if outcome.signatures and outcome.pdf is not None:
            for signature in outcome.signatures:
                self.ledger.record_signature(job.file_id, hashes.get(str(outcome.pdf), ""), str(outcome.pdf),
                                             signature)

    def _settle(self, claimed: folder.Claim | None, outcome: str) -> Path | None:
        if claimed is None:
            return None
        sub = self.config["inbox.done_dir"] if outcome == OUTCOME_OK else self.config["inbox.failed_dir"]
        try:
            return folder.settle(claimed, self.config.input_dir / sub)
        except OSError as exc:  # it stays in the working folder; the next start settles it (ledger: done)
            log.error("cannot move %s to %s: %s", claimed.name, sub, exc)
            return None

    def _give_back(self, job: _Job) -> None:
        assert self.ledger is not None
        self.ledger.abandon(job.file_id)
        if job.claim is not None:
            folder.release(job.claim)
