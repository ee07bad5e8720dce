"""The CLI in-process: exit codes and exact Vietnamese messages, never a traceback."""

import io

from thidua.cli.main import main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_help_exits_zero():
    code, out, _ = run("--help")
    assert code == 0


def test_unknown_command_is_usage_error():
    code, _, err = run("bay")
    assert code == 2
    assert err.startswith("Lỗi: Lệnh không hợp lệ:")
    assert "Traceback" not in err


def test_missing_file_is_usage_error(tmp_path):
    code, _, err = run("check", str(tmp_path / "khong-co.xlsx"))
    assert code == 2
    assert f'Lỗi: Không tìm thấy tệp "{tmp_path / "khong-co.xlsx"}".' in err


def test_bad_config_is_usage_error(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[scoring]\nfloor_pct = 150\n", encoding="utf-8")
    code, _, err = run("--config", str(cfg), "template", "-o", str(tmp_path / "t.xlsx"))
    assert code == 2
    assert '"scoring.floor_pct" = 150.0 phải nhỏ hơn hoặc bằng 100' in err
    assert not (tmp_path / "t.xlsx").exists()


def test_send_without_target_is_usage_error():
    code, _, err = run("send")
    assert code == 2
    assert "--pending" in err


def test_help_and_usage_errors_are_vietnamese():
    code, help_text, _ = run("run", "--help")
    assert code == 0
    assert help_text.startswith("Cách dùng: generate_report.py run")
    for english in ("usage:", "options:", "positional arguments", "show this help"):
        assert english not in help_text
    assert "tùy chọn:" in help_text and "--config PATH" in help_text

    assert "thiếu tham số bắt buộc: FILE" in run("run")[2]
    assert 'không có lựa chọn "xem"' in run("xem")[2]
    code, _, err = run("template", "-o")
    assert code == 2 and "-o/--output: cần một giá trị đi kèm" in err


def test_a_folder_instead_of_a_file_is_explained(tmp_path):
    code, _, err = run("check", str(tmp_path))
    assert code == 2 and "là một thư mục; cần chỉ ra một tệp Excel (.xlsx)" in err
