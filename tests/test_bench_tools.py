"""The benchmark machinery `make bench` relies on: interleaved samples (A B A B …), ratios taken sample by
sample, verdicts against the goals, the machine line, and the LibreOffice comparison left out (and said so)
when soffice is not installed. The figures themselves are measured by `make bench`, not here."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benches"))

import run as bench  # noqa: E402


def test_interleaved_runs_the_parts_in_turn_and_hands_each_row_its_own_sample():
    order: list[str] = []

    def part(name: str, seconds: float):
        def call() -> float:
            order.append(name)
            return seconds
        return call

    series = bench.Interleaved(3, part("a", 2.0), part("b", 1.0))
    first, second = series.row(0), series.row(1)
    for _ in range(1 + 3):  # the warm-up, then `repeat` timed samples, as run.measure calls a case
        first()
        assert second() == 1.0  # what part b measured in the same sample
    assert order == ["a", "b"] * 4
    assert series.timed(0) == [2.0, 2.0, 2.0]  # the warm-up is not a sample
    assert series.ratios(0, 1) == [2.0, 2.0, 2.0]
    assert series.ratios(0, 1, scale=4.0) == [0.5, 0.5, 0.5]


def test_a_part_that_returns_nothing_is_timed_by_its_wall_clock():
    series = bench.Interleaved(1, lambda: time.sleep(0.02), lambda: 0.5)
    series.row(0)()
    series.row(0)()
    assert 0.015 < series.timed(0)[0] < 1.0 and series.timed(1) == [0.5]


def test_a_child_process_is_timed_with_its_peak_memory(tmp_path):
    done = bench.run_child([sys.executable, "-c", "x = bytearray(30 * 1024 * 1024); print('ok')"], tmp_path)
    assert done.seconds > 0 and done.peak_mib >= 30
    with pytest.raises(RuntimeError, match="exited 3"):
        bench.run_child([sys.executable, "-c", "raise SystemExit(3)"], tmp_path)


@pytest.mark.parametrize(("ratios", "verdict"), [([0.9, 1.1, 1.0], "goal ≤ 1.00: met"),
                                                 ([1.3, 1.5, 1.4], "goal ≤ 1.00: NOT MET")])
def test_the_ratio_line_gives_the_median_its_spread_and_the_verdict(ratios, verdict):
    line = bench.ratio_line("cold `run` ÷ LibreOffice", ratios, 1.0, detail="medians 1.5 s vs 1.1 s")
    median = sorted(ratios)[1]
    assert line.startswith(f"cold `run` ÷ LibreOffice: {median:.2f} (median of 3 interleaved samples, "
                           f"min {min(ratios):.2f}, max {max(ratios):.2f}; {verdict}); medians 1.5 s vs 1.1 s")
    assert bench.ratio_line("x", []) == "x: not measured"


def test_the_machine_line_says_what_the_figures_come_from():
    line = bench.machine_line()
    assert line.startswith(f"machine: {os.cpu_count()} cores, ") and "Python " in line
    assert "load average (1, 5, 15 min) " in line


def test_without_soffice_the_libreoffice_comparison_is_left_out_and_said_so(monkeypatch):
    import bench_cold

    monkeypatch.setenv("PATH", "")
    assert bench_cold.libreoffice_convert() is None
    series = bench.Interleaved(1, lambda: 1.5, lambda: 0.9, lambda: 1.2)  # cold run, warm render, floor
    for _ in range(2):
        series.row(0)()
    notes = bench_cold._notes(series, office=False).splitlines()
    assert notes[0] == "cold `run` ÷ LibreOffice: not measured (soffice is not installed)"
    assert notes[1].startswith("warm render ÷ cold `run`: 0.60 ")
    assert notes[2].startswith("layout floor (cold Python + WeasyPrint import + this report's layout) ÷ cold `run`: "
                               "0.80 ")
