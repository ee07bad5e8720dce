"""Untrusted workbook text and edited templates cannot fetch, attach or execute anything."""

from __future__ import annotations

import http.server
import shutil
import threading
from pathlib import Path

import pytest

from tests import pdf_tools
from tests.assessment_fixture import ROWS, build_assessment
from thidua.base.config import build_config, load_config
from thidua.base.errors import RenderError
from thidua.report import pdf as render
from thidua.report.fetcher import RefusedURL, TemplatesOnlyFetcher

ROOT = Path(__file__).resolve().parent.parent
IMG = '<img src="file:///etc/passwd">'
JINJA = "{{7*7}}"
LINK = '<link rel="attachment" href="file:///etc/passwd">'
ANCHOR = '</td></tr></table><a rel="attachment" href="file:///etc/hostname">x</a>'


def _hostile_rows() -> list[tuple]:
    rows = [list(r) for r in ROWS]
    rows[0][2] = IMG  # a met key criterion: appears in section I, III and the annex
    rows[5][2] = JINJA  # an unmet criterion: appears in the list of unmet criteria
    rows[5][13] = LINK  # its cause
    rows[6][11] = ANCHOR  # an agency
    return [tuple(r) for r in rows]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    assessment = build_assessment(_hostile_rows())
    pdf = render.render_pdf(assessment, load_config(ROOT / "config.toml"), tmp / "hostile.pdf")
    return pdf, tmp


def test_markup_and_template_syntax_in_data_print_literally(hostile):
    squeezed = pdf_tools.squeezed(hostile[0])
    for needle in (IMG, JINJA, LINK, ANCHOR):
        assert needle.replace(" ", "") in squeezed, needle
    assert "root:" not in squeezed


def test_data_cannot_add_attachments(hostile):
    pdf, tmp = hostile
    assert set(pdf_tools.attachments(pdf)) == {"cau-hinh-cham-diem.json"}
    raw = pdf_tools.uncompressed(pdf, tmp)
    assert b"/FileAttachment" not in raw


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/x.png",
    "https://example.org/font.ttf",
    "data:text/css,body{}",
    "file:///etc/passwd",
    "ftp://example.org/x",
    "file://evil.example/etc/passwd",
])
def test_fetcher_refuses_everything_outside_templates(url):
    fetcher = TemplatesOnlyFetcher(ROOT / "templates")
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_traversal_and_symlinks_out(tmp_path):
    root = tmp_path / "templates"
    root.mkdir()
    (root / "ok.css").write_text("p{}")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    fetcher = TemplatesOnlyFetcher(root)
    assert fetcher.fetch((root / "ok.css").as_uri()).read() == b"p{}"
    for url in ((root / "link.txt").as_uri(), root.as_uri() + "/../secret.txt", root.as_uri() + "/nope.css"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"p{}")

    def log_message(self, *args) -> None:
        pass


def test_edited_template_cannot_reach_network_or_other_files(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        templates = tmp_path / "templates"
        shutil.copytree(ROOT / "templates", templates)
        main = templates / "report.html.j2"
        main.write_text(main.read_text(encoding="utf-8").replace(
            "</head>",
            f'<link rel="stylesheet" href="{base}/a.css"><link rel="attachment" href="file:///etc/hostname">'
            f'<link rel="attachment" href="{base}/x.bin"></head>').replace(
            "<body>", f'<body><img src="{base}/x.png"><a rel="attachment" href="file:///etc/hostname">x</a>'),
            encoding="utf-8")
        config = build_config({"paths": {"templates_dir": str(templates)}}, tmp_path)
        pdf = render.render_pdf(build_assessment(), config, tmp_path / "x.pdf")
    finally:
        server.shutdown()
        server.server_close()
    assert _Counter.hits == []
    refused = render.get_renderer(templates).fetcher.refused
    assert f"{base}/x.png" in refused and "file:///etc/hostname" in refused  # asked for, and refused
    assert set(pdf_tools.attachments(pdf)) == {"cau-hinh-cham-diem.json"}
    assert b"/FileAttachment" not in pdf_tools.uncompressed(pdf, tmp_path)


def _broken_templates(tmp_path: Path, text: str) -> Path:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "report.html.j2").write_text(text, encoding="utf-8")
    return templates


@pytest.mark.parametrize(("template", "fragment"), [
    ("{% if %}", "Mẫu báo cáo bị lỗi (dòng 1)"),
    ("{{ khong_co_bien_nay }}", "Mẫu báo cáo bị lỗi"),
])
def test_template_errors_are_render_errors_and_keep_the_old_pdf(tmp_path, template, fragment):
    config = build_config({"paths": {"templates_dir": str(_broken_templates(tmp_path, template))}}, tmp_path)
    out = tmp_path / "out" / "bao-cao.pdf"
    out.parent.mkdir()
    out.write_bytes(b"old")
    with pytest.raises(RenderError) as err:
        render.render_pdf(build_assessment(), config, out)
    assert fragment in err.value.message
    assert out.read_bytes() == b"old"
    assert [p.name for p in out.parent.iterdir()] == ["bao-cao.pdf"]


def test_missing_templates_folder_is_a_render_error(tmp_path):
    with pytest.raises(RenderError, match="Không tìm thấy mẫu báo cáo"):
        render.Renderer(tmp_path / "khong-co")
