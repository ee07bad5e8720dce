"""What the console shows for each warning or error the library logs: the library writes its log records
in English for developers (`--debug` shows them so); officers read these Vietnamese lines instead.

Keyed by the record's format string, filled with the same arguments. A test fails when a warning or error
logged anywhere in thidua has no line here.
"""

from __future__ import annotations

import logging

LEVELS = {logging.DEBUG: "Gỡ lỗi", logging.INFO: "Thông tin", logging.WARNING: "Cảnh báo",
          logging.ERROR: "Lỗi", logging.CRITICAL: "Lỗi nghiêm trọng"}

VIETNAMESE: dict[str, str] = {
    # delivery
    "address book lists criteria not in this report: %s":
        "Sổ địa chỉ [[email.recipients]] trong config.toml ghi mã tiêu chí không có trong báo cáo này: %s.",
    "monitor %r has no address in [[email.recipients]]":
        "Thành viên Hội đồng %r (cột \"Thành viên HĐ theo dõi\") chưa có địa chỉ thư trong [[email.recipients]] "
        "của config.toml: người này không nhận được thư.",
    "SMTP attempt %d failed (%s); retrying in %s s":
        "Gửi thư lần %d chưa được (%s); sẽ thử lại sau %s giây.",
    "SMTP attempt %d failed (%s); no retries left, the messages stay pending":
        "Gửi thư lần %d chưa được (%s); đã thử đủ số lần, thư được giữ lại để gửi sau (lệnh send --pending).",
    "unexpected failure while sending":
        "Lỗi không mong đợi khi gửi thư; thư chưa gửi được giữ lại để gửi sau (lệnh send --pending).",
    # web
    "the web's worker stopped":
        "Bộ phận xử lý tệp của trang web đã dừng: tệp gửi lên chưa được xử lý (vẫn nằm trong input/). "
        "Hãy dừng rồi chạy lại lệnh serve.",
    # pipeline
    "could not read earlier years of %s from the ledger":
        "Không đọc được kết quả các năm trước của %s trong sổ theo dõi; báo cáo không có phần so với năm trước.",
    "signing the report of %s failed": "Lỗi chương trình khi ký số báo cáo của tệp %s; báo cáo chưa được gửi.",
    "mailing the cluster report failed": "Chưa gửi được thư báo cáo Cụm thi đua.",
    "rebuilding the cluster report of %s failed":
        "Chưa làm lại được báo cáo Cụm thi đua năm %s; báo cáo của tỉnh không bị ảnh hưởng.",
    "mailing the report of %s failed": "Chưa gửi được thư báo cáo của tệp %s.",
    "processing %s failed": "Lỗi chương trình khi xử lý tệp %s (không phải do số liệu của tệp).",
    "could not write the failure note for %s": "Không ghi được tệp thông báo lỗi cho %s.",
    # intake
    "cannot annotate %s (%s); writing a text list instead":
        "Không tô được ô lỗi trong bản sao của %s (%s); danh sách lỗi được ghi ra tệp .loi.txt.",
    # inbox
    "system fault while processing %s: %s":
        "Lỗi hệ thống khi xử lý %s (không phải do tệp Excel): %s. Tệp được trả lại input/ để xử lý lại.",
    "%s killed its worker %d times; setting it aside":
        "Tệp %s đã làm dừng tiến trình xử lý %d lần; tệp được chuyển sang input/loi/ kèm ghi chú.",
    "cannot give %s back to the drop folder now: %s": "Chưa trả được tệp %s về thư mục input/: %s",
    "worker died while processing %s (%s); trying it again%s":
        "Tiến trình xử lý bị dừng khi đang xử lý %s (%s); tệp sẽ được xử lý lại%s.",
    "ledger not available yet, will retry: %s": "Sổ theo dõi chưa dùng được, sẽ thử lại: %s",
    "cannot tidy the ledger now: %s": "Chưa dọn được sổ theo dõi lúc này: %s",
    "left alone: %s is not an .xlsx workbook": "Bỏ qua %s: không phải tệp Excel .xlsx.",
    "%s given back to the drop folder unprocessed": "Tệp %s được trả lại thư mục input/, chưa xử lý.",
    "run interrupted earlier while processing %s; it will be processed again":
        "Lần chạy trước bị dừng giữa chừng khi đang xử lý %s; tệp sẽ được xử lý lại.",
    "cannot take %s out of the drop folder: %s": "Không lấy được tệp %s ra khỏi thư mục input/: %s",
    "cannot read %s: %s": "Không đọc được tệp %s: %s",
    "worker pool broken; starting new workers":
        "Tiến trình xử lý bị dừng đột ngột; đang khởi động lại các tiến trình xử lý.",
    "worker died while processing %s: %s": "Tiến trình xử lý bị dừng đột ngột khi đang xử lý %s: %s",
    "cannot move %s to %s: %s": "Không chuyển được tệp %s vào thư mục %s: %s",
}


def officer_line(record: logging.LogRecord) -> str:
    """The record's message in Vietnamese (as logged when there is no wording for it)."""
    template = VIETNAMESE.get(str(record.msg))
    if template is None:
        return record.getMessage()
    try:
        return template % record.args if record.args else template
    except (TypeError, ValueError):  # arguments that do not fit: the original message still says it
        return record.getMessage()
