"""Run every benches/bench_*.py and print one table: case, n, min, median, max, target, ratio, peak memory.

A bench module exposes `cases() -> list[Case]` (import Case from this file). Each case runs once to warm
up, `repeat` times timed, then once more under tracemalloc for the peak Python allocation. Cases that
run a child process report the child's peak RSS instead (tracemalloc cannot see into it).
Figures that must be compared (the cold run against LibreOffice, watch mode against a warm render…) are
measured interleaved (see Interleaved) and printed as ratios under the table; the first line says what
machine and load the figures come from.
Usage: python benches/run.py [NAME-FILTER]    (also: python benches/bench_x.py runs one module)
"""

from __future__ import annotations

import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
for _path in (HERE, HERE.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))


@dataclass(frozen=True)
class Case:
    """One benchmark: a name, how many timed runs, a no-argument callable and its target in ms.

    `note`, when given, is called after the measurements for one more line under the table.
    `func` may return a float of seconds: then that (a latency measured inside, e.g. from the moment a
    dropped file is complete) is the sample instead of the call's wall time. Cases whose work happens in
    a child process return a ChildRun (see run_child) and set `child`, so the table shows the child's
    peak RSS.
    """

    name: str
    repeat: int
    func: Callable[[], object]
    target_ms: float | None = None
    child: bool = False
    note: Callable[[], str] | None = None  # a line printed under the table (e.g. a ratio measured inside)


@dataclass(frozen=True)
class ChildRun:
    """A finished child process: seconds measured by the case and peak RSS (with what it waited for)."""

    seconds: float
    peak_mib: float


# Runs argv as a grandchild and reports its time and peak RSS. A process forked from this (large) one
# inherits our RSS high-water mark through fork and exec, so wait4 on a direct child would report at least
# our own size; a child of a fresh small interpreter starts clean.
_LAUNCHER = """
import os, subprocess, sys, time
t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
print(time.perf_counter() - t, usage.ru_maxrss, file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def user_env() -> dict[str, str]:
    """The environment of a user's machine: Python writes and reuses .pyc files (some build machines set
    PYTHONDONTWRITEBYTECODE=1, which makes every cold start compile the project again)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_child(argv: list[str], cwd: Path) -> ChildRun:
    """Run argv to completion (exit 0 required) as a user would (.pyc files kept): its wall time and peak
    RSS (with what it waited for)."""
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], cwd=cwd, capture_output=True, text=True,
                          env=user_env())
    if done.returncode != 0:
        raise RuntimeError(f"{argv} exited {done.returncode}: {done.stderr}")
    seconds, peak_kib = done.stderr.strip().splitlines()[-1].split()
    return ChildRun(float(seconds), int(peak_kib) / 1024)


def seconds_of(value: object, wall: float) -> float:
    """What a case function measured: a ChildRun's seconds, a float of seconds, else its wall time."""
    if hasattr(value, "peak_mib"):  # a ChildRun (bench modules import this file as `run`, not `__main__`)
        return float(value.seconds)  # type: ignore[attr-defined]
    return value if isinstance(value, float) else wall


class Interleaved:
    """Runs its parts one after another on every sample (A B C A B C …), so the machine's drift and the
    other processes' load hit each part alike; every part's seconds are kept in order.

    `row(0)` is the case function that runs all parts; `row(i)` (i > 0) hands back, call by call, what
    part i measured in the same sample, for a table row of its own. Rows of one Interleaved share `repeat`
    and `child`, so each is called as often as the first. Parts return what a case function may return.
    """

    def __init__(self, repeat: int, *parts: Callable[[], object]) -> None:
        self.repeat, self.parts = repeat, parts
        self.seconds: list[list[float]] = [[] for _ in parts]
        self._waiting: list[deque[object]] = [deque() for _ in parts]

    def _sample(self) -> object:
        first: object = None
        for i, part in enumerate(self.parts):
            started = time.perf_counter()
            value = part()
            seconds = seconds_of(value, time.perf_counter() - started)
            self.seconds[i].append(seconds)
            if i == 0:
                first = value
            else:
                self._waiting[i].append(value if hasattr(value, "peak_mib") else seconds)
        return first

    def row(self, i: int) -> Callable[[], object]:
        return self._sample if i == 0 else self._waiting[i].popleft

    def timed(self, i: int) -> list[float]:
        """Part i's samples the table times: not the warm-up, not a traced run after them."""
        return self.seconds[i][1:1 + self.repeat]

    def ratios(self, numerator: int, denominator: int, scale: float = 1.0) -> list[float]:
        """Sample by sample: part `numerator` ÷ (part `denominator` × `scale`)."""
        return [a / (b * scale) for a, b in zip(self.timed(numerator), self.timed(denominator), strict=True) if b]


def ratio_line(what: str, ratios: list[float], goal: float | None = None, *, detail: str = "") -> str:
    """One note line: the median of interleaved ratios, their spread, and the goal met or not."""
    if not ratios:
        return f"{what}: not measured"
    r = statistics.median(ratios)
    verdict = "" if goal is None else f"; goal ≤ {goal:.2f}: " + ("met" if r <= goal else "NOT MET")
    more = f"; {detail}" if detail else ""
    return (f"{what}: {r:.2f} (median of {len(ratios)} interleaved samples, min {min(ratios):.2f}, "
            f"max {max(ratios):.2f}{verdict}){more}")


def machine_line() -> str:
    """What the figures come from: cores, CPU model, Python, and the load when the line is printed."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"machine: {os.cpu_count()} cores, {model}, {platform.system()}, Python {platform.python_version()}; "
            f"load average (1, 5, 15 min) {load}")


@dataclass(frozen=True)
class Row:
    case: Case
    times_ms: list[float]
    peak_mib: float

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sample(case: Case, peaks: list[float]) -> float:
    started = time.perf_counter()
    value = case.func()
    wall = time.perf_counter() - started
    if hasattr(value, "peak_mib"):
        peaks.append(value.peak_mib)  # type: ignore[attr-defined]
    return seconds_of(value, wall) * 1000


def measure(case: Case) -> Row:
    """Warm up once, time `repeat` runs, then one traced run for the peak memory."""
    case.func()
    peaks: list[float] = []
    times = [_sample(case, peaks) for _ in range(case.repeat)]
    if case.child:
        peak = max(peaks, default=float("nan"))
    else:
        tracemalloc.start()
        try:
            case.func()
            peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        finally:
            tracemalloc.stop()
    return Row(case, times, peak)


def print_table(rows: list[Row]) -> None:
    width = max([len(r.case.name) for r in rows] + [4])
    print(f"{'case':<{width}}  {'n':>3}  {'min ms':>9}  {'median ms':>9}  {'max ms':>9}  {'target':>8}  "
          f"{'ratio':>5}  {'peak MiB':>8}")
    for r in rows:
        target = r.case.target_ms
        ratio = f"{r.median / target:.2f}" if target else "-"
        peak = f"{r.peak_mib:.1f}" + ("*" if r.case.child else " ")
        print(f"{r.case.name:<{width}}  {r.case.repeat:>3}  {min(r.times_ms):>9.1f}  {r.median:>9.1f}  "
              f"{max(r.times_ms):>9.1f}  {target or '-':>8}  {ratio:>5}  {peak:>9}", flush=True)
    if any(r.case.child for r in rows):
        print("* peak RSS of the child process (whole interpreter; not its forkserver workers or its layout helper), "
              "not traced Python allocations")
    for r in rows:
        line = r.case.note() if r.case.note is not None else ""
        if line:
            print(line, flush=True)


def run_cases(cases: list[Case], wanted: str = "") -> int:
    print(machine_line() + " at the start", flush=True)
    rows = [measure(case) for case in cases if wanted in case.name]
    print_table(rows)
    print(machine_line() + " at the end", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    wanted = args[0] if args else ""
    cases = [case for path in sorted(HERE.glob("bench_*.py")) for case in _load(path).cases()]
    return run_cases(cases, wanted)


if __name__ == "__main__":
    raise SystemExit(main())
