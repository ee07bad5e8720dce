"""Run every benches/bench_*.py and print one table: case, n, min, median, max, peak memory.

A bench module exposes `cases() -> list[Case]` (import Case from this file: name, repeat, func).
Each case runs once to warm up, `repeat` times timed, then once more under tracemalloc for the peak.
Usage: python benches/run.py [NAME-FILTER]
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))


@dataclass(frozen=True)
class Case:
    """One benchmark: a name, how many timed runs, and a no-argument callable."""

    name: str
    repeat: int
    func: Callable[[], object]


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(case: Case) -> tuple[float, float, float, float]:
    """(min, median, max) in ms and peak traced memory in MiB."""
    case.func()
    times = []
    for _ in range(case.repeat):
        started = time.perf_counter()
        case.func()
        times.append((time.perf_counter() - started) * 1000)
    tracemalloc.start()
    try:
        case.func()
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()
    return min(times), statistics.median(times), max(times), peak


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    wanted = args[0] if args else ""
    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        for case in _load(path).cases():
            if wanted in case.name:
                rows.append((case.name, case.repeat, *measure(case)))
    width = max([len(r[0]) for r in rows] + [4])
    print(f"{'case':<{width}}  {'n':>3}  {'min ms':>9}  {'median ms':>9}  {'max ms':>9}  {'peak MiB':>8}")
    for name, n, lo, med, hi, peak in rows:
        print(f"{name:<{width}}  {n:>3}  {lo:>9.1f}  {med:>9.1f}  {hi:>9.1f}  {peak:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
