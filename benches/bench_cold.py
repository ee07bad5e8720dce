"""The cold `run` of the example against what an officer could run instead: LibreOffice's own conversion of
the same workbook to PDF (`soffice --headless --convert-to pdf`, a bare dump of the sheet), both as fresh
processes, interleaved A B A B with a warm render in this process, so one machine's drift hits all three.

The figures are ratios of each sample: cold run ÷ LibreOffice (goal ≤ 1,0) and warm render ÷ cold run (how
much of the cold run is the layout itself). A fourth process measures the floor of any cold run that makes
this PDF with WeasyPrint: start Python, import the renderer, lay out the example's HTML (made beforehand) and
write the PDF, nothing else; floor ÷ LibreOffice above 1 means the goal cannot be met by the steps around
the layout. LibreOffice runs with its own profile folder, created once per
bench run and filled by the warm-up conversion, so every timed conversion is a cold process with a warm
profile, as on an officer's machine. Without `soffice` only the cold run and its ratio to the warm render
are measured. Runnable alone (``python benches/bench_cold.py``) or discovered by ``benches/run.py``.
"""

from __future__ import annotations

import atexit
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"
for _path in (ROOT, ROOT / "benches"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_render import cold_run, example_assessment, warm_render  # noqa: E402
from run import Case, ChildRun, Interleaved, ratio_line, run_cases, run_child  # noqa: E402

GOAL = 1.0  # issue 17: the cold run takes no longer than LibreOffice's conversion


def libreoffice_convert() -> Callable[[], ChildRun] | None:
    """`soffice --headless --convert-to pdf` of the example into a scratch folder, with a profile of its
    own (never the officer's, never one another LibreOffice holds); None when soffice is not installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    folder = Path(tempfile.mkdtemp(prefix="thidua-bench-soffice-"))
    atexit.register(shutil.rmtree, folder, True)
    pdf = folder / "out" / f"{EXAMPLE.stem}.pdf"
    argv = [soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--convert-to", "pdf",
            "--outdir", str(pdf.parent), str(EXAMPLE)]

    def convert() -> ChildRun:
        pdf.unlink(missing_ok=True)
        done = run_child(argv, ROOT)
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise RuntimeError(f"soffice wrote no PDF ({' '.join(argv)})")
        return done
    return convert


def layout_floor() -> Callable[[], ChildRun]:
    """A fresh process that only imports the renderer and lays out the example's report (HTML made here)."""
    from thidua.report.templating import get_templates

    assessment, config = example_assessment()
    folder = Path(tempfile.mkdtemp(prefix="thidua-bench-floor-"))
    atexit.register(shutil.rmtree, folder, True)
    html = folder / "report.html"
    html.write_text(get_templates(config.templates_dir).html(assessment, config), encoding="utf-8")  # type: ignore[attr-defined]
    argv = [sys.executable, str(Path(__file__)), "--floor", str(html), str(folder / "report.pdf")]
    return lambda: run_child(argv, ROOT)


def _floor(html: Path, out: Path) -> int:
    """The floor process itself: the same calls the layout helper makes, then the PDF written."""
    import datetime as dt
    import gc

    from thidua.base.config import load_config

    gc.disable()  # as the helper imports
    from thidua.report import pdf

    config = load_config(ROOT / "config.toml")
    renderer = pdf.get_renderer(config.templates_dir)
    gc.enable()
    out.write_bytes(renderer.pdf_from_html(html.read_text(encoding="utf-8"), config, dt.datetime(2023, 5, 30), list))
    return 0


def _notes(series: Interleaved, office: bool) -> str:
    cold = series.timed(0)
    if not cold:
        return ""
    warm_i = 2 if office else 1
    floor_i = warm_i + 1
    lines = []
    if office:
        lines.append(ratio_line("cold `run` ÷ LibreOffice `--convert-to pdf`", series.ratios(0, 1), GOAL,
                                detail=f"medians {statistics.median(cold):.2f} s vs "
                                       f"{statistics.median(series.timed(1)):.2f} s"))
    else:
        lines.append("cold `run` ÷ LibreOffice: not measured (soffice is not installed)")
    lines.append(ratio_line("warm render ÷ cold `run`", series.ratios(warm_i, 0),
                            detail=f"warm render median {statistics.median(series.timed(warm_i)):.2f} s"))
    floor = statistics.median(series.timed(floor_i))
    lines.append(ratio_line("layout floor (cold Python + WeasyPrint import + this report's layout) ÷ cold `run`",
                            series.ratios(floor_i, 0), detail=f"floor median {floor:.2f} s"))
    if office:
        lines.append(ratio_line("layout floor ÷ LibreOffice `--convert-to pdf`", series.ratios(floor_i, 1)))
    return "\n".join(lines)


def cases() -> list[Case]:
    office = libreoffice_convert()
    parts = [cold_run(), *([office] if office else []), warm_render(), layout_floor()]
    series = Interleaved(7, *parts)
    rows = [Case("cli: cold `run` of the example", 7, series.row(0), target_ms=2000, child=True,
                 note=lambda: _notes(series, office is not None))]
    if office is not None:
        rows.append(Case("LibreOffice: cold `soffice --convert-to pdf` of the example", 7, series.row(1), child=True))
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["--floor"]:
        raise SystemExit(_floor(Path(sys.argv[2]), Path(sys.argv[3])))
    raise SystemExit(run_cases(cases()))
