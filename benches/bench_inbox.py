"""Drop-folder benchmarks: watch mode from a complete dropped file to its PDF, and 36 workbooks in batch.

Runnable alone (``python benches/bench_inbox.py``) or discovered by ``benches/run.py`` via ``cases()``.
Until scoring is merged, files go through the real reader and renderer around the tests' stand-in
evaluation (``tests.inbox_fakes.full_process``); afterwards through the real pipeline.
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
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGETS = {"inbox: watch drop→PDF (rename)": 1.0, "inbox: batch 36 workbooks": 25.0}
N_BATCH = 36


class Case(tuple):
    """(name, func) that also reads as run.py's Case (name, repeat, func)."""

    def __new__(cls, name: str, func: Callable[[], object], repeat: int = 5) -> Case:
        case = super().__new__(cls, (name, func))
        case.repeat = repeat  # type: ignore[attr-defined]
        return case

    @property
    def name(self) -> str:
        return self[0]

    @property
    def func(self) -> Callable[[], object]:
        return self[1]


class WatchedFolder:
    """A real watcher (warm workers) on a temp drop folder, kept running across measurements."""

    def __init__(self, stable_seconds: float = 0.5) -> None:
        from tests.inbox_fakes import full_process, make_config
        from thidua.watch import watch

        self.tmp = Path(tempfile.mkdtemp(prefix="thidua-bench-watch-"))
        self.config = make_config(self.tmp, stable_seconds=stable_seconds)
        self.data = EXAMPLE.read_bytes()
        self.n = 0
        self.stop = threading.Event()
        self.out = io.StringIO()
        self.thread = threading.Thread(target=watch, args=(self.config, self.out), daemon=True,
                                       kwargs={"stop_event": self.stop, "process": full_process, "force": True})
        self.thread.start()
        atexit.register(self.close)
        self._wait(lambda: "Đang theo dõi" in self.out.getvalue(), 60)
        self.drop_rename()  # the first file warms fonts, templates and caches in a worker
        self.drop_rename()

    def _wait(self, predicate: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(self.out.getvalue())
            time.sleep(0.002)

    def _next(self) -> tuple[str, Path]:
        self.n += 1
        name = f"tinh-{self.n:03d}"
        return name, self.config.output_dir / f"{name}.pdf"

    def drop_rename(self) -> float:
        """Excel-style save: written under a temp name, then renamed into place (complete at once)."""
        name, pdf = self._next()
        temp = self.config.input_dir / f"{self.n:08X}"
        temp.write_bytes(self.data)
        started = time.perf_counter()
        temp.rename(self.config.input_dir / f"{name}.xlsx")
        self._wait(pdf.exists, 60)
        return time.perf_counter() - started

    def drop_copy(self) -> float:
        """A plain copy: the watcher must see it quiet for stable_seconds before taking it."""
        name, pdf = self._next()
        path = self.config.input_dir / f"{name}.xlsx"
        with open(path, "wb") as fh:
            fh.write(self.data)
        started = time.perf_counter()
        self._wait(pdf.exists, 60)
        return time.perf_counter() - started

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=60)
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


def batch_once() -> float:
    """A fresh process runs the whole drop folder, as an officer's `python generate_report.py` would."""
    inputs = _batch_inputs()
    tmp = Path(tempfile.mkdtemp(prefix="thidua-bench-batch-"))
    try:
        (tmp / "input").mkdir()
        for path in inputs.glob("*.xlsx"):
            shutil.copyfile(path, tmp / "input" / path.name)
        started = time.perf_counter()
        subprocess.run([sys.executable, str(Path(__file__)), "--batch-once", str(tmp)], check=True, cwd=ROOT)
        seconds = time.perf_counter() - started
        made = len(list((tmp / "output").glob("*.pdf")))
        if made != N_BATCH:
            raise RuntimeError(f"batch made {made} PDFs, expected {N_BATCH}")
        return seconds
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run_batch_in(folder: Path) -> int:
    from tests.inbox_fakes import full_process, make_config
    from thidua import batch

    return batch.run_inbox(make_config(folder, workers=0), out=io.StringIO(), quiet=True, process=full_process)


def cases() -> list[Case]:
    folder = WatchedFolder()
    return [
        Case("inbox: watch drop→PDF (rename)", folder.drop_rename, repeat=7),
        Case("inbox: watch drop→PDF (copy, stable 0,5 s)", folder.drop_copy, repeat=5),
        Case("inbox: batch 36 workbooks", batch_once, repeat=3),
    ]


def main() -> int:
    """Medians of each case and their ratio to the target (latencies measured inside the case)."""
    for case in cases():
        case.func()
        times = [float(case.func()) for _ in range(case.repeat)]  # type: ignore[attr-defined]
        med = statistics.median(times)
        target = TARGETS.get(case.name)
        ratio = f"  {med / target:.2f}× target {target:.1f} s" if target else ""
        print(f"{case.name:45s} median {med:.3f} s  (min {min(times):.3f}, max {max(times):.3f}, "
              f"n={len(times)}){ratio}", flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--batch-once"]:
        raise SystemExit(_run_batch_in(Path(sys.argv[2])))
    raise SystemExit(main())
