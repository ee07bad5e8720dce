"""What the dispatcher does when the machine fails or a worker dies: give the file back, retry, set aside.

A fault of the machine (disk full, folder read-only, ledger locked or damaged) never sends a file to input/loi/:
it goes back to input/; one pass stops there (`halted`), watch mode tries it again after a back-off, forever.
A dead worker breaks its whole pool, which is replaced; its file is tried again (alone, when others were in
progress too, so a death is told apart), and set aside in input/loi/ once it has killed KILL_LIMIT workers.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
from collections import deque

from thidua.base.config import Config
from thidua.base.errors import LedgerError
from thidua.base.faults import system_fault
from thidua.base.ledger import Ledger
from thidua.base.model import OUTCOME_FAILED, OUTCOME_KILLED, OUTCOME_SYSTEM
from thidua.inbox import folder
from thidua.inbox.jobs import Done, Item, Job, item_key
from thidua.inbox.pool import Workers
from thidua.inbox.retry import KILL_LIMIT, Backoff
from thidua.intake.error_copy import write_killer_note
from thidua.pipeline import FileOutcome

log = logging.getLogger(__name__)


class Recovery:
    """The dispatcher's answers to faults (a mixin: the dispatcher provides the state and the hooks below)."""

    config: Config
    claim: bool
    one_pass: bool
    queue: deque[Item]
    running: dict[cf.Future[FileOutcome], Job]
    pool: Workers
    backoff: Backoff
    suspects: set[str]
    halted: str | None
    _break_sizes: dict[int, int]

    def _ledger(self) -> Ledger:
        raise NotImplementedError

    def _drop_ledger(self) -> None:
        raise NotImplementedError

    def _release(self, stem: str) -> None:
        raise NotImplementedError

    def _answered(self, job: Job, outcome: FileOutcome) -> Done:
        raise NotImplementedError

    def _worker_died(self, job: Job, exc: BaseException) -> Done | None:
        """Replace the pool; try the file again (alone, if others were in progress too), or set it aside in
        input/loi/ once it has killed KILL_LIMIT workers by itself (counted in the ledger)."""
        if job.generation not in self._break_sizes:
            self._break_sizes[job.generation] = 1 + sum(1 for j in self.running.values()
                                                        if j.generation == job.generation)
        alone = self._break_sizes[job.generation] == 1
        self.pool.replace(job.generation)
        self._release(job.stem)
        why = type(exc).__name__
        try:
            kills = self._ledger().kills(job.sha256) + 1 if alone else 0
            if kills >= KILL_LIMIT:
                outcome = FileOutcome(job.path, OUTCOME_FAILED, job.sha256,
                                      message=f"Tiến trình xử lý bị dừng đột ngột {kills} lần khi xử lý tệp này "
                                              f"({why}); tệp được để riêng trong input/loi.")
                with contextlib.suppress(OSError):
                    outcome.outputs.append(write_killer_note(job.path, kills, self.config.output_dir /
                                                             f"{job.stem}.loi.txt"))
                log.error("%s killed its worker %d times; setting it aside", job.name, kills)
                return self._answered(job, outcome)
            if alone:
                self._ledger().finish_file(job.file_id, OUTCOME_KILLED, [], message=why)
            else:
                self._ledger().abandon(job.file_id)
        except LedgerError as err:
            self._drop_ledger()
            return self._system_fault(job.item, job.name, job.sha256, f"Lỗi hệ thống: {system_fault(err)}",
                                      file_id=job.file_id)
        log.error("worker died while processing %s (%s); trying it again%s", job.name, why,
                  f" ({kills}/{KILL_LIMIT})" if alone else "")  # not alone: retried one at a time
        self.suspects.add(item_key(job.item))
        self.queue.appendleft(job.item)
        return None

    def _system_fault(self, item: Item, name: str, digest: str, cause: str, *, file_id: int = 0,
                      halt: bool = True) -> Done:
        """Not the officer's fault: the file goes back to input/ (or stays claimed when it cannot), to be
        processed again by the next run; in watch mode, after a back-off."""
        if file_id:
            with contextlib.suppress(LedgerError):
                self._ledger().abandon(file_id)
        retry: Item = item
        if isinstance(item, folder.Claim):
            try:
                retry = folder.release(item)
            except OSError as exc:
                log.error("cannot give %s back to the drop folder now: %s", name, exc)
        source = retry.path if isinstance(retry, folder.Claim) else retry
        outcome = FileOutcome(source, OUTCOME_SYSTEM, digest, message=cause)
        if self.one_pass:
            if halt:
                self.halted = self.halted or cause
            return Done(outcome, name, moved_to=source if self.claim else None)
        delay = self.backoff.defer(item_key(retry), name)
        self.queue.append(retry)
        return Done(outcome, name, moved_to=source, retry_in=delay)
