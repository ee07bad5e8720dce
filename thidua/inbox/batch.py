"""Run the pipeline over several files (named, or everything in input/) and tell the person how it went."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from thidua.base.config import Config
from thidua.base.errors import EXIT_DATA_ISSUES, EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE
from thidua.cli.output import print_done, print_mail, print_outcome, print_table
from thidua.inbox import folder as inbox
from thidua.inbox.dispatcher import Dispatcher, Done
from thidua.inbox.pool import OUTCOME_FAILED, MailPlan, ProcessFn
from thidua.pipeline import OUTCOME_ISSUES, OUTCOME_OK, OUTCOME_UNREADABLE, FileOutcome, process_workbook

_EXIT_BY_OUTCOME = {OUTCOME_OK: EXIT_OK, OUTCOME_ISSUES: EXIT_DATA_ISSUES, OUTCOME_FAILED: EXIT_USAGE,
                    OUTCOME_UNREADABLE: EXIT_UNREADABLE}


def exit_code_for(outcomes: list[FileOutcome]) -> int:
    """Worst outcome wins: unreadable (3) > our own failure (2) > data issues (1) > fine (0)."""
    return max((_EXIT_BY_OUTCOME.get(o.outcome, EXIT_USAGE) for o in outcomes), default=EXIT_OK)


@contextlib.contextmanager
def _progress(out: TextIO, total: int, enabled: bool) -> Iterator[object | None]:
    """A rich progress bar on a terminal; nothing when quiet or when output is a file or a pipe."""
    if not enabled or not getattr(out, "isatty", lambda: False)() or total < 1:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("Đang xử lý"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=Console(file=out), transient=True) as bar:
        bar.add_task("", total=total)
        yield bar


def drive(dispatcher: Dispatcher, out: TextIO, *, quiet: bool, per_file: bool) -> list[Done]:
    """Run everything queued in `dispatcher` to the end; per-file blocks and/or a progress bar."""
    done: list[Done] = []
    total = len(dispatcher.queue)
    with _progress(out, total, enabled=not quiet) as bar:
        while not dispatcher.idle:
            finished = dispatcher.pump() + dispatcher.collect(timeout=None)
            for item in finished:
                done.append(item)
                if bar is not None:
                    bar.update(bar.task_ids[0], advance=1, description=item.name)  # type: ignore[attr-defined]
                if per_file and (not quiet or item.outcome.outcome != OUTCOME_OK):
                    if item.reused:
                        print_done(item, out)
                    else:
                        print_outcome(item.outcome, out)
                if per_file:
                    print_mail(item, out, quiet=quiet)
    return done


def _finish_code(done: list[Done]) -> int:
    """The worst file outcome; a report someone did not get by mail counts as a problem (1)."""
    code = exit_code_for([d.outcome for d in done])
    return max(code, EXIT_DATA_ISSUES) if not all(d.mail_ok for d in done) else code


def run_files(files: list[Path], config: Config, *, out: TextIO, quiet: bool = False,
              write_json: bool = False, send: bool = False, dry_run: bool = False,
              force: bool = False, claim: bool = False, process: ProcessFn = process_workbook,
              workers: int | None = None) -> int:
    """Process the named files in place (they are not moved); one block per file, a table for several."""
    with Dispatcher(config, process=process, workers=min(workers or 99, len(files)) or 1, force=force,
                    write_json=write_json, claim=claim, inline=len(files) == 1,
                    mail=MailPlan(send, dry_run, force)) as dispatcher:
        for path in files:
            dispatcher.add(Path(path))
        done = drive(dispatcher, out, quiet=quiet, per_file=True)
    if len(done) > 1 and not quiet:
        print_table(done, out)
    return _finish_code(done)


def run_inbox(config: Config, *, out: TextIO, quiet: bool = False, force: bool = False,
              send: bool = False, dry_run: bool = False, process: ProcessFn = process_workbook,
              workers: int | None = None) -> int:
    """Process every workbook waiting in input/ once (and any a crashed run left half-done)."""
    config.input_dir.mkdir(parents=True, exist_ok=True)
    with Dispatcher(config, process=process, workers=workers, force=force, claim=True,
                    mail=MailPlan(send, dry_run, force)) as dispatcher:
        dispatcher.recover()
        for path in inbox.candidates(config.input_dir):
            dispatcher.add(path)
        if dispatcher.idle:
            if not quiet:
                print(f"Không có tệp Excel nào trong {config.input_dir}.", file=out)
            return EXIT_OK
        done = drive(dispatcher, out, quiet=quiet, per_file=quiet)
    if not quiet:
        print_table(done, out)
        for item in done:
            print_mail(item, out, quiet=quiet)
    return _finish_code(done)


__all__ = ["OUTCOME_OK", "exit_code_for", "run_files", "run_inbox"]
