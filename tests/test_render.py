"""The PDF briefing read back as a person's tools see it: text, fonts, attachments, structure."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest

from tests import pdf_tools
from tests.assessment_fixture import build_assessment, example_assessment
from thidua.base import vnformat
from thidua.base.config import build_config, load_config, scoring_settings
from thidua.report import pdf as render

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """Read, evaluate and render the bundled example once for the module: (assessment, pdf, tmp)."""
    tmp = tmp_path_factory.mktemp("render")
    config = load_config(ROOT / "config.toml")
    assessment = example_assessment(scoring_settings(config))
    handler = _Collect()
    logging.getLogger("weasyprint").addHandler(handler)
    try:
        pdf = render.render_pdf(assessment, config, tmp / "out" / "dong-thap-2022.pdf")
    finally:
        logging.getLogger("weasyprint").removeHandler(handler)
    _Collect.last = handler.records
    return assessment, pdf, tmp


class _Collect(logging.Handler):
    """WeasyPrint's warnings (unsupported CSS, failed fetches) during the module's render."""

    last: list[logging.LogRecord] = []

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_weasyprint_had_nothing_to_complain_about(example):
    assert [r.getMessage() for r in _Collect.last] == []


@pytest.fixture(scope="module")
def text(example):
    return pdf_tools.text(example[1])


@pytest.mark.parametrize("needle", [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Đồng Tháp, ngày 30 tháng 5 năm 2023",
    "Số: 125/BC-SNV",
    "BÁO CÁO",
    "Kết quả thực hiện các tiêu chí thi đua năm 2022",
    "Căn cứ Nghị định số 91/2017/NĐ-CP",
    "I. KẾT QUẢ THỰC HIỆN",
    "tốc độ tăng trưởng GRDP đạt 8,62%, đạt 123,14% so kế hoạch",
    "thu NSNN trên địa bàn đạt 7.877 tỷ đồng, đạt 115,51% so kế hoạch",
    "kim ngạch xuất khẩu đạt 1.397 triệu USD, đạt 117,89% so kế hoạch",
    "7.877 tỷ đồng",
    "115,51%",
    "117,89%",
    "II. ĐÁNH GIÁ CHUNG",
    "III. NHIỆM VỤ, GIẢI PHÁP",
    "IV. KIẾN NGHỊ",
    "./.",
    "Nơi nhận:",
    "- Lưu: VT, TĐKT.",
    "KT. GIÁM ĐỐC",
    "Nguyễn Văn Minh",
    "Phụ lục",
    "(Kèm theo Báo cáo số 125/BC-SNV ngày 30/05/2023",
])
def test_report_text(text, needle):
    assert needle in text


def test_counts_and_unmet_criteria_are_named(example, text):
    assessment = example[0]
    t = assessment.totals
    assert f"đạt và vượt {t.n_met_or_exceeded}/{t.n_criteria} tiêu chí" in text
    assert f"chưa đạt {t.n_not_met}/{t.n_criteria} tiêu chí, gồm:" in text
    squeezed = pdf_tools.squeezed(example[1])
    unmet = assessment.results.loc[assessment.results["status"] == "Chưa đạt", "name"]
    assert len(unmet) >= 4
    for name in unmet:
        assert name.replace(" ", "") in squeezed, name


def test_self_score_and_unmet_causes(example, text):
    t = example[0].totals
    assert f"Tổng điểm tự chấm: {vnformat.number(t.points)} điểm/{vnformat.number(t.max_points)} điểm chuẩn" in text
    assert "Nguyên nhân: một số dự án vướng giải phóng mặt bằng, thủ tục đầu tư kéo dài." in text
    assert "Nguyên nhân: số người chết do tai nạn giao thông tăng 3,4%." in text


def test_key_criteria_distance_to_bonus_line(text):
    assert "vượt trên 10% so kế hoạch" in text
    assert "Sở Tài chính" in text


def test_estimates_are_flagged(text):
    assert "1.800(*)" in text.replace(" (*)", "(*)")  # XH04 is "Ước"
    assert "62,1(**)" in text.replace(" (**)", "(**)")  # KT02 is "Sơ bộ"
    assert "(*) Số liệu ước" in text
    assert "(**) Số liệu sơ bộ" in text


def test_pdf_structure_is_sound(example):
    result = pdf_tools.check(example[1])
    assert result.returncode == 0, result.stdout + result.stderr


def test_page_count(example):
    assert 5 <= pdf_tools.page_count(example[1]) <= 8


def test_every_font_is_the_bundled_one_and_embedded(example):
    fonts = pdf_tools.fonts(example[1])
    assert fonts
    for row in fonts:
        assert row["emb"] == "yes", row
        assert "Thidua-Serif" in row["name"], row  # no DejaVu (or any system) fallback


def test_attachments_are_exactly_the_declared_ones(example):
    assessment, pdf, tmp = example
    found = pdf_tools.attachments(pdf)
    assert set(found) == {"dong-thap-2022.xlsx", "cau-hinh-cham-diem.json"}
    assert assessment.submission.sha256 in found["dong-thap-2022.xlsx"]["description"]
    assert hashlib.md5(assessment.submission.source.read_bytes()).hexdigest() == \
        found["dong-thap-2022.xlsx"]["streams"]["/F"]["checksum"]
    raw = pdf_tools.uncompressed(pdf, tmp)
    assert raw.count(b"/Type /EmbeddedFile\n") + raw.count(b"/Type /EmbeddedFile ") == 2
    assert b"/FileAttachment" not in raw


def test_pdfa_metadata(example):
    assessment, pdf, tmp = example
    info = pdf_tools.info(pdf)
    assert info["Title"].startswith("Báo cáo kết quả thực hiện các tiêu chí thi đua năm 2022")
    assert info["Author"].startswith("Sở Nội vụ")
    assert "Cụm thi đua các tỉnh Tây Nam Bộ" in info["Subject"]
    assert assessment.submission.sha256 in info["Keywords"]
    raw = pdf_tools.uncompressed(pdf, tmp)
    assert b"/Lang (vi)" in raw
    assert b"<pdfaid:part>3</pdfaid:part>" in raw or b'pdfaid:part="3"' in raw
    assert b"/AFRelationship /Source" in raw and b"/AFRelationship /Supplement" in raw
    assert b"/OutputIntents" in raw and b"/GTS_PDFA1" in raw  # sRGB output intent, as PDF/A requires
    assert b"<pdfaid:conformance>B</pdfaid:conformance>" in raw or b'pdfaid:conformance="B"' in raw


def test_output_written_atomically(example):
    pdf = example[1]
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in pdf.parent.iterdir()] == [pdf.name]


def test_plain_pdf_variant_renders(tmp_path):
    config = build_config({"report": {"pdf_variant": ""}}, ROOT)
    data = render.get_renderer(config.templates_dir).render_bytes(build_assessment(), config)
    assert data.startswith(b"%PDF-")


def test_thousands_of_criteria_get_a_summarised_annex_not_hundreds_of_pages(tmp_path):
    import time

    from tests.assessment_fixture import ROWS

    rows = []
    for i in range(3000):
        r = list(ROWS[i % len(ROWS)])
        r[0], r[2], r[12] = f"C{i:05d}", f"{r[2]} ({i})", f"Thành viên {i % 25}"
        rows.append(tuple(r))
    config = load_config(ROOT / "config.toml")
    started = time.perf_counter()
    pdf = render.render_pdf(build_assessment(rows), config, tmp_path / "lon.pdf")
    assert time.perf_counter() - started < 15  # ≈1 s here; a full annex would take ≈40 s
    assert pdf_tools.page_count(pdf) <= 30
    text = pdf_tools.text(pdf)
    assert "phụ lục này tóm tắt theo lĩnh vực" in text
    assert "và 1.254 tiêu chí khác" in text  # 1.284 unmet, 30 listed in the body


def test_same_input_gives_byte_identical_pdf(tmp_path):
    # The ledger and mailer key on the PDF's hash: a re-run must not look like a new report.
    source = tmp_path / "nguon.xlsx"
    source.write_bytes(b"PK\x03\x04 not really a workbook")
    config = load_config(ROOT / "config.toml")
    renderer = render.get_renderer(config.templates_dir)
    first = renderer.render_bytes(build_assessment(source=source), config)
    assert renderer.render_bytes(build_assessment(source=source), config) == first
