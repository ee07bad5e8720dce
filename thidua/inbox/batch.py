"""One pass over several files (named, or everything waiting in input/): what happened to each, in order."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from thidua.base.config import Config
from thidua.inbox import folder
from thidua.inbox.cluster_auto import OnCluster, rebuild, years_to_rebuild
from thidua.inbox.dispatcher import Dispatcher, Done
from thidua.pipeline import MailPlan, ProcessFn, process_workbook

OnDone = Callable[[Done], None]  # told about each file as soon as it is handled (progress, per-file lines)


class PassResult(list[Done]):
    """The files one pass handled, in order; `halted` is the fault of the machine that stopped it early
    (the files not done yet stay in input/ for the next run), `left_waiting` how many it left there."""

    halted: str | None = None
    left_waiting: int = 0


def drive(dispatcher: Dispatcher, on_done: OnDone | None = None) -> PassResult:
    """Run everything queued in `dispatcher` to the end (or until a fault of the machine stops the pass)."""
    done = PassResult()
    while not dispatcher.idle:
        items = dispatcher.pump()
        if dispatcher.running:
            items += dispatcher.collect(timeout=None)
        elif dispatcher.queue and not items:  # only files waiting out a back-off
            time.sleep(min(1.0, max(0.05, dispatcher.next_attempt() or 0.0)))
        for item in items:
            done.append(item)
            if on_done is not None:
                on_done(item)
    done.halted, done.left_waiting = dispatcher.halted, dispatcher.left_waiting
    return done


def process_files(files: list[Path], config: Config, *, write_json: bool = False, mail: MailPlan | None = None,
                  force: bool = False, process: ProcessFn = process_workbook, workers: int | None = None,
                  on_done: OnDone | None = None, on_cluster: OnCluster | None = None) -> PassResult:
    """Process the named files in place (they are not moved); one worker process per file up to `workers`,
    none at all for a single file. Then the cluster reports of the years that changed (`on_cluster`)."""
    with Dispatcher(config, process=process, workers=min(workers or 99, len(files)) or 1, force=force,
                    write_json=write_json, claim=False, inline=len(files) == 1, mail=mail) as dispatcher:
        for path in files:
            dispatcher.add(Path(path))
        done = drive(dispatcher, on_done)
        rebuild(config, years_to_rebuild(config, dispatcher.changed), on_cluster)
        return done


def waiting_count(config: Config) -> int:
    """How many workbooks a pass over input/ would take now (for a progress bar)."""
    return len(folder.candidates(config.input_dir)) + len(folder.unclaimed(config.input_dir))


def process_inbox(config: Config, *, force: bool = False, mail: MailPlan | None = None,
                  process: ProcessFn = process_workbook, workers: int | None = None,
                  on_done: OnDone | None = None, on_cluster: OnCluster | None = None) -> PassResult:
    """Process every workbook waiting in input/ once (and any a crashed run left half-done), moving each
    to done/ or failed/; an empty list when nothing was waiting. Then the cluster reports of the years
    that changed (`on_cluster`)."""
    config.input_dir.mkdir(parents=True, exist_ok=True)
    with Dispatcher(config, process=process, workers=workers, force=force, claim=True, mail=mail) as dispatcher:
        dispatcher.recover()
        for path in folder.candidates(config.input_dir):
            dispatcher.add(path)
        done = drive(dispatcher, on_done)
        rebuild(config, years_to_rebuild(config, dispatcher.changed), on_cluster)
        return done
