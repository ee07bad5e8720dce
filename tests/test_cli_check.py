"""`template` and `check` commands in-process: exit codes 0/1/2/3, one issue per line, JSON output."""

import io
import json

from tests import workbooks as wb
from thidua.cli.main import main
from thidua.intake.reader import read_workbook


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_template_command_writes_a_readable_template(tmp_path):
    path = tmp_path / "mau.xlsx"
    code, out, _ = _run("template", "-o", str(path))
    assert code == 0 and out == f"Đã ghi mẫu Excel: {path}\n"
    assert [i.code for i in read_workbook(path).issues] == ["missing-value", "missing-value", "no-criteria"]


def test_check_valid_example(example_path):
    assert _run("check", str(example_path)) == (0, "dong-thap-2022.xlsx: hợp lệ, không có lỗi.\n", "")
    code, out, _ = _run("check", str(example_path), "--json")
    assert (code, json.loads(out)) == (0, [])


def test_check_with_data_issues(tmp_path):
    path = wb.standard_raw(tmp_path / "x.xlsx", rows=[wb.criterion(actual="bảy"), wb.criterion("KT01")])
    code, out, err = _run("check", str(path))
    assert code == 1 and err == ""
    assert out.splitlines() == [
        'Tiêu chí!G2: Ô Tiêu chí!G2 (Thực hiện): "bảy" không phải là số. Cần nhập số, ví dụ 7.877 hoặc 8,62 '
        "(dấu chấm phân cách hàng nghìn, dấu phẩy thập phân). [non-numeric]",
        'Tiêu chí!A3: Ô Tiêu chí!A3: mã "KT01" đã dùng ở dòng 2. Mỗi tiêu chí cần một mã riêng. [duplicate-code]',
    ]
    code, out, _ = _run("check", str(path), "--json")
    items = json.loads(out)
    assert code == 1
    assert [(i["cell"], i["code"], i["sheet"]) for i in items] == [
        ("Tiêu chí!G2", "non-numeric", "Tiêu chí"), ("Tiêu chí!A3", "duplicate-code", "Tiêu chí")]
    assert set(items[0]) == {"code", "sheet", "cell", "message"}


def test_check_hostile_file_exits_3_without_traceback(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("không phải Excel", encoding="utf-8")
    code, out, err = _run("check", str(path), "--json")
    assert code == 3 and "Traceback" not in out + err
    assert [i["code"] for i in json.loads(out)] == ["not-a-workbook"]
    code, out, _ = _run("check", str(path))
    assert code == 3 and out.startswith("notes.xlsx: Tệp không phải là bảng tính Excel .xlsx")


def test_check_missing_file_is_a_usage_error(tmp_path):
    code, out, err = _run("check", str(tmp_path / "none.xlsx"))
    assert code == 2 and out == "" and err.startswith("Lỗi: Không tìm thấy tệp")
