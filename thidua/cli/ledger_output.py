"""`ledger check` and `ledger repair` at the terminal: SQLite's verdict, and what a repair kept and lost."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from thidua.base import ledger_repair
from thidua.base.config import Config
from thidua.base.errors import EXIT_DATA_ISSUES, EXIT_OK
from thidua.base.program import command_name
from thidua.inbox import folder

TABLE_WORDS = {"files": "lượt xử lý tệp", "results": "kết quả từng tiêu chí",
               "deliveries": "thư gửi thành viên Hội đồng", "reports": "thông tin báo cáo để gửi thư"}


def ledger_command(config: Config, action: str, *, out: TextIO, quiet: bool = False) -> int:
    """check: 0 intact (or not created yet), 1 damaged; repair: 0 repaired or nothing to repair."""
    path = config.path("ledger.path")
    if action == "check":
        return _check(path, out, quiet)
    with folder.locked(config.input_dir):  # no batch or watch of this folder writes the ledger meanwhile
        result = ledger_repair.repair(path)
    if result.intact:
        if not quiet:
            print(f"Sổ theo dõi \"{path}\" nguyên vẹn (hoặc chưa có), không cần sửa.", file=out)
        return EXIT_OK
    print(f"Đã chuyển sổ theo dõi hỏng sang \"{result.aside}\" và dựng lại \"{path}\" từ những gì còn đọc được:",
          file=out)
    for table in result.tables:
        print(f"  {_table_line(table)}", file=out)
    if result.lost_anything:
        print("Lưu ý: một phần lịch sử không khôi phục được. Thư của những dòng bị mất có thể được coi là chưa gửi; "
              f"xem lại trước khi chạy {command_name()} send --pending hoặc gửi lại bằng --force. "
              f"Bản hỏng được giữ nguyên ở \"{result.aside}\".", file=out)
    else:
        print("Không mất dòng nào.", file=out)
    return EXIT_OK


def _check(path: Path, out: TextIO, quiet: bool) -> int:
    result = ledger_repair.check(path)
    if not result.exists:
        if not quiet:
            print(f"Chưa có sổ theo dõi \"{path}\" (sổ được tạo ở lần xử lý tệp đầu tiên).", file=out)
        return EXIT_OK
    if result.ok:
        if not quiet:
            counts = ", ".join(f"{n} {TABLE_WORDS.get(t, t)}" for t, n in result.counts.items() if t in TABLE_WORDS)
            print(f"Sổ theo dõi \"{path}\" nguyên vẹn ({counts}).", file=out)
        return EXIT_OK
    print(f"Sổ theo dõi \"{path}\" bị hỏng, SQLite báo:", file=out)
    for line in result.problems[:10]:
        print(f"  {line}", file=out)
    print(f"Cách sửa: {command_name()} ledger repair (giữ lại bản hỏng, chép sang sổ mới những gì còn đọc được). "
          "Đừng xóa sổ: lịch sử gửi thư giúp không gửi trùng.", file=out)
    return EXIT_DATA_ISSUES


def _table_line(table: ledger_repair.TableRecovery) -> str:
    label = f"{table.table} ({TABLE_WORDS[table.table]})" if table.table in TABLE_WORDS else table.table
    if table.unreadable:
        return f"{label}: không đọc được bảng này, không khôi phục được dòng nào."
    parts = [f"khôi phục {table.recovered} dòng"]
    for first, last in table.lost:
        if last is None:
            parts.append(f"không đọc được từ dòng số {first} trở đi")
        elif first == last:
            parts.append(f"không đọc được dòng số {first}")
        else:
            parts.append(f"không đọc được các dòng số {first}–{last}")
    return f"{label}: " + "; ".join(parts) + "."
