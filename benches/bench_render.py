"""Render benchmarks: warm render of the example in one process, and the cold CLI run as a subprocess.

Runnable alone (``python benches/bench_render.py``) or discovered by ``benches/run.py`` via ``cases()``.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGETS = {"render: warm example": 0.8, "cli: cold run example": 2.0, "cold: read+evaluate+render": 2.0}


def example_assessment() -> tuple[object, object, str]:
    """The example read by the real reader and evaluated (scoring.evaluate once merged, else the
    tests' stand-in evaluation), with the bundled config."""
    from tests.assessment_fixture import example_assessment as build
    from thidua.config import load_config, scoring_settings

    config = load_config(ROOT / "config.toml")
    try:
        import thidua.scoring  # noqa: F401
        how = "scoring.evaluate"
    except ImportError:
        how = "tests' stand-in evaluation"
    return build(scoring_settings(config)), config, f"examples/dong-thap-2022.xlsx, {how}"


def _full_cli_available() -> bool:
    """The cold CLI run needs every pipeline module (reader, scoring, render, results workbook)."""
    import importlib.util

    return EXAMPLE.is_file() and all(importlib.util.find_spec(f"thidua.{m}") for m in
                                     ("workbook", "scoring", "render", "results_xlsx"))


def _cold(args: list[str]) -> Callable[[], object]:
    def run() -> object:
        return subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)
    return run


def render_once_cold(out: Path) -> None:
    """What a cold process pays for read → evaluate → render, without the CLI's other outputs."""
    from thidua import render

    assessment, config, _ = example_assessment()
    render.render_pdf(assessment, config, out)  # type: ignore[arg-type]


def cases() -> list[tuple[str, Callable[[], object]]]:
    """(name, callable) pairs; each callable does one measured unit of work."""
    from thidua import render

    assessment, config, _ = example_assessment()
    renderer = render.get_renderer(config.templates_dir)  # type: ignore[attr-defined]
    renderer.render_bytes(assessment, config)  # warm: imports, fonts, CSS, templates compiled
    out = [
        ("render: warm example", lambda: renderer.render_bytes(assessment, config)),
        ("render: html only", lambda: renderer.html(assessment, config)),
    ]
    if _full_cli_available():
        out.append(("cli: cold run example", _cold(["generate_report.py", "--quiet", "run", str(EXAMPLE)])))
    else:  # measure what exists: a fresh interpreter doing read → evaluate → render
        out.append(("cold: read+evaluate+render", _cold(["benches/bench_render.py", "--cold-once"])))
    return out


def main(repeat: int = 7) -> int:
    """Print the median of each case, its ratio to the target and the peak memory."""
    _, _, source = example_assessment()
    print(f"data: {source}")
    for name, fn in cases():
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        target = TARGETS.get(name)
        ratio = f"  {med / target:.2f}× target {target:.1f} s" if target else ""
        print(f"{name:28s} median {med:.3f} s  (min {min(times):.3f}, n={repeat}){ratio}")
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: this process {self_mb:.0f} MB; largest cold child {child_mb:.0f} MB (target 200 MB)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--cold-once"]:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            render_once_cold(Path(tmp) / "bench.pdf")
        raise SystemExit(0)
    raise SystemExit(main())
