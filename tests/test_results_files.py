"""Result files: the .ket-qua.xlsx read back with openpyxl, the JSON parsed back strictly."""

import json
import math

import pytest
from openpyxl import load_workbook

from tests.factories import make_submission, seed_rows
from thidua.report import results_json
from thidua.report import results_workbook as results_xlsx
from thidua.scoring import evaluate as scoring

NAN = float("nan")


@pytest.fixture
def assessment():
    rows = seed_rows() + [
        {"field": "Văn hóa - Xã hội", "name": "Mức giảm tỷ lệ hộ nghèo", "unit": "điểm %", "plan": 1.0,
         "actual": 0.6},
        {"field": "Văn hóa - Xã hội", "name": "Trạm y tế đạt chuẩn", "unit": "%", "plan": 100, "actual": 100},
        {"field": "Quốc phòng - An ninh", "name": "Tuyển quân", "kind": "pass_fail", "plan": 1, "actual": NAN},
        {"field": "Xây dựng Đảng", "name": "Xếp loại", "kind": "grade", "plan": 3, "actual": 2},
    ]
    return scoring.evaluate(make_submission(rows, [{"points": 1.5, "content": "Báo cáo trễ hạn"}]), {})


def _fill(cell):
    return cell.fill.fgColor.rgb[-6:]


def test_xlsx_results_sheet(tmp_path, assessment):
    path = results_xlsx.write_results(assessment, tmp_path / "out" / "dong-thap.ket-qua.xlsx")
    assert path.exists() and not list(path.parent.glob(".*.tmp"))
    wb = load_workbook(path)
    assert wb.sheetnames == ["Kết quả", "Tổng hợp"]
    ws = wb["Kết quả"]
    headers = [c.value for c in ws[1]]
    assert headers == [c[0] for c in results_xlsx.COLUMNS]
    col = {h: i for i, h in enumerate(headers)}
    rows = [[c for c in r] for r in ws.iter_rows(min_row=2)]
    assert len(rows) == 7
    grdp = rows[0]
    assert grdp[col["Mã"]].value == "KT01"
    assert grdp[col["% so kế hoạch"]].value == 123.14
    assert grdp[col["% so kế hoạch"]].number_format == "#,##0.00"
    assert grdp[col["Đánh giá"]].value == "Vượt"
    assert grdp[col["Điểm thưởng"]].value == 3.0
    assert grdp[col["Giải thích"]].value.startswith("Đạt 123,14% kế hoạch")
    statuses = [r[col["Đánh giá"]].value for r in rows]
    assert statuses == ["Vượt", "Vượt", "Vượt", "Chưa đạt", "Đạt", "Không có số liệu", "Chưa đạt"]
    for r, status in zip(rows, statuses, strict=True):
        assert {_fill(c) for c in r} == {results_xlsx.STATUS_FILLS[status]}
    assert len(set(results_xlsx.STATUS_FILLS.values())) == 4
    assert rows[5][col["% so kế hoạch"]].value is None  # NaN → empty cell
    assert rows[6][col["Kế hoạch"]].value == "Hoàn thành tốt nhiệm vụ"
    assert rows[6][col["Thực hiện"]].value == "Hoàn thành nhiệm vụ"
    assert ws.freeze_panes == "E2"
    # long explanations wrap and their rows are made tall enough; printed landscape with the header repeated
    assert grdp[col["Giải thích"]].alignment.wrap_text and grdp[col["Mã"]].alignment.vertical == "top"
    assert ws.row_dimensions[2].height and ws.row_dimensions[2].height >= 30
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows in ("1:1", "$1:$1")


def test_xlsx_totals_sheet(tmp_path, assessment):
    path = results_xlsx.write_results(assessment, tmp_path / "x.ket-qua.xlsx")
    ws = load_workbook(path)["Tổng hợp"]
    cells = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert cells["Kinh tế"][1:8] == (3, 3, 0, 0, 85.0, 85.0, 8.5)
    assert cells["Tổng cộng"][1:8] == (7, 4, 2, 1, 125.0, 106.0, 8.5)
    t = assessment.totals
    assert cells["Điểm trừ"][5] == 1.5
    assert cells["Tổng điểm (điểm + thưởng − điểm trừ)"][5] == t.total == 113.0
    assert cells["Báo cáo trễ hạn"][5] == 1.5
    assert cells["floor_pct"][5] == 50.0


def _strict_loads(text):
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def test_json_document(tmp_path, assessment):
    path = results_json.write_json(assessment, tmp_path / "dong-thap.json")
    doc = _strict_loads(path.read_text(encoding="utf-8"))
    assert doc["schema"] == "thidua.assessment/1"
    assert doc["meta"]["province"] == "Đồng Tháp" and doc["meta"]["year"] == 2022
    t = assessment.totals
    assert doc["totals"] == {
        "n_criteria": 7, "n_exceeded": 3, "n_met": 1, "n_met_or_exceeded": 4, "n_not_met": 2, "n_no_data": 1,
        "max_points": t.max_points, "points": t.points, "bonus": t.bonus, "deductions": 1.5, "total": t.total}
    assert [f["field"] for f in doc["by_field"]] == list(assessment.by_field["field"])
    assert len(doc["criteria"]) == 7
    grdp = doc["criteria"][0]
    assert (grdp["code"], grdp["pct_of_plan"], grdp["status"], grdp["rule"], grdp["key"]) == (
        "KT01", 123.14, "Vượt", "bonus", True)
    assert grdp["yoy_pct"] == -5.38
    no_data = doc["criteria"][5]
    assert no_data["actual"] is None and no_data["pct_of_plan"] is None and no_data["points"] == 0.0
    for rec, (_, row) in zip(doc["criteria"], assessment.results.iterrows(), strict=True):
        for key, value in rec.items():
            expected = row[key]
            if isinstance(expected, float) and math.isnan(expected):
                assert value is None, key
            else:
                assert value == expected, key
    assert doc["settings"]["bonus_line_pct"] == 110.0
    assert doc["deductions"][0]["content"] == "Báo cáo trễ hạn"


def test_json_schema_doc_lists_every_field():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "json-schema.md").read_text(encoding="utf-8")
    doc = results_json.to_document(scoring.evaluate(make_submission(seed_rows()), {}))
    names = set(doc) | set(doc["meta"]) | set(doc["totals"]) | set(doc["by_field"][0]) | set(
        doc["criteria"][0]) | set(doc["settings"])
    missing = sorted(n for n in names if f"`{n}`" not in text)
    assert not missing, missing


def test_grades_and_pass_fail_read_as_words_not_codes(tmp_path):
    rows = [{"name": "Xếp loại", "kind": "grade", "plan": 3, "actual": 4, "previous": 2},
            {"name": "Tuyển quân", "kind": "pass_fail", "plan": 1, "actual": 0, "previous": 1}]
    a = scoring.evaluate(make_submission(rows), {})
    ws = load_workbook(results_xlsx.write_results(a, tmp_path / "x.ket-qua.xlsx"))["Kết quả"]
    col = {c.value: i for i, c in enumerate(ws[1])}
    grade, pf = list(ws.iter_rows(min_row=2, values_only=True))
    assert grade[col["Cùng kỳ năm trước"]] == "Hoàn thành nhiệm vụ" and pf[col["Cùng kỳ năm trước"]] == "Đạt"
    for row in (grade, pf):
        assert row[col["So cùng kỳ (tăng/giảm)"]] is None and row[col["Còn thiếu so kế hoạch"]] is None
    assert pf[col["Quy tắc"]] == scoring.RULES["fail"] and not pf[col["Quy tắc"]].isascii()
