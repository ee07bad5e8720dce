"""The one catalog of issue codes: kebab-case code → Vietnamese title and message template.

An Issue is placed by row and column numbers; its `cell` text is one of: a cell "Tiêu chí!F12", a merged
range "Tiêu chí!A3:B3", a sheet name "Tiêu chí" (sheet-level problems), or "Tệp" (too-many-issues).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from thidua.base.model import Issue
from thidua.base.program import command_name


@dataclass(frozen=True)
class IssueType:
    """One kind of problem; `template` is formatted with `where` (cell or sheet), `value` and extras."""

    code: str
    title: str
    template: str
    fatal: bool = False  # True: the whole file is refused (raised as UnreadableFileError, exit 3)
    notice: bool = False  # True: told to the officer, but the workbook stays valid (NOTICE_TYPES only)


_NUMBER_HINT = "Cần nhập số, ví dụ 7.877 hoặc 8,62 (dấu chấm phân cách hàng nghìn, dấu phẩy thập phân)."

ISSUE_TYPES: tuple[IssueType, ...] = (
    # Structure of the workbook
    IssueType("missing-sheet", "Thiếu trang tính",
              "Không tìm thấy trang tính \"{sheet}\". Hãy dùng mẫu chuẩn (lệnh: {program} template)."),
    IssueType("header-not-found", "Không tìm thấy dòng tiêu đề",
              "Trang tính \"{sheet}\": không tìm thấy dòng tiêu đề trong {rows} dòng đầu. "
              "Cần có dòng tiêu đề gồm các cột: {expected}."),
    IssueType("missing-column", "Thiếu cột",
              "Trang tính \"{sheet}\" thiếu cột \"{column}\". Hãy thêm cột này vào dòng tiêu đề (dòng {row}).{extra}"),
    IssueType("duplicate-column", "Cột bị lặp",
              "Ô {where}: cột \"{column}\" xuất hiện lần thứ hai (đã có ở ô {first}). "
              "Hãy xóa hoặc đổi tên một trong hai cột."),
    IssueType("no-criteria", "Chưa có tiêu chí nào",
              "Trang tính \"{sheet}\" chưa có tiêu chí nào. Hãy nhập mỗi tiêu chí trên một dòng, "
              "bắt đầu từ dòng {row}."),
    IssueType("merged-cells", "Ô bị gộp trong vùng dữ liệu",
              "Vùng {where} đang gộp ô (merge) mà không rõ giá trị thuộc ô nào (gộp qua hai cột, hoặc gộp mã, tên, "
              "số liệu của hai tiêu chí): hãy bỏ gộp ô và nhập giá trị vào từng ô. Gộp dọc ô Lĩnh vực, Cơ quan chủ "
              "trì… cho cả nhóm tiêu chí thì không sao."),
    IssueType("blank-row", "Dòng trống giữa dữ liệu",
              "Dòng {rows} của trang tính \"{sheet}\" để trống giữa các tiêu chí của cùng một lĩnh vực (có thể một "
              "tiêu chí bị bỏ sót). Hãy điền tiêu chí còn thiếu hoặc xóa dòng trống; dòng trống giữa hai lĩnh vực "
              "thì không sao."),
    IssueType("formula-without-value", "Công thức chưa có giá trị",
              "Ô {where} có công thức ({value}) nhưng chưa có giá trị đã tính. Hãy mở tệp bằng Excel hoặc "
              "LibreOffice, lưu lại rồi gửi lại, hoặc nhập thẳng giá trị thay cho công thức."),
    # Values
    IssueType("error-value", "Ô báo lỗi Excel",
              "Ô {where} ({column}) đang báo lỗi \"{value}\" (công thức tính ra lỗi hoặc tham chiếu hỏng). "
              "Hãy sửa công thức hoặc nhập thẳng giá trị."),
    IssueType("missing-value", "Thiếu giá trị bắt buộc",
              "Ô {where} ({column}) đang trống. Cần nhập: {expected}"),
    IssueType("missing-plan", "Thiếu kế hoạch",
              "Ô {where} (Kế hoạch) đang trống. Cần nhập chỉ tiêu kế hoạch: {expected}."),
    IssueType("missing-info", "Thiếu mục thông tin",
              "Trang tính \"Thông tin\" không có dòng \"{column}\". Hãy thêm dòng này ở cột Mục và nhập "
              "giá trị ở cột Giá trị: {expected}"),
    IssueType("non-numeric", "Không phải là số",
              "Ô {where} ({column}): \"{value}\" không phải là số. " + _NUMBER_HINT),
    IssueType("ambiguous-number", "Số viết không rõ ràng",
              "Ô {where} ({column}): \"{value}\" có thể hiểu theo nhiều cách. Theo cách viết Việt Nam, "
              "dấu chấm phân cách hàng nghìn (7.877) và dấu phẩy là dấu thập phân (8,62). "
              "Hãy sửa lại, ví dụ {suggestion}."),
    IssueType("out-of-range", "Giá trị ngoài khoảng cho phép",
              "Ô {where} ({column}): \"{value}\" không hợp lệ. Cần {expected}."),
    IssueType("unknown-kind", "Loại chỉ tiêu không hợp lệ",
              "Ô {where} (Loại chỉ tiêu): \"{value}\" không phải là loại chỉ tiêu đã biết. "
              "Cần chọn một trong: {expected}."),
    IssueType("invalid-pass-fail", "Giá trị Đạt/Không đạt không hợp lệ",
              "Ô {where} ({column}): \"{value}\" không hợp lệ cho tiêu chí loại Đạt/Không đạt. "
              "Cần nhập \"Đạt\" hoặc \"Không đạt\"."),
    IssueType("invalid-grade", "Mức xếp loại không hợp lệ",
              "Ô {where} ({column}): \"{value}\" không phải là mức xếp loại. Cần nhập một trong: {expected}."),
    IssueType("invalid-flag", "Đánh dấu trọng tâm không hợp lệ",
              "Ô {where} (Trọng tâm): \"{value}\" không hợp lệ. Nhập \"x\" nếu là tiêu chí trọng tâm, "
              "để trống nếu không."),
    IssueType("invalid-status", "Tình trạng số liệu không hợp lệ",
              "Ô {where} (Tình trạng số liệu): \"{value}\" không hợp lệ. Cần chọn một trong: {expected} "
              "(để trống nghĩa là Chính thức)."),
    IssueType("invalid-cumulative", "Đánh dấu lũy kế không hợp lệ",
              "Ô {where} (Lũy kế): \"{value}\" không hợp lệ. Nhập \"x\" nếu số liệu cộng dồn trong năm "
              "(thu ngân sách, xuất khẩu, việc làm…), để trống nếu là tỷ lệ hoặc mức độ."),
    IssueType("invalid-period", "Kỳ báo cáo không hợp lệ",
              "Ô {where} (Kỳ báo cáo): \"{value}\" không phải là kỳ báo cáo đã biết. Cần chọn một trong: "
              "{expected} (để trống nghĩa là Cả năm)."),
    IssueType("duplicate-code", "Mã tiêu chí bị trùng",
              "Ô {where}: mã \"{value}\" đã dùng ở dòng {first}. Mỗi tiêu chí cần một mã riêng."),
    IssueType("bad-year", "Năm không hợp lệ",
              "Ô {where} (Năm đánh giá): \"{value}\" không phải là năm. Cần nhập năm gồm 4 chữ số, "
              "ví dụ 2022."),
    IssueType("bad-date", "Ngày không hợp lệ",
              "Ô {where} ({column}): \"{value}\" không phải là ngày hợp lệ. Cần nhập ngày dạng ngày/tháng/năm, "
              "ví dụ 30/5/2023."),
    IssueType("too-many-issues", "Quá nhiều lỗi",
              "Tệp có hơn {value} lỗi; chỉ liệt kê {value} lỗi đầu tiên. Hãy kiểm tra lại cách điền mẫu "
              "(đúng trang tính, đúng cột) rồi kiểm tra lại."),
    # Whole-file refusals (raised by xlsx_guard as UnreadableFileError)
    IssueType("file-too-large", "Tệp quá lớn",
              "Tệp nặng {value}, vượt giới hạn {expected}. Hãy xóa dữ liệu, hình ảnh thừa rồi gửi lại.", True),
    IssueType("not-a-workbook", "Không phải tệp Excel",
              "Tệp không phải là bảng tính Excel .xlsx ({value}). Hãy mở bằng Excel hoặc LibreOffice và "
              "lưu lại dưới dạng \"Excel Workbook (.xlsx)\".", True),
    IssueType("truncated-file", "Tệp bị hỏng hoặc chưa tải xong",
              "Tệp .xlsx bị hỏng hoặc bị cắt cụt ({value}). Hãy tải hoặc sao chép lại tệp từ nguồn.", True),
    IssueType("legacy-xls", "Tệp Excel 97-2003 (.xls)",
              "Tệp Excel 97-2003 (.xls): hãy mở và lưu lại dạng .xlsx (Excel: Tệp > Lưu thành > "
              "\"Excel Workbook (*.xlsx)\"; LibreOffice: Tệp > Lưu thành > \"Excel 2007-365 (.xlsx)\"), "
              "rồi gửi lại tệp .xlsx.", True),
    IssueType("encrypted-workbook", "Tệp có mật khẩu hoặc là định dạng .xls cũ",
              "Tệp được đặt mật khẩu hoặc là định dạng Excel 97-2003 (.xls). Hãy gỡ mật khẩu và lưu lại "
              "dưới dạng \"Excel Workbook (.xlsx)\".", True),
    IssueType("macro-enabled", "Tệp có macro",
              "Tệp có chứa macro (VBA), không được chấp nhận vì lý do an toàn. Hãy lưu lại dưới dạng "
              "\"Excel Workbook (.xlsx)\" không có macro.", True),
    IssueType("zip-bomb", "Tệp nén bất thường",
              "Tệp có cấu trúc nén bất thường ({value}) nên bị từ chối để bảo vệ hệ thống. "
              "Hãy mở bằng Excel hoặc LibreOffice và lưu lại.", True),
    IssueType("xml-entities", "Tệp chứa khai báo XML không an toàn",
              "Phần \"{value}\" của tệp chứa khai báo DOCTYPE/ENTITY, không được chấp nhận vì lý do an toàn. "
              "Hãy mở bằng Excel hoặc LibreOffice và lưu lại.", True),
    IssueType("duplicate-part", "Tệp có hai phần trùng tên",
              "Tệp .xlsx có hai phần cùng tên \"{value}\" (tệp bị ghép hoặc bị sửa bằng công cụ khác), nên Excel "
              "và thidua có thể đọc ra số liệu khác nhau. Hãy mở tệp bằng Excel hoặc LibreOffice, kiểm tra lại "
              "số liệu và lưu lại dưới dạng \"Excel Workbook (.xlsx)\".", True),
    IssueType("sheet-too-large", "Trang tính quá lớn",
              "Trang tính \"{sheet}\" có dữ liệu tới ô {value}, vượt giới hạn {expected}. "
              "Hãy xóa các ô thừa ở bên phải hoặc phía dưới bảng (kể cả ô chỉ có khoảng trắng) rồi lưu lại.", True),
    IssueType("unreadable-file", "Không đọc được tệp",
              "Không đọc được tệp Excel ({value}). Hãy mở bằng Excel hoặc LibreOffice và lưu lại "
              "dưới dạng \"Excel Workbook (.xlsx)\".", True),
)

# What the reader tells the officer without refusing anything: the workbook stays valid.
NOTICE_TYPES: tuple[IssueType, ...] = (
    IssueType("totals-row", "Dòng tổng cộng được bỏ qua",
              "Dòng {row} của trang tính \"{sheet}\" (\"{value}\") là dòng tổng cộng, không phải {what}: "
              "đã bỏ qua dòng này (thidua tự tính tổng).", notice=True),
    IssueType("stray-cells", "Ô chỉ có khoảng trắng nằm xa ngoài bảng",
              "Trang tính \"{sheet}\" có {count} ô chỉ chứa khoảng trắng nằm xa ngoài bảng ({value}): "
              "đã bỏ qua các ô này. Nên xóa chúng (chọn ô, nhấn Delete) rồi lưu lại.", notice=True),
)

CATALOG: dict[str, IssueType] = {t.code: t for t in ISSUE_TYPES}
NOTICES: dict[str, IssueType] = {t.code: t for t in NOTICE_TYPES}


def message(code: str, **fields: object) -> str:
    """The Vietnamese message of `code`, with `fields` filled into its template."""
    return CATALOG[code].template.format(program=command_name(), **fields)


def make_notice(code: str, sheet: str, at: tuple[int, ...] = (), value: object = "", **fields: object) -> Issue:
    """A notice (NOTICE_TYPES): placed and worded like an issue, but it never makes the workbook invalid."""
    row, column = (*at, 0, 0)[:2]
    text = "" if value is None else str(value)
    placed = Issue(code, sheet, "", row, column, text)
    wording = NOTICES[code].template.format(program=command_name(), where=placed.cell, sheet=sheet, value=text,
                                            **fields)
    return dataclasses.replace(placed, message=wording)


def make_issue(code: str, sheet: str, at: tuple[int, ...] = (), value: object = "", **fields: object) -> Issue:
    """An Issue at `at`: (row, column) of a cell, (row, column, end_row, end_column) of a range, or () for
    the whole sheet (the whole file when `sheet` is "" too); the message names the place as Excel does."""
    row, column, end_row, end_column = (*at, 0, 0, 0, 0)[:4]
    text = "" if value is None else str(value)
    placed = Issue(code, sheet, "", row, column, text, end_row, end_column)
    return dataclasses.replace(placed, message=message(code, where=placed.cell, sheet=sheet, value=text, **fields))


def markdown_catalog() -> str:
    """The catalog as a Markdown table (code, title, whole-file, cell or notice)."""
    lines = ["| Mã lỗi | Ý nghĩa | Phạm vi |", "|---|---|---|"]
    for t in (*ISSUE_TYPES, *NOTICE_TYPES):
        scope = ("lưu ý, tệp vẫn hợp lệ (mã thoát 0)" if t.notice else
                 "cả tệp (mã thoát 3)" if t.fatal else "ô / trang tính (mã thoát 1)")
        lines.append(f"| `{t.code}` | {t.title} | {scope} |")
    return "\n".join(lines) + "\n"
