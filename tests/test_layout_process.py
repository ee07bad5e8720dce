"""The report laid out by the helper process is the report laid out in-process, byte for byte; its errors are
the renderer's; a cold process uses it and a dead helper costs nothing but time."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.assessment_fixture import build_assessment, example_assessment
from thidua.base.config import load_config, scoring_settings
from thidua.base.errors import RenderError
from thidua.report import layout_process
from thidua.report import pdf as render
from thidua.report.templating import attached_files, get_templates, timestamp

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT / "config.toml")


@pytest.fixture(scope="module")
def helper(config):
    started = layout_process.LayoutProcess.start(config.templates_dir)
    assert started is not None
    yield started
    started.close()


def _request(assessment, config) -> layout_process.LayoutRequest:
    text = get_templates(config.templates_dir).html(assessment, config)
    return layout_process.LayoutRequest(text, config, timestamp(assessment), attached_files(assessment))


def test_helper_lays_out_the_same_bytes_as_this_process(helper, config):
    for assessment in (example_assessment(scoring_settings(config)), build_assessment(source=EXAMPLE)):
        here = render.get_renderer(config.templates_dir).render_bytes(assessment, config)
        there = helper.lay_out(_request(assessment, config))
        assert there == here
        assert there.startswith(b"%PDF-")


def test_a_layout_failure_is_the_renderers_error_and_the_helper_serves_on(helper, config):
    assessment = build_assessment(source=EXAMPLE)
    good = _request(assessment, config)
    broken = layout_process.LayoutRequest(good.html, config, "not a date", [])  # type: ignore[arg-type]
    with pytest.raises(RenderError) as there:
        helper.lay_out(broken)
    with pytest.raises(RenderError) as here:
        render.get_renderer(config.templates_dir).pdf_from_html(good.html, config, "not a date", list)  # type: ignore[arg-type]
    assert there.value.message == here.value.message
    assert there.value.message.startswith("Không tạo được tệp PDF: AttributeError")
    assert helper.lay_out(good) == render.get_renderer(config.templates_dir).render_bytes(assessment, config)


def test_a_dead_helper_means_the_report_is_laid_out_here(config, tmp_path, monkeypatch):
    dying = layout_process.LayoutProcess.start(config.templates_dir)
    assert dying is not None
    dying.proc.kill()
    dying.proc.wait()
    monkeypatch.setattr(layout_process, "_helper", dying)
    assessment = build_assessment(source=EXAMPLE)
    pending = layout_process.start_pdf(assessment, config, tmp_path / "a.pdf")
    assert pending.helper is None  # not handed to a process that is gone
    dead_midway = layout_process.LayoutProcess.start(config.templates_dir)
    assert dead_midway is not None
    monkeypatch.setattr(layout_process, "_helper", dead_midway)
    second = layout_process.start_pdf(assessment, config, tmp_path / "b.pdf")
    assert second.helper is dead_midway
    dead_midway.proc.kill()
    made = [pending.wait(), second.wait()]
    expected = render.get_renderer(config.templates_dir).render_bytes(assessment, config)
    assert [p.read_bytes() for p in made] == [expected, expected]
    assert not dead_midway.alive


def test_no_helper_where_weasyprint_is_loaded_already(config, monkeypatch, tmp_path):
    import weasyprint  # noqa: F401  (this test process has it, as a warm worker does)

    monkeypatch.setattr(layout_process, "_helper", None)
    layout_process.start_ahead(config.templates_dir)
    assert layout_process._helper is None
    assert layout_process.start_pdf(build_assessment(source=EXAMPLE), config, tmp_path / "here.pdf").helper is None
    assert (tmp_path / "here.pdf").read_bytes().startswith(b"%PDF-")


_COLD = """
import json, sys
from pathlib import Path
from thidua.base.config import load_config
from thidua.pipeline import process_workbook
from thidua.report import layout_process

config = load_config(Path(sys.argv[1]))
outcome = process_workbook(Path(sys.argv[2]), config)
helper = layout_process._helper
print(json.dumps({"outcome": outcome.outcome, "pdf": str(outcome.pdf), "weasyprint_here": "weasyprint" in sys.modules,
                  "helper": helper is not None and helper.alive}))
"""


def test_a_cold_process_lays_out_in_the_helper_and_makes_the_same_report(config, tmp_path):
    if layout_process._cores() < 2:
        pytest.skip("one core: no helper")
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('templates_dir = "templates"', f'templates_dir = "{ROOT / "templates"}"')
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _COLD, str(tmp_path / "config.toml"), str(EXAMPLE)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"outcome": "ok", "pdf": str(tmp_path / "output" / "dong-thap-2022.pdf"),
                    "weasyprint_here": False, "helper": True}
    cold = load_config(tmp_path / "config.toml")
    assessment = example_assessment(scoring_settings(cold))
    expected = render.get_renderer(cold.templates_dir).render_bytes(assessment, cold)
    assert Path(seen["pdf"]).read_bytes() == expected


def test_requests_and_answers_are_length_framed(tmp_path):
    path = tmp_path / "frames"
    with path.open("wb") as out:
        layout_process._write_frame(out, ("pdf", b"x" * 70_000))
        layout_process._write_frame(out, dt.date(2024, 1, 1))
    with path.open("rb") as back:
        assert layout_process._read_frame(back) == ("pdf", b"x" * 70_000)
        assert layout_process._read_frame(back) == dt.date(2024, 1, 1)
        with pytest.raises(EOFError):
            layout_process._read_frame(back)
