"""Reading valid workbooks: the bundled example, template round trips, tolerant headers, text numbers."""

import datetime as dt
import math
import unicodedata

import pandas as pd
import pytest

from tests import workbooks as wb
from thidua.base import model
from thidua.intake.reader import read_workbook


def _one(path):
    result = read_workbook(path)
    assert result.valid, result.issues
    return result.submission


def test_example_is_valid_with_the_seed_figures(example_path):
    sub = _one(example_path)
    crit = sub.criteria.set_index("code")
    assert list(sub.criteria.columns) == list(model.CRITERIA_COLUMNS)
    assert len(crit) == 36
    assert (crit.loc["KT01", "plan"], crit.loc["KT01", "actual"]) == (7.0, 8.62)
    assert (crit.loc["KT03", "plan"], crit.loc["KT03", "actual"]) == (6819.5, 7877.0)
    assert (crit.loc["KT04", "plan"], crit.loc["KT04", "actual"]) == (1185.0, 1397.0)
    assert sorted(crit.index[crit["key"]]) == ["KT01", "KT03", "KT04", "XH03"]
    assert crit.loc["XH03", "name"] == "Lao động được giải quyết việc làm"
    assert crit["max_points"].sum() == 1000
    assert list(dict.fromkeys(sub.criteria["field"])) == [
        "Kinh tế", "Văn hóa - Xã hội", "Tài nguyên - Môi trường", "Quốc phòng - An ninh",
        "Xây dựng Đảng, đoàn thể", "Xây dựng chính quyền", "Công tác thi đua, khen thưởng"]
    # the unmet criteria of the seed article
    assert (crit.loc["XH01", "plan"], crit.loc["XH01", "actual"], crit.loc["XH01", "kind"]) == (1.0, 0.6, "increase")
    assert (crit.loc["XH08", "plan"], crit.loc["XH08", "actual"]) == (0.1, -0.2)
    assert crit.loc["AN01", "kind"] == model.KIND_PASS_FAIL
    assert (crit.loc["AN01", "actual"], crit.loc["AN01", "actual_label"]) == (0.0, "Không đạt")
    assert "3,4%" in crit.loc["AN01", "note"]
    assert (crit.loc["XD01", "actual"], crit.loc["XD02", "actual"]) == (87.5, 86.0)
    assert (crit.loc["CQ01", "kind"], crit.loc["CQ01", "plan"], crit.loc["CQ01", "actual"]) == ("decrease", 10, 6)
    assert math.isnan(crit.loc["KT09", "actual"])
    assert crit.loc["KT02", "data_status"] == "Sơ bộ"
    assert crit.loc["KT01", "previous"] == 0.83
    assert set(crit.loc[["KT01", "KT02", "KT05"], "monitor"]) == {"Trần Thị Bích"}
    assert crit.loc["KT03", "monitor"] == "Lê Văn Cường"
    for code in ("XH01", "XH08", "AN01", "XD01", "XD02"):
        assert crit.loc[code, "note"], code
    meta = sub.meta
    assert (meta.province, meta.year, meta.doc_number, meta.report_date) == (
        "Đồng Tháp", 2022, "125/BC-SNV", dt.date(2023, 5, 30))
    assert (meta.signing_authority, meta.signer_title, meta.signer) == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC",
                                                                        "Nguyễn Văn Minh")
    assert meta.recipients[0] == "Ban Thi đua - Khen thưởng Trung ương" and meta.recipients[-1] == "Lưu: VT, TĐKT"
    assert list(sub.deductions.columns) == list(model.DEDUCTION_COLUMNS) and sub.deductions.empty


def test_template_fill_read_round_trip(tmp_path):
    rows = [
        wb.criterion("KT01"),
        wb.criterion("KT03", name="Thu NSNN", unit="tỷ đồng", plan="6.819,5", actual="7.877", previous="6.702",
                     key=True, data_status="Ước"),
        wb.criterion("XH08", kind="Tăng là tốt", plan="+0,10", actual="−0,20", previous=None, key=None,
                     note="Chưa đạt"),
        wb.criterion("AN01", kind="Đạt/Không đạt", plan="Đạt", actual="không đạt", previous="Đạt", key=None),
        wb.criterion("XD01", kind="Xếp loại", plan="HTTNV", actual="Hoàn thành xuất sắc nhiệm vụ", previous="HTNV",
                     key=None, data_status="so bo"),
        wb.criterion("CQ01", kind="Giảm là tốt", plan=10, actual=None, previous=9, key=None),
    ]
    deductions = [{"content": "Gửi báo cáo chậm", "points": "2,5", "note": "Văn bản 45/CTĐ"}]
    info = wb.meta(recipients=["- Ban TĐKT Trung ương;", "- Lưu: VT, TĐKT."])
    sub = _one(wb.filled(tmp_path / "filled.xlsx", rows, info, deductions))
    crit = sub.criteria
    assert list(crit["row"]) == [2, 3, 4, 5, 6, 7]
    assert list(crit["kind"]) == ["increase", "increase", "increase", "pass_fail", "grade", "decrease"]
    assert list(crit["plan"]) == [7.0, 6819.5, 0.1, 1.0, 3.0, 10.0]
    assert crit["actual"].tolist()[:5] == [8.62, 7877.0, -0.2, 0.0, 4.0] and math.isnan(crit["actual"].iloc[5])
    assert crit["previous"].tolist()[1] == 6702.0 and crit["previous"].tolist()[3:] == [1.0, 2.0, 9.0]
    assert list(crit["plan_label"]) == ["", "", "", "Đạt", "Hoàn thành tốt nhiệm vụ", ""]
    assert list(crit["actual_label"]) == ["", "", "", "Không đạt", "Hoàn thành xuất sắc nhiệm vụ", ""]
    assert list(crit["key"]) == [True, True, False, False, False, False]
    assert list(crit["data_status"]) == ["Chính thức", "Ước", "Chính thức", "Chính thức", "Sơ bộ", "Chính thức"]
    assert crit["note"].tolist()[2] == "Chưa đạt" and crit["unit"].tolist()[1] == "tỷ đồng"
    assert sub.deductions.to_dict("records") == [{"row": 2, "content": "Gửi báo cáo chậm", "points": 2.5,
                                                   "note": "Văn bản 45/CTĐ"}]
    assert sub.meta.recipients == ["Ban TĐKT Trung ương", "Lưu: VT, TĐKT."]
    assert sub.meta.report_date == dt.date(2023, 5, 30)


@pytest.mark.parametrize(
    "transform",
    [lambda h: unicodedata.normalize("NFD", h), lambda h: "  " + h.upper().replace(" ", "   ") + " ",
     lambda h: "".join(ch for ch in unicodedata.normalize("NFD", h) if not unicodedata.combining(ch))
     .replace("đ", "d").replace("Đ", "D")],
    ids=["nfd", "upper-spaced", "no-diacritics"],
)
def test_headers_are_matched_tolerantly(tmp_path, transform):
    sub = _one(wb.standard_raw(tmp_path / "x.xlsx", rename=transform))
    assert list(sub.criteria["code"]) == ["KT01", "KT02", "KT03"]
    assert list(sub.criteria["plan"]) == [7.0, 7.0, 7.0]


def test_columns_in_any_order_with_extra_columns_keep_real_cell_positions(tmp_path):
    headers = ["STT", *reversed(wb.HEADERS), "Ghi chú riêng"]
    rows = [wb.criterion("KT01"), wb.criterion("KT02", actual="bảy")]
    result = read_workbook(wb.standard_raw(tmp_path / "x.xlsx", rows=rows, headers=headers))
    # reversed: "Thực hiện" is the 8th header of 14 from the end → column 1 + 8 = I
    assert wb.issue_list(result) == [("Tiêu chí!I3", "non-numeric")]
    sub = _one(wb.standard_raw(tmp_path / "y.xlsx", headers=headers))
    assert list(sub.criteria.columns) == list(model.CRITERIA_COLUMNS)
    assert sub.criteria["name"].iloc[0] == "Tốc độ tăng trưởng GRDP"


def test_every_template_column_must_be_there_even_if_its_cells_may_stay_blank(tmp_path):
    """A deleted or misspelled "Thực hiện" header must not read as "no data" for every criterion."""
    required = ["Mã", "Lĩnh vực", "Tên tiêu chí", "Loại chỉ tiêu", "Kế hoạch", "Điểm chuẩn"]
    headers = [*required, "Số liệu TH", "Trọng điểm"]
    result = read_workbook(wb.standard_raw(tmp_path / "x.xlsx", headers=headers))
    missing = [i for i in result.issues if i.code == "missing-column"]
    assert [i.message.split('"')[3] for i in missing] == [
        "Đơn vị tính", "Thực hiện", "Cùng kỳ năm trước", "Trọng tâm", "Tình trạng số liệu", "Cơ quan chủ trì",
        "Thành viên HĐ theo dõi", "Nguyên nhân, ghi chú"]
    assert 'Các tiêu đề không nhận ra ở dòng này: "Số liệu TH", "Trọng điểm".' in missing[0].message
    # headers are still matched tolerantly: a missing accent is not a missing column
    typo = read_workbook(wb.standard_raw(tmp_path / "y.xlsx", headers=[h.replace("Thực hiện", "Thực hiên")
                                                                        for h in wb.HEADERS]))
    assert typo.valid, typo.issues


def test_blank_optional_cells_read_as_defaults(tmp_path):
    rows = [wb.criterion(f"KT0{i}", actual=None, previous=None, key=None, unit=None, note=None) for i in (1, 2)]
    crit = _one(wb.standard_raw(tmp_path / "x.xlsx", rows=rows)).criteria
    assert crit["actual"].isna().all() and crit["previous"].isna().all()
    assert list(crit["key"]) == [False] * 2 and set(crit["data_status"]) == {"Chính thức"}
    assert set(crit["unit"]) == {""} and set(crit["note"]) == {""}


def test_sheet_names_are_matched_tolerantly(tmp_path):
    path = wb.raw_workbook(tmp_path / "x.xlsx", {
        "THONG TIN": wb.info_rows(), unicodedata.normalize("NFD", "Tiêu chí"): wb.criteria_rows(wb.criteria(2))})
    assert len(_one(path).criteria) == 2


def test_info_accepts_text_dates_and_years(tmp_path):
    for value, expected in (("30/5/2023", dt.date(2023, 5, 30)), ("2023-05-30", dt.date(2023, 5, 30)),
                            ("ngày 05 tháng 01 năm 2023", dt.date(2023, 1, 5)),
                            (dt.datetime(2023, 5, 30, 0, 0), dt.date(2023, 5, 30))):
        sub = _one(wb.standard_raw(tmp_path / "x.xlsx", **{"Ngày báo cáo": value, "Năm đánh giá": "2022"}))
        assert sub.meta.report_date == expected and sub.meta.year == 2022


def test_numbers_typed_as_vietnamese_text(tmp_path):
    rows = [wb.criterion("KT03", plan="6.819,5", actual="7 877", previous="1.825,68", max_points="50")]
    crit = _one(wb.standard_raw(tmp_path / "x.xlsx", rows=rows)).criteria
    assert crit.iloc[0][["plan", "actual", "previous", "max_points"]].tolist() == [6819.5, 7877.0, 1825.68, 50.0]


def test_stray_cell_far_right_is_read_within_bounds(tmp_path):
    def stray(book):
        book["Tiêu chí"]["XFD1"] = "ghi chú lạc"

    sub = _one(wb.standard_raw(tmp_path / "x.xlsx", tweak=stray))
    assert isinstance(sub.criteria, pd.DataFrame) and len(sub.criteria) == 3


def test_percent_formatted_cells_are_read_as_the_officer_sees_them(tmp_path):
    wb.assert_read_as_shown(read_workbook(wb.percent_workbook(tmp_path / "phan-tram.xlsx")))


def test_percent_formats_are_recognised():
    from thidua.intake.percent_cells import is_percent_format

    assert is_percent_format("0.00%") and is_percent_format("#,##0.0%;[Red]-0.0%")
    assert not is_percent_format('0.00"%"') and not is_percent_format("0.0\\%")
    assert not is_percent_format("#,##0.00") and not is_percent_format("")


def test_percent_cells_found_in_any_attribute_order_and_only_when_filled():
    from thidua.intake.percent_cells import find_percent_cells

    xml = (b'<row r="2"><c r="F2" s="9"><v>0.07</v></c><c s="9" t="n" r="G2"><v>0.0862</v></c>'
           b'<c r="H2" s="9"/><c r="I2" s="3"><v>1</v></c><x:c r="J2" s="12"><x:v>0.5</x:v></x:c></row>')
    found: set = set()
    find_percent_cells(xml, frozenset({9, 12}), found)
    assert found == {(2, 6), (2, 7), (2, 10)}


def test_percent_styles_come_from_builtin_and_custom_formats():
    from thidua.intake.percent_cells import percent_styles

    styles = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'<numFmts count="2"><numFmt numFmtId="164" formatCode="0.0%"/>'
              b'<numFmt numFmtId="165" formatCode="0.0&quot;%&quot;"/></numFmts>'
              b'<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="10"/><xf numFmtId="164"/>'
              b'<xf numFmtId="165"/><xf numFmtId="9"/></cellXfs></styleSheet>')
    assert percent_styles(styles) == {1, 2, 4}
    assert percent_styles(b"<not xml") == frozenset() and percent_styles(None) == frozenset()
