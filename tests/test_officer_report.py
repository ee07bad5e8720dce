"""The report never writes what the data does not say, and reads well in print (issue 15): workbooks
written with the product's template, processed by the real pipeline, the PDF read back with poppler."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests import pdf_tools
from tests import workbooks as wb
from thidua.base.config import build_config
from thidua.pipeline import process_workbook
from thidua.report.context import issuer_of, unit_names

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _config(tmp_path: Path, **report: object):
    """The bundled config.toml (its legal basis table included), with outputs under tmp_path."""
    data = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    data["paths"] = {"templates_dir": str(ROOT / "templates"), "output_dir": str(tmp_path / "output")}
    data["ledger"] = {"path": str(tmp_path / "output" / "l.sqlite3")}
    data["email"] = {"recipients": []}
    data["report"].update(report)
    return build_config(data, tmp_path)


def _pdf(tmp_path: Path, rows, info, **report: object) -> Path:
    source = wb.filled(tmp_path / "bao-cao.xlsx", rows=rows, info=info)
    outcome = process_workbook(source, _config(tmp_path, **report))
    assert outcome.outcome == "ok", outcome.issues or outcome.message
    assert outcome.pdf is not None
    return outcome.pdf


def _lines(pdf: Path, *pages: int) -> list[str]:
    args = ["pdftotext", "-layout"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    raw = subprocess.run([*args, str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return [re.sub(r"\s+", " ", line).strip() for line in raw.splitlines()]


HAU_GIANG = [
    wb.criterion("KT01", name="Tốc độ tăng trưởng GRDP"),
    wb.criterion("KT02", name="Tỷ lệ giải ngân vốn đầu tư công", plan=100, actual=96.5, key=None,
                 note="Một số dự án vướng giải phóng mặt bằng."),
    wb.criterion("XH01", field="Văn hóa - Xã hội", name="Tỷ lệ hộ nghèo", kind="Giảm là tốt", plan=2.2, actual=2.1,
                 previous=2.4, key="x"),
    wb.criterion("XH02", field="Văn hóa - Xã hội", name="Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi",
                 kind="Giảm là tốt", plan=2.0, actual=2.5, previous=2.6, key=None, note=None),
    wb.criterion("XH03", field="Văn hóa - Xã hội", name="Giá trị sản xuất công nghiệp", actual=None, key=None),
    wb.criterion("MT01", field="Môi trường", name="Tỷ lệ chất thải rắn được thu gom", plan=95, actual=95, key=None),
]


@pytest.fixture(scope="module")
def hau_giang(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hau-giang")
    info = wb.meta(province="Hậu Giang", year=2023, agency="Sở Nội vụ", doc_number="12/BC-SNV", place="",
                   report_date=dt.date(2024, 1, 15), cluster="Cụm thi đua các tỉnh Tây Nam Bộ")
    pdf = _pdf(tmp, HAU_GIANG, info)
    return pdf, pdf_tools.text(pdf), _lines(pdf)


def test_an_empty_cause_says_nothing_about_the_cause(hau_giang):
    _, text, _ = hau_giang
    assert "chưa được cơ quan chủ trì báo cáo" not in text
    assert "Nguyên nhân: một số dự án vướng giải phóng mặt bằng." in text
    unmet = re.search(r"- Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi: (.*?)\. ", text).group(1)
    assert unmet == "ở mức 2,5%, kế hoạch 2% (đạt 80% so kế hoạch)"
    assert text.count("Nguyên nhân:") == 1


def test_a_lower_is_better_figure_is_a_level_not_an_achievement(hau_giang):
    _, text, _ = hau_giang
    assert "tỷ lệ hộ nghèo ở mức 2,1%, đạt 104,76% so kế hoạch" in text
    assert "đạt 2,1%" not in text and "thực hiện 2,5%" not in text


def test_the_province_is_written_as_a_subject(hau_giang):
    _, text, _ = hau_giang
    assert "Năm 2023, tỉnh Hậu Giang đăng ký thực hiện 6 tiêu chí thi đua" in text
    assert "kết quả tự chấm điểm năm 2023 của tỉnh Hậu Giang (" in text
    assert "(Kèm theo Báo cáo số 12/BC-SNV ngày 15/01/2024 của Sở Nội vụ tỉnh Hậu Giang)" in text
    assert "Hậu Giang, ngày 15 tháng 01 năm 2024" in text  # the place line keeps the bare name


def test_singular_and_plural_agree(hau_giang):
    _, text, _ = hau_giang
    assert "Lĩnh vực đạt toàn bộ tiêu chí: Môi trường." in text
    assert "Các lĩnh vực đạt toàn bộ tiêu chí" not in text
    assert "Một số chỉ tiêu trọng tâm đạt kết quả khả quan như: tốc độ tăng trưởng GRDP đạt 8,62%" in text
    assert "Riêng các tiêu chí tốc độ tăng trưởng GRDP, tỷ lệ hộ nghèo, đề nghị" in text


def test_the_legal_basis_follows_the_report_date(hau_giang):
    _, text, _ = hau_giang
    assert "Căn cứ Luật Thi đua, Khen thưởng ngày 15 tháng 6 năm 2022;" in text
    assert "Căn cứ Nghị định số 98/2023/NĐ-CP" in text
    assert "91/2017" not in text and "năm 2003" not in text


def test_the_field_table_adds_up_with_its_no_data_column(hau_giang):
    _, _, lines = hau_giang
    header = next(i for i, line in enumerate(lines) if line.startswith("TT Lĩnh vực"))
    heading = " ".join(lines[header - 2:header + 3])  # the header cells wrap over several lines
    assert heading.count("Chưa") == 2 and "có số" in heading and "liệu" in heading  # Chưa đạt, Chưa có số liệu
    rows = {}
    for line in lines[header:header + 12]:
        found = re.match(r"^(\d|Tổng cộng) ?(.*?) (\d+) (\d+) (\d+) (\d+) [\d.,]+ [\d.,]+ [\d.,]+$", line)
        if found:
            rows[found.group(1) + found.group(2)] = tuple(int(found.group(k)) for k in (3, 4, 5, 6))
    assert rows == {"1Kinh tế": (2, 1, 1, 0), "2Văn hóa - Xã hội": (3, 1, 1, 1), "3Môi trường": (1, 1, 0, 0),
                    "Tổng cộng": (6, 3, 2, 1)}
    assert all(n == met + not_met + no_data for n, met, not_met, no_data in rows.values())


def test_chart_labels_are_whole_and_at_least_8_pt(hau_giang):
    pdf = hau_giang[0]
    words = _words(pdf, 1, 3)
    chart = [w for w in words if w[4] in ("thấp", "còi", "dưỡng", "hộ", "nghèo") and w[3] - w[1] < 12]
    assert chart, "the chart's labels are in the PDF as text"
    assert min(w[3] - w[1] for w in chart) >= 8 * 1.1  # Liberation Serif's box is 1,107 × the size
    squeezed = pdf_tools.squeezed(pdf)
    assert "Tỷlệtrẻemdưới5tuổisuydinhdưỡngthểthấpcòi".replace(" ", "") in squeezed
    assert "…" not in pdf_tools.text(pdf)


def test_the_chart_legend_lists_only_the_colours_drawn(hau_giang):
    _, text, _ = hau_giang
    legend = re.search(r"(Vượt kế hoạch.*?)Đường liền", text).group(1)
    assert legend.strip() == "Vượt kế hoạch; Đạt kế hoạch; Chưa đạt."


def test_the_annex_is_readable_in_print(hau_giang):
    pdf = hau_giang[0]
    pages = pdf_tools.page_count(pdf)
    annex = [w for w in _words(pdf, pages, pages) if w[3] - w[1] > 0]
    assert min(w[3] - w[1] for w in annex) >= 9 * 1.1 - 0.01  # explanations, codes, marks: 9 pt or more
    names = [w for w in annex if w[4] in ("Tốc", "Giá", "Tỷ")]
    assert names and min(w[3] - w[1] for w in names) >= 10 * 1.1 - 0.01  # the table itself: 10 pt or more


def _words(pdf: Path, first: int, last: int) -> list[tuple[float, float, float, float, str]]:
    raw = subprocess.run(["pdftotext", "-bbox", "-f", str(first), "-l", str(last), str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', raw)]


def test_a_city_and_the_old_legal_basis_keys(tmp_path):
    rows = [wb.criterion("KT01"), wb.criterion("MT01", field="Môi trường", plan=95, actual=99, key=None),
            wb.criterion("XH01", field="Văn hóa - Xã hội", plan=90, actual=80, key=None)]
    info = wb.meta(province="Cần Thơ", year=2022, agency="Sở Nội vụ", doc_number="7/BC-SNV", place="",
                   report_date=dt.date(2023, 3, 1))
    old_keys = {"2022": ["Căn cứ văn bản áp dụng cho năm 2022;"], "mac_dinh": ["Căn cứ văn bản mặc định;"]}
    pdf = _pdf(tmp_path, rows, info, unit_kind="thành phố", legal_basis=old_keys)
    text = pdf_tools.text(pdf)
    assert "Năm 2022, thành phố Cần Thơ đăng ký" in text
    assert "của Sở Nội vụ thành phố Cần Thơ)" in text
    assert "Cần Thơ, ngày 01 tháng 3 năm 2023" in text
    assert "Ủy ban nhân dân thành phố" in text and "Ủy ban nhân dân tỉnh" not in text
    assert "Căn cứ văn bản áp dụng cho năm 2022;" in text and "mặc định" not in text
    assert "Các lĩnh vực đạt toàn bộ tiêu chí: Kinh tế; Môi trường." in text
    assert "Chỉ tiêu trọng tâm đạt kết quả khả quan: tốc độ tăng trưởng GRDP đạt 8,62%" in text
    assert "Riêng tiêu chí tốc độ tăng trưởng GRDP, đề nghị cơ quan, đơn vị liên quan" in text
    assert "phấn đấu đạt điểm thưởng:" in text
    legend = re.search(r"(Vượt kế hoạch.*?)Đường liền", text).group(1)
    assert legend.strip() == "Vượt kế hoạch; Chưa đạt."  # no criterion is exactly at plan: no blue


def test_a_kind_written_in_the_workbook_wins():
    assert unit_names("Thành phố Cần Thơ", "tỉnh") == {"name": "Cần Thơ", "kind": "thành phố",
                                                        "subject": "thành phố Cần Thơ"}
    assert unit_names("TP. Cần Thơ", "tỉnh")["subject"] == "thành phố Cần Thơ"
    assert unit_names("tỉnh  Hậu Giang", "thành phố")["subject"] == "tỉnh Hậu Giang"
    assert unit_names("Hậu Giang", "")["subject"] == "Hậu Giang"
    unit = unit_names("Hậu Giang", "tỉnh")
    assert issuer_of("Sở Nội vụ", unit) == "Sở Nội vụ tỉnh Hậu Giang"
    assert issuer_of("Sở Nội vụ tỉnh Hậu Giang", unit) == "Sở Nội vụ tỉnh Hậu Giang"
    assert issuer_of("", unit) == "tỉnh Hậu Giang"


def test_the_legal_basis_lines_are_upright():
    from weasyprint import HTML

    from tests.assessment_fixture import build_assessment
    from thidua.base.config import load_config
    from thidua.report.pdf import get_renderer

    config = load_config(ROOT / "config.toml")
    renderer = get_renderer(config.templates_dir)
    css = renderer.stylesheet()
    doc = HTML(string=renderer.html(build_assessment(), config), url_fetcher=renderer.fetcher,
               base_url=(renderer.templates_dir / "report.html.j2").as_uri()).render(
        font_config=renderer.font_config, stylesheets=[css])

    def texts(box):
        if type(box).__name__ == "TextBox":
            yield box
        for child in getattr(box, "children", []):
            yield from texts(child)

    basis = [t for t in texts(doc.pages[0]._page_box) if t.text.startswith("Căn cứ")]
    assert len(basis) == 3
    assert {t.style["font_style"] for t in basis} == {"normal"}


def test_no_table_leaves_one_row_and_its_total_alone_on_a_page():
    """Wherever the page break falls, a table's last page carries at least two rows before its total."""
    from weasyprint import HTML

    from thidua.base.config import load_config
    from thidua.report.pdf import get_renderer

    renderer = get_renderer(load_config(ROOT / "config.toml").templates_dir)
    css = renderer.stylesheet()
    body = "".join(f"<tr><td>{i}</td><td>Lĩnh vực {i}</td><td>3</td></tr>" for i in range(1, 8))
    table = (f'<table class="grid fields"><thead><tr><th>TT</th><th>Lĩnh vực</th><th>Số</th></tr></thead>'
             f'<tbody>{body}<tr class="total"><td></td><td>Tổng cộng</td><td>21</td></tr></tbody></table>')
    split = 0
    for filler in range(560, 730, 8):  # pt of text above the table: the break moves row by row
        html = f'<html><body><div style="height: {filler}pt"></div>{table}</body></html>'
        doc = HTML(string=html, url_fetcher=renderer.fetcher,
                   base_url=(renderer.templates_dir / "report.html.j2").as_uri()).render(
            font_config=renderer.font_config, stylesheets=[css])
        per_page = [[row for row in _rows(page._page_box)] for page in doc.pages]
        with_total = [rows for rows in per_page if any(_is_total(row) for row in rows)]
        assert len(with_total) == 1
        data_rows = [row for row in with_total[0] if not _is_total(row) and not _is_head(row)]
        if len([rows for rows in per_page if rows]) > 1:
            split += 1
            assert len(data_rows) >= 2, (filler, len(data_rows))
    assert split >= 5  # the loop did break the table at many places


def _rows(box):
    if type(box).__name__ == "TableRowBox":
        yield box
    for child in getattr(box, "children", []):
        yield from _rows(child)


def _is_total(row) -> bool:
    return "total" in (row.element.get("class") or "")


def _is_head(row) -> bool:
    return any(getattr(cell, "element_tag", "") == "th" for cell in row.children)


_FACES = {"Regular": ("LiberationSerif-Regular.ttf", "Times New Roman", "TimesNewRomanPSMT"),
          "Bold": ("LiberationSerif-Bold.ttf", "Times New Roman Bold", "TimesNewRomanPS-BoldMT"),
          "Italic": ("LiberationSerif-Italic.ttf", "Times New Roman Italic", "TimesNewRomanPS-ItalicMT"),
          "Bold Italic": ("LiberationSerif-BoldItalic.ttf", "Times New Roman Bold Italic",
                          "TimesNewRomanPS-BoldItalicMT")}


def _times_new_roman(folder: Path) -> None:
    """Stand-ins for Times New Roman (the metric-compatible serif renamed), installed for fontconfig."""
    from fontTools.ttLib import TTFont

    folder.mkdir()
    for style, (source, full, postscript) in _FACES.items():
        font = TTFont(ROOT / "templates" / "fonts" / source)
        table = font["name"]
        table.names = [r for r in table.names if r.nameID not in (1, 2, 3, 4, 6, 16, 17)
                       and "Liberation" not in r.toUnicode()]
        for name_id, text in ((1, "Times New Roman"), (2, style), (3, f"{full} (thử)"), (4, full), (6, postscript)):
            table.setName(text, name_id, 3, 1, 0x409)
        font.save(folder / f"times-{style.replace(' ', '-').lower()}.ttf")


def test_times_new_roman_is_used_when_the_system_has_it(tmp_path):
    _times_new_roman(tmp_path / "fonts")
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>
<dir>{tmp_path / 'fonts'}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>""", encoding="utf-8")
    script = f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from tests.assessment_fixture import example_assessment
from thidua.base.config import load_config, scoring_settings
from thidua.report.fonts import serif_in_use
from thidua.report.pdf import render_pdf
config = load_config(Path({str(ROOT / 'config.toml')!r}))
render_pdf(example_assessment(scoring_settings(config)), config, Path({str(tmp_path / 'tnr.pdf')!r}))
print(serif_in_use())
"""
    import os
    import sys

    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Times New Roman"
    embedded = pdf_tools.uncompressed(tmp_path / "tnr.pdf", tmp_path)
    assert "Times New Roman".encode("utf-16-be") in embedded  # the font programs are the system's
    assert "Liberation".encode("utf-16-be") not in embedded
    assert all(row["emb"] == "yes" for row in pdf_tools.fonts(tmp_path / "tnr.pdf"))


def test_the_bundled_serif_without_times_new_roman(tmp_path):
    from thidua.report.fonts import serif_in_use, system_serif_files

    if system_serif_files():
        pytest.skip("this machine has Times New Roman")
    assert serif_in_use() == "Liberation Serif"
