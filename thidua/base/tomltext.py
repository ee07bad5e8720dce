"""A TOML syntax error said in Vietnamese: where (line, column, the line itself) and what is wrong.

Python's tomllib words its errors in English ("Expected '=' after a key… (at line 3, column 5)"); an
officer editing config.toml reads this instead.
"""

from __future__ import annotations

import re

_WHERE = re.compile(r"^(?P<what>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$", re.S)
_QUOTED = r"['\"](?P<arg>.*)['\"]"
_WORDING: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern + "$"), text) for pattern, text in (
    (r"Expected '=' after a key in a key/value pair", "thiếu dấu \"=\" giữa tên khóa và giá trị"),
    (r"Invalid statement", "dòng không hợp lệ: mỗi dòng phải là `khóa = giá trị`, `[tên bảng]` hoặc chú thích "
                           "bắt đầu bằng #"),
    (r"Cannot overwrite a value", "khóa này đã có giá trị ở phía trên (một khóa chỉ được khai báo một lần)"),
    (r"Expected '\]' at the end of a table declaration", "thiếu dấu \"]\" ở cuối tên bảng"),
    (r"Expected '\]\]' at the end of an array declaration", "thiếu \"]]\" ở cuối tên danh sách bảng"),
    (r"Invalid initial character for a key part", "tên khóa bắt đầu bằng ký tự không hợp lệ (tên khóa có dấu "
                                                  "tiếng Việt hoặc dấu cách phải đặt trong ngoặc kép)"),
    (r"Unclosed array", "danh sách chưa đóng: thiếu dấu \"]\" hoặc thiếu dấu phẩy giữa các phần tử"),
    (r"Unclosed inline table", "bảng viết trên một dòng chưa đóng: thiếu dấu \"}\""),
    (r"Unescaped '\\\\' in a string", "dấu \"\\\" trong chuỗi phải viết thành \"\\\\\" (hoặc dùng dấu nháy đơn)"),
    (r"Invalid hex value", "mã ký tự \\u… không hợp lệ"),
    (r"Escaped character is not a Unicode scalar value", "mã ký tự \\u… không hợp lệ"),
    (r"Unterminated string", "chuỗi chưa đóng: thiếu dấu nháy kép ở cuối"),
    (r"Invalid date or datetime", "ngày giờ không hợp lệ"),
    (r"Invalid value", "giá trị không hợp lệ (chuỗi phải đặt trong ngoặc kép, ví dụ \"localhost\"; đúng/sai "
                       "viết true/false)"),
    (r"Expected " + _QUOTED, "thiếu \"{arg}\""),
    (r"Cannot declare (?P<arg>.*) twice", "bảng {arg} được khai báo hai lần"),
    (r"Cannot mutate immutable namespace (?P<arg>.*)", "không thể thêm khóa vào {arg} đã khai báo trước đó"),
    (r"Cannot redefine namespace (?P<arg>.*)", "không thể khai báo lại {arg}"),
    (r"Duplicate inline table key " + _QUOTED, "khóa \"{arg}\" bị lặp"),
    (r"Found invalid character " + _QUOTED, "ký tự không hợp lệ \"{arg}\""),
    (r"Illegal character '\\n'", "chuỗi chưa đóng: thiếu dấu nháy kép ở cuối dòng"),
    (r"Illegal character " + _QUOTED, "ký tự không được phép \"{arg}\""),
))


def _what(english: str) -> str:
    for pattern, text in _WORDING:
        match = pattern.match(english)
        if match is not None:
            return text.format(**match.groupdict())
    return f"lỗi cú pháp ({english})"


def describe_toml_error(message: str, source: str) -> str:
    """"ở dòng 3, cột 5 (`port 587`): thiếu dấu "=" giữa tên khóa và giá trị" from tomllib's message."""
    found = _WHERE.match(message)
    if found is None:
        return _what(message)
    if found.group("line") is None:
        return f"ở cuối tệp: {_what(found.group('what'))}"
    line, column = int(found.group("line")), int(found.group("column"))
    lines = source.splitlines()
    shown = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    quoted = f" (`{shown[:80]}`)" if shown else ""
    return f"ở dòng {line}, cột {column}{quoted}: {_what(found.group('what'))}"


def describe_encoding_error(start: int, data: bytes) -> str:
    """Where a file that is not UTF-8 stops being UTF-8."""
    line = data.count(b"\n", 0, start) + 1
    return (f"ở dòng {line}: tệp không phải văn bản UTF-8 (hãy mở bằng trình soạn thảo và lưu lại với bảng mã "
            "UTF-8)")
