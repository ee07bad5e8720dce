"""Start-up benchmarks: the fast paths an officer hits most, `--help` and `check`, as cold processes.

Neither may import pandas or WeasyPrint; `python -X importtime generate_report.py check …` shows it, and
tests/test_api.py keeps `import thidua` light. Runnable alone or discovered by benches/run.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"
for _path in (ROOT, ROOT / "benches"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from run import Case, ChildRun, run_cases, run_child  # noqa: E402


def _cold(args: list[str]) -> Callable[[], ChildRun]:
    def run() -> ChildRun:
        return run_child([sys.executable, "generate_report.py", *args], ROOT)
    return run


def heavy_imports(args: list[str]) -> list[str]:
    """The heavy libraries a cold command imports (pandas, WeasyPrint, numpy), from -X importtime."""
    import subprocess

    done = subprocess.run([sys.executable, "-X", "importtime", "generate_report.py", *args], cwd=ROOT,
                          capture_output=True, text=True)
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    return sorted(names & {"pandas", "weasyprint", "numpy"})


def cases() -> list[Case]:
    for args in (["--help"], ["check", str(EXAMPLE)]):
        heavy = heavy_imports(args)
        if heavy:
            raise RuntimeError(f"`{' '.join(args)}` imports {', '.join(heavy)}: the fast path is broken")
    return [
        Case("cli: cold `--help`", 9, _cold(["--help"]), target_ms=300, child=True),
        Case("cli: cold `check` of the example", 9, _cold(["check", str(EXAMPLE)]), target_ms=400, child=True),
    ]


if __name__ == "__main__":
    raise SystemExit(run_cases(cases()))
