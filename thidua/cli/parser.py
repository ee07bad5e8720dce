"""The command line's grammar: commands, options and their Vietnamese help."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from thidua.base.errors import UsageError
from thidua.base.program import command_name, program_name
from thidua.base.version import __version__
from thidua.cli.argparse_vi import VietnameseHelpFormatter, localise, set_titles, translate_error

DEFAULT_TEMPLATE_NAME = "mau-tieu-chi-thi-dua.xlsx"


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, with Vietnamese help, usage and errors."""

    def __init__(self, prog: str | None = None, *, add_help: bool = True,
                 parents: Sequence[argparse.ArgumentParser] = (), **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", VietnameseHelpFormatter)
        super().__init__(prog, add_help=False, **kwargs)
        if add_help:
            localise(self)
        for parent in parents:  # after -h, so help lists it first as argparse would
            self._add_container_actions(parent)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"Lệnh không hợp lệ: {translate_error(message)}.",
                         hint=f"Xem: {command_name()} --help")


def _common_options(suppress: bool) -> _Parser:
    """Global options, accepted before or after the command (sub-parsers must not reset them)."""
    common = _Parser(add_help=False)
    set_titles(common)
    default = argparse.SUPPRESS if suppress else None
    flag_default = argparse.SUPPRESS if suppress else False
    common.add_argument("--config", type=Path, default=default, metavar="PATH",
                        help="tệp cấu hình (mặc định ./config.toml)")
    common.add_argument("--debug", action="store_true", default=flag_default,
                        help="hiện chi tiết lỗi kỹ thuật (traceback)")
    common.add_argument("--quiet", "-q", action="store_true", default=flag_default,
                        help="chỉ in lỗi")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options(suppress=True)
    parser = _Parser(prog=program_name(), parents=[_common_options(suppress=False)],
                     description="Tạo báo cáo PDF kết quả thực hiện tiêu chí thi đua từ tệp Excel. "
                                 "Không có lệnh: xử lý mọi tệp trong thư mục input/.")
    parser.add_argument("--version", action="version", version=f"thidua {__version__}",
                        help="hiện phiên bản rồi thoát")
    parser.add_argument("--force", action="store_true",
                        help="không lệnh: xử lý lại cả tệp có nội dung đã xử lý trước đó")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH", parser_class=_Parser, title="lệnh")

    p = sub.add_parser("run", parents=[common], help="xử lý các tệp Excel đã chỉ ra")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="tệp Excel (.xlsx) cần xử lý")
    p.add_argument("--json", action="store_true", help="ghi thêm output/<tên>.json")
    p.add_argument("--send", action="store_true", help="gửi thư sau khi tạo báo cáo")
    p.add_argument("--dry-run", action="store_true", help="không gửi thật, chỉ ghi thư .eml")
    p.add_argument("--force", action="store_true", help="xử lý lại và gửi lại dù đã làm trước đó")

    p = sub.add_parser("template", parents=[common], help="ghi mẫu Excel trống")
    p.add_argument("-o", "--output", type=Path, default=Path(DEFAULT_TEMPLATE_NAME), metavar="PATH",
                   help=f"nơi ghi mẫu (mặc định {DEFAULT_TEMPLATE_NAME})")
    p.add_argument("--force", action="store_true", help="ghi đè nếu tệp đã có (mặc định không bao giờ ghi đè)")

    p = sub.add_parser("check", parents=[common], help="chỉ kiểm tra tệp Excel, không tạo báo cáo")
    p.add_argument("file", type=Path, metavar="FILE", help="tệp Excel (.xlsx) cần kiểm tra")
    p.add_argument("--json", action="store_true", help="in danh sách lỗi dạng JSON")

    sub.add_parser("watch", parents=[common], help="theo dõi thư mục input/ và xử lý tệp mới")

    p = sub.add_parser("send", parents=[common], help="gửi báo cáo đã có, hoặc gửi lại thư còn treo")
    p.add_argument("report", nargs="?", type=Path, metavar="REPORT.pdf", help="báo cáo PDF đã tạo trong output/")
    p.add_argument("--pending", action="store_true", help="gửi lại các thư chưa gửi được")
    p.add_argument("--dry-run", action="store_true", help="không gửi thật, chỉ ghi thư .eml")
    p.add_argument("--force", action="store_true", help="gửi lại cả thư đã gửi")

    p = sub.add_parser("cluster", parents=[common], help="báo cáo chấm điểm, xếp hạng của Cụm thi đua (từ sổ theo dõi)")
    p.add_argument("--year", type=int, metavar="YEAR", help="năm xếp hạng (mặc định: năm gần nhất có kết quả của Cụm)")
    p.add_argument("--json", action="store_true", help="ghi thêm output/cum-thi-dua-<năm>.json")
    mail = p.add_mutually_exclusive_group()
    mail.add_argument("--send", action="store_true", help="gửi thư cho người nhận của từng tỉnh ([[cluster.contacts]])")
    mail.add_argument("--dry-run", action="store_true", help="không gửi thật, chỉ ghi thư .eml")
    p.add_argument("--force", action="store_true", help="gửi lại cả thư đã gửi cho báo cáo này")

    p = sub.add_parser("history", parents=[common], help="kết quả của một tỉnh qua các năm (từ sổ theo dõi)")
    p.add_argument("province", metavar="PROVINCE", help="tên tỉnh, ví dụ \"Đồng Tháp\"")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p = sub.add_parser("verify", parents=[common], help="kiểm tra chữ ký số của một báo cáo PDF")
    p.add_argument("file", type=Path, metavar="FILE.pdf", help="báo cáo PDF cần kiểm tra")
    p.add_argument("--trust", type=Path, action="append", default=[], metavar="CA.pem",
                   help="chứng thư CA gốc được tin cậy (PEM), thêm vào signing.trust_roots; dùng nhiều lần được")

    p = sub.add_parser("serve", parents=[common], help="mở trang web: cán bộ tải tệp lên, xem lỗi, tải báo cáo")
    p.add_argument("--host", metavar="ĐỊA_CHỈ", help="địa chỉ phục vụ (mặc định web.host: 127.0.0.1, chỉ máy này)")
    p.add_argument("--port", type=int, metavar="CỔNG", help="cổng (mặc định web.port: 8080; 0: một cổng còn trống)")

    p = sub.add_parser("user", parents=[common], help="tài khoản của trang web")
    users = p.add_subparsers(dest="user_command", metavar="VIỆC", parser_class=_Parser, title="việc", required=True)
    p = users.add_parser("add", parents=[common], help="thêm tài khoản (hỏi mật khẩu hai lần, chỉ lưu mã băm)")
    p.add_argument("name", metavar="NAME", help="tên đăng nhập")
    p.add_argument("--role", required=True, choices=["admin", "province"],
                   help="admin: xem mọi tỉnh; province: chỉ tỉnh của mình")
    p.add_argument("--province", metavar="TỈNH", help="tên tỉnh (bắt buộc với --role province)")
    p = sub.add_parser("ledger", parents=[common], help="kiểm tra hoặc sửa sổ theo dõi (lịch sử xử lý và gửi thư)")
    p.add_argument("action", choices=("check", "repair"), metavar="check|repair",
                   help="check: kiểm tra sổ có nguyên vẹn không; repair: giữ lại bản hỏng, dựng sổ mới từ những gì "
                        "còn đọc được")
    return parser
