"""The Excel contract: one declarative table of the template's sheets, columns and info rows."""

from __future__ import annotations

from dataclasses import dataclass

from thidua.base import model
from thidua.base.program import command_name

# Column types (how a cell is read and validated).
TEXT = "text"
NUMBER = "number"  # a number, or Vietnamese text such as "7.877" / "8,62"
KIND = "kind"  # one of KIND_LABELS
TARGET = "target"  # a number, "Đạt"/"Không đạt" or a grade, depending on the criterion's kind
FLAG = "flag"  # "x" or blank
STATUS = "status"  # one of model.DATA_STATUSES, blank = "Chính thức"
YEAR = "year"
DATE = "date"
LINES = "lines"  # one entry per line inside the cell
PERIOD = "period"  # one of model.PERIOD_LABELS, blank = "Cả năm"

TYPE_NAMES = {
    TEXT: "chữ", NUMBER: "số", KIND: "danh sách chọn", TARGET: "số, Đạt/Không đạt hoặc mức xếp loại",
    FLAG: "x hoặc để trống", STATUS: "danh sách chọn", YEAR: "năm (số)", DATE: "ngày/tháng/năm",
    LINES: "chữ, mỗi dòng một mục", PERIOD: "danh sách chọn",
}

# Sheet names.
SHEET_GUIDE = "Hướng dẫn"
SHEET_INFO = "Thông tin"
SHEET_CRITERIA = "Tiêu chí"
SHEET_DEDUCTIONS = "Điểm trừ"

# Vietnamese labels of the criterion kinds (defined with the kinds, in the model).
KIND_LABELS = model.KIND_LABELS
LABEL_OF_KIND = model.LABEL_OF_KIND
PASS = "Đạt"
FAIL = "Không đạt"
PASS_FAIL_VALUES = {PASS: 1.0, FAIL: 0.0}
# Other ways of writing a pass/fail result that can mean one thing only (the report itself says "chưa đạt").
PASS_FAIL_ALIASES = {"Chưa đạt": FAIL}
# Yes/no answers: they say whether the result matches the plan only when the plan is a yes/no answer too
# ("Có"/"Có" is met, "Không"/"Có" is not); against a plan of "Đạt" a bare "Có" stays ambiguous.
YES, NO = "Có", "Không"
# Short forms officers write for the grades (mapped onto model.GRADE_LEVELS names).
GRADE_ABBREVIATIONS = {
    "HTXSNV": "Hoàn thành xuất sắc nhiệm vụ",
    "HTTNV": "Hoàn thành tốt nhiệm vụ",
    "HTNV": "Hoàn thành nhiệm vụ",
    "KHTNV": "Không hoàn thành nhiệm vụ",
}
FLAG_MARK = "x"
FLAG_WORDS = ("x", "có")  # accepted (case-insensitive) as "key criterion"
DEFAULT_STATUS = "Chính thức"
PERIOD_CHOICES = tuple(model.PERIOD_LABELS)  # the `Kỳ báo cáo` dropdown: "Cả năm", "6 tháng", … "Quý III"

MAX_HEADER_SCAN_ROWS = 10  # the header row is searched among this many first rows


@dataclass(frozen=True)
class Column:
    """One column of a data sheet: canonical key, exact Vietnamese header, type and help."""

    key: str
    header: str
    type: str
    required: bool
    help: str
    example: str
    width: float
    allowed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class InfoRow:
    """One row of the `Thông tin` sheet; `key` is a `model.ReportMeta` field."""

    key: str
    label: str
    type: str
    required: bool
    help: str
    example: str


@dataclass(frozen=True)
class Sheet:
    """One sheet of the template; `columns` is empty for the guide sheet."""

    name: str
    required: bool
    purpose: str
    columns: tuple[Column, ...] = ()
    # Columns the header row may lack. Every other column must be there even when its cells may stay
    # blank: a misspelled or deleted "Thực hiện" header would otherwise read as "no data" everywhere.
    optional_columns: tuple[str, ...] = ()
    # Rows are grouped by this column (Lĩnh vực): a blank row between two groups is layout and is skipped,
    # a blank row inside a group is reported (a criterion of the group may have been left out).
    group_column: str = ""
    # A cell of these columns merged down over several rows gives every row of the range its value (the
    # usual way a field, an agency or a unit is written once for a group of criteria).
    spanning_columns: tuple[str, ...] = ()
    # What one data row is ("tiêu chí"); set when the table may end in a totals row ("Tổng cộng"), which is
    # then left out with a notice.
    row_noun: str = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


CRITERIA_SHEET = Sheet(SHEET_CRITERIA, True, "Mỗi dòng là một tiêu chí thi đua.", (
    Column("code", "Mã", TEXT, True, "Mã tiêu chí, không trùng nhau (gợi ý: KT01, XH01…).", "KT01", 9,
           aliases=("Mã tiêu chí", "Mã số")),
    Column("field", "Lĩnh vực", TEXT, True, "Lĩnh vực (nhóm) của tiêu chí; các tiêu chí cùng lĩnh vực được "
           "tổng hợp chung.", "Kinh tế", 22, aliases=("Nhóm", "Nhóm tiêu chí")),
    Column("name", "Tên tiêu chí", TEXT, True, "Tên tiêu chí như trong giao ước thi đua.",
           "Tốc độ tăng trưởng GRDP", 46, aliases=("Tiêu chí", "Nội dung tiêu chí")),
    Column("unit", "Đơn vị tính", TEXT, False, "Đơn vị tính (%, tỷ đồng, triệu USD, người…).", "%", 12,
           aliases=("ĐVT",)),
    Column("kind", "Loại chỉ tiêu", KIND, True, "Cách so sánh thực hiện với kế hoạch: Tăng là tốt (càng cao "
           "càng tốt), Giảm là tốt (càng thấp càng tốt), Đạt/Không đạt, Xếp loại (mức hoàn thành nhiệm vụ).",
           "Tăng là tốt", 16, tuple(KIND_LABELS), aliases=("Loại",)),
    Column("plan", "Kế hoạch", TARGET, True, "Chỉ tiêu kế hoạch: số (ví dụ 7,0 hoặc 6.819,5); với loại "
           "Đạt/Không đạt nhập Đạt; với loại Xếp loại nhập mức xếp loại phải đạt.", "7,0", 14,
           aliases=("KH", "Chỉ tiêu kế hoạch")),
    Column("actual", "Thực hiện", TARGET, False, "Kết quả thực hiện, cùng dạng với Kế hoạch. Để trống nếu "
           "chưa có số liệu.", "8,62", 14, aliases=("TH", "Kết quả thực hiện")),
    Column("previous", "Cùng kỳ năm trước", TARGET, False, "Kết quả cùng kỳ năm trước (nếu có), cùng dạng "
           "với Thực hiện.", "0,83", 14, aliases=("Cùng kỳ",)),
    Column("max_points", "Điểm chuẩn", NUMBER, True, "Điểm tối đa của tiêu chí (số không âm).", "50", 10,
           aliases=("Điểm tối đa",)),
    Column("key", "Trọng tâm", FLAG, False, "Nhập x nếu là tiêu chí trọng tâm (được xét điểm thưởng khi "
           "vượt kế hoạch); để trống nếu không.", "x", 10, (FLAG_MARK,), aliases=("Tiêu chí trọng tâm",)),
    Column("data_status", "Tình trạng số liệu", STATUS, False, "Số liệu Ước, Sơ bộ hay Chính thức; để trống "
           "nghĩa là Chính thức.", "Chính thức", 14, model.DATA_STATUSES, aliases=("Tình trạng",)),
    Column("cumulative", "Lũy kế", FLAG, False, "Nhập x nếu số liệu cộng dồn trong năm (thu ngân sách, xuất "
           "khẩu, việc làm, vốn đầu tư, doanh nghiệp mới…): báo cáo sơ kết tính tiến độ và dự kiến cả năm; "
           "để trống nếu là tỷ lệ, tốc độ hay mức độ (tăng trưởng GRDP, tỷ lệ hộ nghèo, tỷ lệ bao phủ, xếp "
           "loại…).", "x", 9, (FLAG_MARK,), aliases=("Cộng dồn", "Số lũy kế")),
    Column("agency", "Cơ quan chủ trì", TEXT, False, "Cơ quan chủ trì, theo dõi số liệu của tiêu chí.",
           "Sở Kế hoạch và Đầu tư", 28, aliases=("Cơ quan theo dõi",)),
    Column("monitor", "Thành viên HĐ theo dõi", TEXT, False, "Thành viên Hội đồng Thi đua - Khen thưởng được "
           "phân công theo dõi tiêu chí (dùng để gửi báo cáo).", "Trần Thị Bích", 24,
           aliases=("Thành viên Hội đồng theo dõi", "Người theo dõi")),
    Column("note", "Nguyên nhân, ghi chú", TEXT, False, "Nguyên nhân nếu chưa đạt, hoặc ghi chú khác.",
           "Số người chết do tai nạn giao thông tăng 3,4%", 46, aliases=("Ghi chú", "Nguyên nhân")),
), optional_columns=("cumulative",),  # absent from workbooks made with the template before it
    group_column="field", spanning_columns=("field", "unit", "kind", "data_status", "agency", "monitor"),
    row_noun="tiêu chí")

DEDUCTIONS_SHEET = Sheet(SHEET_DEDUCTIONS, False, "Các khoản điểm trừ (nếu có); để trống nếu không có.", (
    Column("content", "Nội dung", TEXT, True, "Lý do bị trừ điểm (báo cáo chậm, không dự họp Cụm…).",
           "Gửi báo cáo 6 tháng chậm 5 ngày", 50),
    Column("points", "Điểm trừ", NUMBER, True, "Số điểm bị trừ (số không âm).", "2", 10),
    Column("note", "Ghi chú", TEXT, False, "Ghi chú thêm (nếu có).", "Văn bản số 45/CTĐ", 40),
), row_noun="khoản điểm trừ")

INFO_SHEET = Sheet(SHEET_INFO, True, "Thông tin chung của báo cáo: đơn vị, năm, người ký, nơi nhận.", (
    Column("label", "Mục", TEXT, True, "Tên mục thông tin (không sửa).", "Tỉnh/Đơn vị", 24),
    Column("value", "Giá trị", TEXT, True, "Giá trị của mục.", "Đồng Tháp", 48),
    Column("help", "Hướng dẫn", TEXT, False, "Gợi ý cách điền (không bắt buộc).", "", 60),
), optional_columns=("help",))

INFO_ROWS: tuple[InfoRow, ...] = (
    InfoRow("province", "Tỉnh/Đơn vị", TEXT, True, "Tên tỉnh hoặc đơn vị báo cáo.", "Đồng Tháp"),
    InfoRow("year", "Năm đánh giá", YEAR, True, "Năm của các tiêu chí thi đua.", "2022"),
    InfoRow("cluster", "Cụm thi đua", TEXT, False, "Tên Cụm thi đua.", "Cụm thi đua các tỉnh Tây Nam Bộ"),
    InfoRow("period", "Kỳ báo cáo", PERIOD, False, "Cả năm (tổng kết năm) hoặc kỳ sơ kết: 6 tháng, 9 tháng, "
            "Quý I, Quý II, Quý III (số liệu lũy kế từ đầu năm, kế hoạch là kế hoạch cả năm). Để trống "
            "nghĩa là Cả năm.", "6 tháng"),
    InfoRow("parent_agency", "Cơ quan chủ quản", TEXT, False, "Cơ quan cấp trên, viết hoa.",
            "UBND TỈNH ĐỒNG THÁP"),
    InfoRow("agency", "Cơ quan báo cáo", TEXT, False, "Cơ quan ban hành báo cáo, viết như trong câu văn "
            "(phần đầu văn bản tự in hoa).", "Sở Nội vụ"),
    InfoRow("doc_number", "Số văn bản", TEXT, False, "Số, ký hiệu văn bản.", "125/BC-SNV"),
    InfoRow("place", "Địa danh", TEXT, False, "Địa danh ghi ở dòng ngày tháng.", "Đồng Tháp"),
    InfoRow("report_date", "Ngày báo cáo", DATE, False, "Ngày ký báo cáo (ngày/tháng/năm).", "30/5/2023"),
    InfoRow("signing_authority", "Thẩm quyền ký", TEXT, False, "Ví dụ: KT. GIÁM ĐỐC, TM. ỦY BAN NHÂN DÂN.",
            "KT. GIÁM ĐỐC"),
    InfoRow("signer_title", "Chức vụ người ký", TEXT, False, "Chức vụ người ký, viết hoa.", "PHÓ GIÁM ĐỐC"),
    InfoRow("signer", "Người ký", TEXT, False, "Họ và tên người ký.", "Nguyễn Văn Minh"),
    InfoRow("recipients", "Nơi nhận", LINES, False, "Mỗi nơi nhận một dòng (Alt+Enter để xuống dòng).",
            "Ban Thi đua - Khen thưởng Trung ương\nLưu: VT, TĐKT"),
)

GUIDE_SHEET = Sheet(SHEET_GUIDE, False, "Hướng dẫn điền mẫu (trang này không được đọc).")

FILLING_STEPS: tuple[str, ...] = (
    "Điền trang \"Thông tin\": mỗi mục một dòng, nhập ở cột Giá trị; Tỉnh/Đơn vị và Năm đánh giá là bắt buộc.",
    "Điền trang \"Tiêu chí\": mỗi tiêu chí một dòng, bắt đầu ngay dưới dòng tiêu đề. Có thể gộp dọc ô Lĩnh vực "
    "(hoặc Cơ quan chủ trì…) cho cả nhóm tiêu chí và để một dòng trống giữa hai lĩnh vực; không gộp ô mã, tên, "
    "số liệu của hai tiêu chí, không gộp ngang qua hai cột.",
    "Số viết theo kiểu Việt Nam: dấu chấm phân cách hàng nghìn, dấu phẩy thập phân (7.877; 8,62; 123,14%). "
    "Viết kiểu 7.87 hoặc 1,234.5 sẽ bị báo lỗi vì không rõ nghĩa.",
    "Không dùng công thức liên kết sang tệp khác; nếu dùng công thức, hãy lưu tệp bằng Excel hoặc "
    "LibreOffice trước khi gửi.",
    "Báo cáo sơ kết (6 tháng, 9 tháng, quý): chọn Kỳ báo cáo ở trang \"Thông tin\", nhập số thực hiện lũy "
    "kế từ đầu năm so với kế hoạch cả năm, đánh dấu x ở cột Lũy kế cho số liệu cộng dồn; cột Cùng kỳ năm "
    "trước là số cùng kỳ (ví dụ 6 tháng) năm trước.",
    "Trang \"Điểm trừ\" chỉ điền khi có điểm bị trừ; không có thì để trống.",
    "Không đổi tên trang tính, không xóa dòng tiêu đề; có thể thêm cột riêng, chương trình bỏ qua cột lạ.",
    "Kiểm tra trước khi gửi: {program} check <tệp>.xlsx",
)


def filling_steps() -> list[str]:
    """The steps of the Hướng dẫn sheet, naming the command as the officer runs it."""
    return [step.format(program=command_name()) for step in FILLING_STEPS]


def allowed_text(column: Column) -> str:
    """The allowed values of a column as a Vietnamese list, or "" when free."""
    if column.key in ("plan", "actual", "previous"):
        return "số; hoặc Đạt / Không đạt; hoặc " + "; ".join(model.GRADE_LEVELS)
    return "; ".join(column.allowed)


def info_type_text(row: InfoRow) -> str:
    """How an info row is filled, as the guide sheet and README show it (the choices of a dropdown)."""
    return "danh sách chọn: " + "; ".join(PERIOD_CHOICES) if row.type == PERIOD else TYPE_NAMES[row.type]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def markdown_reference() -> str:
    """The column reference of every sheet as Markdown (README section, checked by a test)."""
    out: list[str] = []
    for sheet in (CRITERIA_SHEET, DEDUCTIONS_SHEET):
        out += [f"### Trang `{sheet.name}`", "", sheet.purpose, "",
                "| Cột | Khóa | Kiểu | Bắt buộc | Giá trị cho phép | Ví dụ | Ý nghĩa |",
                "|---|---|---|---|---|---|---|"]
        for c in sheet.columns:
            out.append(f"| `{c.header}` | `{c.key}` | {TYPE_NAMES[c.type]} | {'có' if c.required else ''} | "
                       f"{_md(allowed_text(c))} | {_md(c.example)} | {_md(c.help)} |")
        out.append("")
    out += [f"### Trang `{INFO_SHEET.name}` (cột `Mục` / `Giá trị`)", "",
            "| Mục | Khóa | Kiểu | Bắt buộc | Ví dụ | Ý nghĩa |", "|---|---|---|---|---|---|"]
    for r in INFO_ROWS:
        out.append(f"| `{r.label}` | `{r.key}` | {info_type_text(r)} | {'có' if r.required else ''} | "
                   f"{_md(r.example)} | {_md(r.help)} |")
    return "\n".join(out) + "\n"
