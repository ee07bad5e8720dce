"""Render benchmarks: warm render of the example in one process, and the cold CLI run as a subprocess.

Runnable alone (``python benches/bench_render.py``) or discovered by ``benches/run.py`` via ``cases()``.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"
for _path in (ROOT, ROOT / "benches"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from run import Case, ChildRun, run_cases, run_child  # noqa: E402


def example_assessment() -> tuple[object, object]:
    """The example read by the real reader and evaluated by scoring.evaluate, with the bundled config."""
    from tests.assessment_fixture import example_assessment as build
    from thidua.base.config import load_config, scoring_settings

    config = load_config(ROOT / "config.toml")
    return build(scoring_settings(config)), config


def six_month_assessment(config: object) -> object:
    """The example's 36 criteria read as a six-month review: half of each figure, money and counts cumulative."""
    import dataclasses

    from tests.assessment_fixture import EXAMPLE as SOURCE
    from thidua.base import model
    from thidua.base.config import interim_settings, scoring_settings
    from thidua.intake.reader import read_workbook
    from thidua.scoring.evaluate import evaluate

    sub = read_workbook(SOURCE).submission
    assert sub is not None
    criteria = sub.criteria.copy()
    criteria["cumulative"] = ~criteria["unit"].isin(["%", "‰", ""]) & criteria["kind"].isin(
        [model.KIND_INCREASE, model.KIND_DECREASE])
    criteria.loc[criteria["cumulative"], "actual"] = (criteria["actual"] / 2).round(2)
    six = dataclasses.replace(sub, meta=dataclasses.replace(sub.meta, year=2023, period=model.PERIOD_H1),
                              criteria=criteria)
    return evaluate(six, scoring_settings(config), interim_settings=interim_settings(config))  # type: ignore[arg-type]


def _scratch_config() -> Path:
    """The bundled config.toml in a temp folder, so the runs write there (not into ./output) and find
    the repository's templates."""
    folder = Path(tempfile.mkdtemp(prefix="thidua-bench-cli-"))
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('templates_dir = "templates"', f'templates_dir = "{ROOT / "templates"}"')
    (folder / "config.toml").write_text(text, encoding="utf-8")
    atexit.register(shutil.rmtree, folder, True)
    return folder / "config.toml"


def _cold(args: list[str]) -> Callable[[], ChildRun]:
    def run() -> ChildRun:
        return run_child([sys.executable, *args], ROOT)
    return run


def cases() -> list[Case]:
    from thidua.report import pdf as render

    assessment, config = example_assessment()
    renderer = render.get_renderer(config.templates_dir)  # type: ignore[attr-defined]
    six_months = six_month_assessment(config)
    return [
        Case("render: warm example PDF", 7, lambda: renderer.render_bytes(assessment, config), target_ms=800),
        Case("render: warm example PDF as a six-month review", 7,
             lambda: renderer.render_bytes(six_months, config), target_ms=800),
        Case("render: html only", 7, lambda: renderer.html(assessment, config)),
        # the whole run (PDF, results workbook, ledger, .eml drafts; --force: no reuse), no SMTP
        Case("cli: cold `run` of the example", 5,
             _cold(["generate_report.py", "--quiet", "--config", str(_scratch_config()), "run", "--force",
                    "--dry-run", str(EXAMPLE)]),
             target_ms=2000, child=True),
    ]


if __name__ == "__main__":
    raise SystemExit(run_cases(cases()))
