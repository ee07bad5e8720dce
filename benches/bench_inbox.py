"""Drop-folder benchmarks: watch mode from a complete dropped file to its PDF, and 36 workbooks in batch.

Runnable alone (``python benches/bench_inbox.py``) or discovered by ``benches/run.py`` via ``cases()``.
Files go through the real pipeline (``thidua.pipeline.process_workbook``). Each sample is interleaved with
warm renders of the example in this process, and the notes give the ratios the issue holds them to:
watch drop → PDF ÷ warm render (goal ≤ 1,15) and batch ÷ (36 × warm render ÷ workers) (goal ≤ 1,2).
"""

from __future__ import annotations

import atexit
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"
for _path in (ROOT, ROOT / "benches"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_render import warm_render  # noqa: E402
from run import Case, ChildRun, Interleaved, ratio_line, run_cases, run_child  # noqa: E402

N_BATCH = 36
WATCH_GOAL = 1.15  # issue 17: watch drop → PDF ≤ warm render × 1,15
BATCH_GOAL = 1.2  # issue 17: a batch ≤ 1,2 × (N × warm render ÷ workers)


class WatchedFolder:
    """The real `python generate_report.py watch` on a temp drop folder, kept running across measurements."""

    def __init__(self, stable_seconds: float = 0.5) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="thidua-bench-watch-"))
        (self.tmp / "input").mkdir()
        text = (ROOT / "config.toml").read_text(encoding="utf-8")
        text = text.replace('templates_dir = "templates"', f'templates_dir = "{ROOT / "templates"}"')
        text = text.replace("stable_seconds = 0.5", f"stable_seconds = {stable_seconds}")
        (self.tmp / "config.toml").write_text(text, encoding="utf-8")
        self.n = 0
        self.lines: list[str] = []
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "generate_report.py"), "--config",
                                      str(self.tmp / "config.toml"), "watch"], cwd=self.tmp,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        atexit.register(self.close)
        self._wait(lambda: any("Đang theo dõi" in line for line in self.lines), 60)
        self.drop_rename()  # the first files warm fonts, templates and caches in the workers
        self.drop_rename()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def _wait(self, predicate: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise TimeoutError("".join(self.lines))
            time.sleep(0.002)

    def _next(self) -> tuple[Path, Path, Path]:
        """A workbook with new bytes (so never a duplicate), where it goes, and the PDF to wait for."""
        from tests.inbox_fakes import distinct_copy

        self.n += 1
        name = f"tinh-{self.n:03d}"
        source = distinct_copy(EXAMPLE, self.tmp / f"{name}.src.xlsx", f"bản {self.n}")
        return source, self.tmp / "input" / f"{name}.xlsx", self.tmp / "output" / f"{name}.pdf"

    def drop_rename(self) -> float:
        """Excel-style save: written under a temp name, then renamed into place (complete at once)."""
        source, target, pdf = self._next()
        temp = target.parent / f"{self.n:08X}"
        shutil.copyfile(source, temp)
        started = time.perf_counter()
        temp.rename(target)
        self._wait(pdf.exists, 60)
        return time.perf_counter() - started

    def drop_copy(self) -> float:
        """A plain copy: the watcher must see it quiet for stable_seconds before taking it."""
        source, target, pdf = self._next()
        shutil.copyfile(source, target)
        started = time.perf_counter()
        self._wait(pdf.exists, 60)
        return time.perf_counter() - started

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _batch_inputs() -> Path:
    """N_BATCH different workbooks of the example's size (different bytes, so none is a duplicate)."""
    from tests.inbox_fakes import distinct_copy

    cache = Path(tempfile.gettempdir()) / f"thidua-bench-batch-{EXAMPLE.stat().st_mtime_ns}"
    if len(list(cache.glob("*.xlsx"))) != N_BATCH:
        cache.mkdir(exist_ok=True)
        for i in range(N_BATCH):
            distinct_copy(EXAMPLE, cache / f"tinh-{i:02d}.xlsx", f"bản {i}")
    return cache


def batch_once() -> ChildRun:
    """A fresh process runs the whole drop folder, as an officer's `python generate_report.py` would."""
    inputs = _batch_inputs()
    tmp = Path(tempfile.mkdtemp(prefix="thidua-bench-batch-"))
    try:
        (tmp / "input").mkdir()
        for path in inputs.glob("*.xlsx"):
            shutil.copyfile(path, tmp / "input" / path.name)
        done = run_child([sys.executable, str(Path(__file__)), "--batch-once", str(tmp)], ROOT)
        made = len(list((tmp / "output").glob("*.pdf")))
        if made != N_BATCH:
            raise RuntimeError(f"batch made {made} PDFs, expected {N_BATCH}")
        return done
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def batch_workers() -> int:
    """How many workers the batch below runs with (inbox.workers = 0: one per core)."""
    from tests.inbox_fakes import make_config
    from thidua.inbox.dispatcher import default_workers

    with tempfile.TemporaryDirectory(prefix="thidua-bench-workers-") as tmp:
        return default_workers(make_config(Path(tmp), workers=0))


def _run_batch_in(folder: Path) -> int:
    from tests.inbox_fakes import full_process, make_config
    from thidua.cli import drop_folder as batch

    return batch.run_inbox(make_config(folder, workers=0), out=io.StringIO(), quiet=True, process=full_process)


def _warm_median(render: Callable[[], float], n: int) -> Callable[[], float]:
    """The median of n warm renders: the batch's yardstick, taken right after each batch."""
    return lambda: statistics.median(render() for _ in range(n))


def _watch_note(series: Interleaved) -> str:
    if not series.timed(0):
        return ""
    return ratio_line("watch drop→PDF (rename) ÷ warm render", series.ratios(0, 1), WATCH_GOAL,
                      detail=f"medians {statistics.median(series.timed(0)):.2f} s vs "
                             f"{statistics.median(series.timed(1)):.2f} s")


def _batch_note(series: Interleaved, workers: int) -> str:
    if not series.timed(0):
        return ""
    ideal = [N_BATCH * w / workers for w in series.timed(1)]
    return ratio_line(f"batch of {N_BATCH} ÷ ({N_BATCH} × warm render ÷ {workers} workers)",
                      series.ratios(0, 1, N_BATCH / workers), BATCH_GOAL,
                      detail=f"medians {statistics.median(series.timed(0)):.1f} s vs {statistics.median(ideal):.1f} s")


def cases() -> list[Case]:
    """Latencies are measured inside each case (from the moment the file is complete)."""
    folder = WatchedFolder()
    render = warm_render()
    watch = Interleaved(7, folder.drop_rename, render)
    batch = Interleaved(3, batch_once, _warm_median(render, 3))
    workers = batch_workers()
    return [
        Case("inbox: watch drop→PDF (rename)", 7, watch.row(0), target_ms=1000, note=lambda: _watch_note(watch)),
        Case("inbox: watch drop→PDF (copy, stable 0,5 s)", 5, folder.drop_copy),
        Case(f"inbox: batch {N_BATCH} workbooks ({workers} workers)", 3, batch.row(0), target_ms=25000, child=True,
             note=lambda: _batch_note(batch, workers)),
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--batch-once"]:
        raise SystemExit(_run_batch_in(Path(sys.argv[2])))
    raise SystemExit(run_cases(cases()))
