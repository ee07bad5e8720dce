"""The contract table is consistent with the model, and its Markdown reference covers every column."""

import dataclasses
import re
import unicodedata

from thidua.base import model
from thidua.base.textfold import LabelMatcher, fold, strip_marks
from thidua.intake import contract
from thidua.intake.issues import CATALOG, markdown_catalog


def test_criteria_columns_are_model_columns_in_order():
    keys = [c.key for c in contract.CRITERIA_SHEET.columns]
    model_keys = [k for k in model.CRITERIA_COLUMNS if k not in ("row", "plan_label", "actual_label")]
    assert keys == model_keys
    assert [c.header for c in contract.CRITERIA_SHEET.columns] == [
        "Mã", "Lĩnh vực", "Tên tiêu chí", "Đơn vị tính", "Loại chỉ tiêu", "Kế hoạch", "Thực hiện",
        "Cùng kỳ năm trước", "Điểm chuẩn", "Trọng tâm", "Tình trạng số liệu", "Lũy kế", "Cơ quan chủ trì",
        "Thành viên HĐ theo dõi", "Nguyên nhân, ghi chú"]
    deduction_keys = [c.key for c in contract.DEDUCTIONS_SHEET.columns]
    assert ["row", *deduction_keys] == list(model.DEDUCTION_COLUMNS)


def test_info_rows_are_report_meta_fields():
    fields = {f.name for f in dataclasses.fields(model.ReportMeta)}
    assert [r.key for r in contract.INFO_ROWS] == [f.name for f in dataclasses.fields(model.ReportMeta)]
    assert {r.key for r in contract.INFO_ROWS} == fields
    assert [r.label for r in contract.INFO_ROWS][:3] == ["Tỉnh/Đơn vị", "Năm đánh giá", "Cụm thi đua"]


def test_kind_labels_cover_every_kind():
    assert sorted(contract.KIND_LABELS.values()) == sorted(model.KINDS)
    assert set(contract.GRADE_ABBREVIATIONS.values()) == set(model.GRADE_LEVELS)


def test_headers_and_aliases_stay_unambiguous_without_diacritics():
    for sheet in (contract.CRITERIA_SHEET, contract.DEDUCTIONS_SHEET, contract.INFO_SHEET):
        labels = [(h, c.key) for c in sheet.columns for h in (c.header, *c.aliases)]
        bare = {}
        for label, key in labels:
            assert bare.setdefault(strip_marks(label), key) == key, label


def test_markdown_reference_lists_every_header_and_info_row():
    text = contract.markdown_reference()
    for sheet in (contract.CRITERIA_SHEET, contract.DEDUCTIONS_SHEET):
        for column in sheet.columns:
            assert f"| `{column.header}` | `{column.key}` |" in text
    for row in contract.INFO_ROWS:
        assert f"| `{row.label}` | `{row.key}` |" in text
    assert "Tăng là tốt; Giảm là tốt; Đạt/Không đạt; Xếp loại" in text


def test_issue_catalog_codes_are_kebab_case_and_documented():
    table = markdown_catalog()
    for code, issue_type in CATALOG.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code)
        assert f"`{code}`" in table
        assert issue_type.title and issue_type.template


def test_fold_and_matcher():
    assert fold("  Đạt /  Không   ĐẠT ") == "đạt/không đạt"
    assert strip_marks("Thành viên HĐ theo dõi") == "thanh vien hd theo doi"
    matcher = LabelMatcher({"Ước": "Ước", "Sơ bộ": "Sơ bộ"})
    assert matcher.match(unicodedata.normalize("NFD", "SƠ BỘ")) == "Sơ bộ"
    assert matcher.match("so bo") == "Sơ bộ"
    assert matcher.match("khác") is None
