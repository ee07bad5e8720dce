"""Batch and watch at the terminal: a line or block per file, a progress bar, the closing table, exit codes."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from thidua.base.config import Config
from thidua.base.errors import EXIT_DATA_ISSUES, EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE
from thidua.base.model import OUTCOME_FAILED, OUTCOME_ISSUES, OUTCOME_OK, OUTCOME_SYSTEM, OUTCOME_UNREADABLE
from thidua.cli.cluster_output import cluster_line
from thidua.cli.output import (
    format_watch_line,
    print_done,
    print_halted,
    print_mail,
    print_outcome,
    print_table,
)
from thidua.inbox import batch
from thidua.inbox.dispatcher import Done
from thidua.pipeline import ClusterOutcome, FileOutcome, MailPlan, ProcessFn, process_workbook

_EXIT_BY_OUTCOME = {OUTCOME_OK: EXIT_OK, OUTCOME_ISSUES: EXIT_DATA_ISSUES, OUTCOME_FAILED: EXIT_USAGE,
                    OUTCOME_SYSTEM: EXIT_USAGE, OUTCOME_UNREADABLE: EXIT_UNREADABLE}


def exit_code_for(outcomes: list[FileOutcome]) -> int:
    """Worst outcome wins: unreadable (3) > our own failure or the machine's (2) > data issues (1) > fine (0)."""
    return max((_EXIT_BY_OUTCOME.get(o.outcome, EXIT_USAGE) for o in outcomes), default=EXIT_OK)


def finish_code(done: list[Done], halted: str | None = None) -> int:
    """The worst file outcome; a report someone did not get by mail counts as a problem (1); a pass stopped
    by a fault of the machine is 2 at least."""
    code = exit_code_for([d.outcome for d in done])
    code = max(code, EXIT_DATA_ISSUES) if not all(d.mail_ok for d in done) else code
    return max(code, EXIT_USAGE) if halted else code


@contextlib.contextmanager
def _progress(out: TextIO, total: int, enabled: bool) -> Iterator[Any]:
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


class _Reporter:
    """Told about each file as it is handled: advances the bar, prints its block when asked to."""

    def __init__(self, out: TextIO, bar: Any, *, quiet: bool, per_file: bool) -> None:
        self.out, self.bar, self.quiet, self.per_file = out, bar, quiet, per_file

    def __call__(self, item: Done) -> None:
        if self.bar is not None:
            self.bar.update(self.bar.task_ids[0], advance=1, description=item.name)
        if self.per_file and (not self.quiet or item.outcome.outcome != OUTCOME_OK):
            if item.reused:
                print_done(item, self.out)
            else:
                print_outcome(item.outcome, self.out)
        if self.per_file:
            print_mail(item, self.out, quiet=self.quiet)


def run_files(files: list[Path], config: Config, *, out: TextIO, quiet: bool = False,
              write_json: bool = False, send: bool = False, dry_run: bool = False,
              force: bool = False, process: ProcessFn = process_workbook, workers: int | None = None) -> int:
    """`run FILE…`: one block per file, a closing table for several; the exit code."""
    clusters: list[ClusterOutcome] = []
    with _progress(out, len(files), enabled=not quiet) as bar:
        done = batch.process_files(files, config, write_json=write_json, mail=MailPlan(send, dry_run, force),
                                   force=force, process=process, workers=workers,
                                   on_done=_Reporter(out, bar, quiet=quiet, per_file=True), on_cluster=clusters.append)
    if len(done) > 1 and not quiet:
        print_table(done, out)
    _print_clusters(clusters, out, quiet)
    print_halted(done, out, moved=False)
    return finish_code(done, done.halted)


def run_inbox(config: Config, *, out: TextIO, quiet: bool = False, force: bool = False,
              send: bool = False, dry_run: bool = False, process: ProcessFn = process_workbook,
              workers: int | None = None) -> int:
    """No command: one pass over input/, a progress bar, then the closing table, the mail lines and the
    cluster reports rebuilt."""
    total = batch.waiting_count(config) if config.input_dir.is_dir() else 0
    clusters: list[ClusterOutcome] = []
    with _progress(out, total, enabled=not quiet) as bar:
        done = batch.process_inbox(config, force=force, mail=MailPlan(send, dry_run, force), process=process,
                                   workers=workers, on_done=_Reporter(out, bar, quiet=quiet, per_file=quiet),
                                   on_cluster=clusters.append)
    if not done and not done.halted:
        if not quiet:
            print(f"Không có tệp Excel nào trong {config.input_dir}.", file=out)
        return EXIT_OK
    if not quiet and done:
        print_table(done, out)
        for item in done:
            print_mail(item, out, quiet=quiet)
    _print_clusters(clusters, out, quiet)
    print_halted(done, out, moved=True)
    return finish_code(done, done.halted)


def _print_clusters(clusters: list[ClusterOutcome], out: TextIO, quiet: bool) -> None:
    for outcome in clusters:
        if not quiet or outcome.error:
            print(cluster_line(outcome), file=out, flush=True)


def watch(config: Config, out: TextIO, quiet: bool = False, *, stop_event: threading.Event | None = None,
          max_files: int | None = None, process: ProcessFn = process_workbook, workers: int | None = None,
          force: bool = False) -> int:
    """`watch`: one line per file as it is handled, until Ctrl+C (or `stop_event`, `max_files`)."""
    from thidua.inbox.watch import watch as watch_folder

    def ready() -> None:
        if not quiet:
            print(f"Đang theo dõi thư mục {config.input_dir} (Ctrl+C để dừng).", file=out, flush=True)

    def handled(done: Done) -> None:
        if not quiet:
            print(format_watch_line(done), file=out, flush=True)

    watch_folder(config, on_done=handled, on_ready=ready, stop_event=stop_event, max_files=max_files,
                 process=process, workers=workers, force=force,
                 on_cluster=lambda outcome: _print_clusters([outcome], out, quiet))
    if not quiet:
        print("Đã dừng theo dõi.", file=out, flush=True)
    return EXIT_OK
