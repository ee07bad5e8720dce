"""Template data and wording without a PDF: phrasing, groupings, chart geometry, annex mode (fast)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.assessment_fixture import build_assessment
from thidua.base.config import build_config, load_config
from thidua.report import charts
from thidua.report import pdf as render
from thidua.report.context import build_context, group_by, records

ROOT = Path(__file__).resolve().parent.parent


def visible_text(html: str) -> str:
    """The words of an HTML document, tags dropped and spacing collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT / "config.toml")


@pytest.fixture(scope="module")
def html(config):
    return render.get_renderer(config.templates_dir).html(build_assessment(), config)


@pytest.mark.parametrize(("text", "expected"), [
    ("Thu NSNN trên địa bàn", "thu NSNN trên địa bàn"),
    ("GRDP bình quân đầu người", "GRDP bình quân đầu người"),
    ("Điều chỉnh mức sinh", "điều chỉnh mức sinh"),
    ("", ""),
    ("X", "X"),
])
def test_lower_first_keeps_acronyms(text, expected):
    assert render.lower_first(text) == expected


def test_key_criteria_phrased_by_unit(html):
    # "%" sticks to the number; "tỷ đ" in the workbook prints as "tỷ đồng"; other units after a space.
    assert "tốc độ tăng trưởng GRDP đạt 8,62%, đạt 123,14% so kế hoạch" in html
    assert "thu NSNN trên địa bàn đạt 7.877&nbsp;tỷ đồng, đạt 115,51% so kế hoạch" in html
    assert "kim ngạch xuất khẩu đạt 1.397&nbsp;triệu USD, đạt 117,89% so kế hoạch" in html
    assert "lao động được giải quyết việc làm đạt 38.900&nbsp;người, đạt 129,67% so kế hoạch" in html


def test_counts_sentence(html):
    assert "đạt và vượt 8/14 tiêu chí (trong đó vượt kế hoạch 6 tiêu chí); chưa đạt 6/14 tiêu chí, gồm: " \
           "tỷ lệ giải ngân vốn đầu tư công; mức giảm tỷ lệ hộ nghèo đa chiều" in html


def test_unmet_criteria_named_with_agency_in_part_three(html):
    assert "- Sở Kế hoạch và Đầu tư: tỷ lệ giải ngân vốn đầu tư công." in html
    assert "- Công an tỉnh: kéo giảm tai nạn giao thông" in html


def test_deductions_are_listed(html):
    assert "điểm trừ: 2 điểm" in html
    assert "gửi báo cáo 6 tháng chậm 3 ngày (trừ 2 điểm)" in html


def test_annex_has_a_deductions_column_with_each_deduction_and_the_total(html):
    text = visible_text(html)
    assert "Điểm thưởng Điểm trừ Đánh giá" in text
    assert "Điểm trừ: Gửi báo cáo 6 tháng chậm 3 ngày −2" in text
    assert "Tổng cộng 450 379,38 15 −2 Tổng điểm: 392,38" in text


def test_recipients_end_with_archive_line(html):
    assert "<div>- UBND tỉnh;</div>" in html
    assert "<div>- Lưu: VT, TĐKT.</div>" in html


def test_summary_annex_beyond_the_row_limit(config):
    small = build_config({"report": {"annex_max_rows": 5}}, ROOT)
    text = render.get_renderer(small.templates_dir).html(build_assessment(), small)
    assert "phụ lục này tóm tắt theo lĩnh vực" in text
    assert "Tiêu chí; cách tính điểm" not in text
    assert "Các tiêu chí chưa đạt" in text


def test_context_cleans_nan_and_keeps_workbook_order(config):
    ctx = build_context(build_assessment(), config)
    assert ctx["rows"][0]["code"] == "KT01" and ctx["rows"][0]["stt"] == 1
    no_prev = next(r for r in ctx["rows"] if r["code"] == "QP01")
    assert no_prev["previous"] is None and no_prev["pct_of_plan"] is None
    assert [m["name"] for m in ctx["monitors"]][:2] == ["Trần Thị Bích", "Lê Văn Cường"]
    assert ctx["annex_full"] is True
    assert ctx["legal_basis"][0].startswith("Căn cứ")


def test_group_by_first_appearance_not_alphabetical():
    rows = [{"a": "Sở Y tế"}, {"a": "Công an tỉnh"}, {"a": "Sở Y tế"}, {"a": None}]
    assert [(g["name"], len(g["rows"])) for g in group_by(rows, "a")] == [("Sở Y tế", 2), ("Công an tỉnh", 1), ("", 1)]


def test_records_turn_nan_into_none():
    frame = pd.DataFrame({"x": [1.5, math.nan], "y": ["a", "b"]})
    assert records(frame) == [{"x": 1.5, "y": "a"}, {"x": None, "y": "b"}]


def test_percent_chart_geometry():
    rows = [{"name": "A", "pct_of_plan": 100.0, "status": "Đạt"},
            {"name": "B", "pct_of_plan": 250.0, "status": "Vượt"},
            {"name": "C", "pct_of_plan": None, "status": "Đạt"}]
    c = charts.percent_chart(rows, 110.0)
    assert [b.row["name"] for b in c.bars] == ["A", "B"]  # no % of plan, no bar
    assert c.scale_max == 200.0 and c.bars[1].clipped
    assert c.x0 < c.x100 < c.x_bonus < c.x0 + c.plot_width
    assert c.bars[0].width == pytest.approx(c.x100 - c.x0)
    assert charts.percent_chart([{"pct_of_plan": None}]) is None


def test_percent_chart_keeps_key_and_unmet_when_too_many():
    rows = [{"name": f"T{i}", "pct_of_plan": 105.0, "status": "Vượt", "key": i < 3} for i in range(200)]
    rows[50]["status"] = "Chưa đạt"
    c = charts.percent_chart(rows)
    assert [b.row["name"] for b in c.bars] == ["T0", "T1", "T2", "T50"]
    assert c.omitted == 196


def test_field_chart_scales_to_the_largest_field():
    c = charts.field_chart([{"max_points": 400.0, "points": 200.0}, {"max_points": 100.0, "points": 100.0}])
    assert c.rows[0]["max_width"] == pytest.approx(c.plot_width)
    assert c.rows[0]["width"] == pytest.approx(c.plot_width / 2)
    assert c.rows[1]["width"] == pytest.approx(c.plot_width / 4)
    assert charts.field_chart([]) is None


def test_renderer_is_built_once_per_templates_folder(config):
    assert render.get_renderer(config.templates_dir) is render.get_renderer(config.templates_dir)


def test_key_criteria_edge_cases_read_naturally(config):
    from tests.assessment_fixture import ROWS

    rows = [list(r) for r in ROWS]
    rows[0][6] = 7.35  # GRDP 105% of plan: below the bonus line
    rows[2][6] = float("nan")  # budget revenue without a figure yet
    rows = [tuple(r) for r in rows]
    text = render.get_renderer(config.templates_dir).html(build_assessment(rows), config)
    assert "- Tốc độ tăng trưởng GRDP (Sở Kế hoạch và Đầu tư): năm 2022 đạt 105% so kế hoạch; " \
           "còn thiếu 0,35 điểm phần trăm để vượt mức 110% kế hoạch." in " ".join(text.split())
    assert "- Thu NSNN trên địa bàn (Sở Tài chính): năm 2022 chưa có số liệu;" in " ".join(text.split())
    assert "chưa có số liệu 1/14 tiêu chí, gồm: thu NSNN trên địa bàn" in text
    assert "- Kéo giảm tai nạn giao thông (số vụ, số người chết, số người bị thương): kết quả không đạt, " \
           "kế hoạch đạt." in " ".join(text.split())


def test_bars_are_drawn_as_one_path_per_status():
    rows = [{"name": "A", "pct_of_plan": 100.0, "status": "Đạt"},
            {"name": "B", "pct_of_plan": 120.0, "status": "Vượt"},
            {"name": "C", "pct_of_plan": 130.0, "status": "Vượt"},
            {"name": "D", "pct_of_plan": 0.0, "status": "Chưa đạt"}]
    c = charts.percent_chart(rows)
    paths = c.paths_by_status()
    assert set(paths) == {"Đạt", "Vượt"}  # a zero-width bar draws nothing
    assert paths["Vượt"].count("M") == 2 and paths["Vượt"].endswith("z")
    assert c.grid_path().count("M") == len(c.ticks)


def test_stylesheet_is_parsed_once_and_again_after_an_edit(tmp_path):
    import os
    import shutil

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    renderer = render.Renderer(templates)
    first = renderer.stylesheet()
    assert renderer.stylesheet() is first
    css = templates / "report.css"
    stat = css.stat()
    os.utime(css, (stat.st_atime, stat.st_mtime + 5))
    assert renderer.stylesheet() is not first


def test_points_follow_the_scoring_precision(config):
    assessment = build_assessment()
    assessment.settings = {**assessment.settings, "points_precision": 0}
    text = render.get_renderer(config.templates_dir).html(assessment, config)
    assert "Tổng điểm tự chấm: 379 điểm/450 điểm chuẩn" in text


def test_counts_of_a_thousand_or_more_use_thousands_separators(config):

    from tests.factories import make_submission
    from thidua.base.model import KIND_INCREASE
    from thidua.scoring.evaluate import evaluate

    rows = [{"code": f"TC{i:04d}", "field": "Kinh tế", "name": f"Tiêu chí {i}", "kind": KIND_INCREASE,
             "plan": 100.0, "actual": 90.0 if i % 3 else 120.0, "max_points": 10.0, "monitor": "Trần Thị Bích"}
            for i in range(1200)]
    assessment = evaluate(make_submission(rows), {})
    html = render.get_renderer(config.templates_dir).html(assessment, config)
    text = visible_text(html)
    assert "đăng ký thực hiện 1.200 tiêu chí" in text
    assert "đạt và vượt 400/1.200 tiêu chí" in text and "chưa đạt 800/1.200 tiêu chí" in text
    assert "400/&#8203;1.200" in html  # the monitors table may break after the slash, not inside a number
    assert "1200" not in text  # no count printed raw


def test_council_table_assigns_criteria_as_the_mail_does():
    from thidua.base.config import Recipient
    from thidua.report.context import monitor_groups

    rows = [{"code": "KT01", "monitor": "Trần Thị Bích"}, {"code": "KT02", "monitor": "trần thị  bích; Lê Văn Cường"},
            {"code": "KT03", "monitor": ""}, {"code": "KT04", "monitor": "Lê Văn Cường"}]
    book = [Recipient("Trần Thị Bích", "bich@x.example", "", ("KT04",)),
            Recipient("Phạm Thị Dung", "dung@x.example", "", ("KT03", "KHONG-CO"))]
    groups = {g["name"]: [r["code"] for r in g["rows"]] for g in monitor_groups(rows, book)}
    assert groups == {"Trần Thị Bích": ["KT01", "KT02", "KT04"], "Lê Văn Cường": ["KT02", "KT04"],
                      "Phạm Thị Dung": ["KT03"]}


def test_key_criteria_wording_on_the_line_without_a_percent_and_nothing_unmet(config):

    from tests.factories import make_submission
    from thidua.base.model import KIND_INCREASE
    from thidua.scoring.evaluate import evaluate

    rows = [{"code": "A1", "name": "Doanh thu", "kind": KIND_INCREASE, "plan": 1000.0, "actual": 1100.0, "key": True},
            {"code": "A2", "name": "Hợp tác xã mới", "unit": "hợp tác xã", "kind": KIND_INCREASE, "plan": 0.0,
             "actual": 5.0, "key": True}]
    html = render.get_renderer(config.templates_dir).html(evaluate(make_submission(rows), {}), config)
    text = visible_text(html)
    assert "đạt 110% so kế hoạch; đang đúng mức 110% kế hoạch, cần vượt quá mức này để được điểm thưởng." in text
    assert "thực hiện 5&nbsp;hợp tác xã, kế hoạch 0&nbsp;hợp tác xã (không tính được % so kế hoạch); đã đạt điểm thưởng" in text
    assert "Khắc phục các tiêu chí chưa đạt" not in text and "3. Phân công theo dõi" not in text
    assert "giữ vững kết quả đã đạt và phấn đấu vượt kế hoạch" in text


def test_annex_abbreviates_grades_and_explains_them(html):
    annex = html[html.index('<section class="annex">'):]
    assert ">HTXSNV</td>" in annex and ">HTTNV" in annex
    assert "Mức xếp loại: HTXSNV - hoàn thành xuất sắc nhiệm vụ" in annex
