"""`generate_report.py send` in-process: exact Vietnamese output and exit codes."""

import io

import pytest

from tests.mailtools import (
    PASSWORD_ENV,
    SmtpServer,
    free_port,
    make_assessment,
    make_config,
    make_pdf,
    write_config_file,
)
from thidua.base.ledger import Ledger
from thidua.cli.main import main
from thidua.delivery.mailing import deliver_report

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _write_config(tmp_path, port, ca_file):
    return write_config_file(tmp_path, port, sender="Sở Nội vụ Đồng Tháp <thidua@snv.dongthap.example>",
                             retry_backoff=0, ca_file=ca_file)


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def password(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "mật-khẩu")


def test_send_existing_report_then_nothing_twice(tmp_path):
    pdf = make_pdf(tmp_path / "output" / "dong-thap-2022.pdf")
    with SmtpServer(tmp_path) as server:
        cfg = _write_config(tmp_path, server.port, server.ca_file)
        config = make_config(tmp_path, server.port, ca_file=server.ca_file)
        with Ledger(config.path("ledger.path")) as ledger:  # what `make report` leaves behind
            deliver_report(make_assessment(), pdf, config, send=False, dry_run=False, force=False, ledger=ledger)

        code, out, _ = _run("send", str(pdf), "--config", str(cfg))
        assert code == 0
        assert out.splitlines() == ["dong-thap-2022.pdf: đã gửi 1 thư.",
                                    "  Chưa có địa chỉ email (thêm vào [[email.recipients]] trong config.toml): "
                                    "phạm thị dung, Hoàng Văn Em."]  # as the workbook writes them
        code, out, _ = _run("send", str(pdf), "--config", str(cfg), "-q")
        assert code == 0 and len(server.received) == 1
        code, out, _ = _run("send", str(pdf), "--config", str(cfg), "--force")
        assert code == 0 and len(server.received) == 2


def test_send_unknown_report_is_a_usage_error(tmp_path):
    pdf = make_pdf(tmp_path / "la.pdf")
    cfg = _write_config(tmp_path, 25, "")
    code, out, err = _run("send", str(pdf), "--config", str(cfg))
    assert code == 2 and out == ""
    assert "không có thông tin về báo cáo" in err
    assert "Gợi ý: Tạo lại báo cáo từ tệp Excel: python generate_report.py run TỆP.xlsx" in err


def _pending_while_server_is_down(tmp_path):
    """A report whose three messages are pending; returns (pdf, config file, port)."""
    pdf = make_pdf(tmp_path / "output" / "r.pdf")
    port = free_port()
    config = make_config(tmp_path, port, retries=0)
    with Ledger(config.path("ledger.path")) as ledger:
        deliver_report(make_assessment(), pdf, config, send=True, dry_run=False, force=False, ledger=ledger)
    return pdf, _write_config(tmp_path, port, ""), port


def test_send_pending_when_server_is_down_exits_1(tmp_path):
    _, cfg, port = _pending_while_server_is_down(tmp_path)
    code, out, _ = _run("send", "--pending", "--config", str(cfg), "-q")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (f"  Còn treo: Trần Thị Bích <bich.tt@dongthap.example>: không kết nối được máy chủ SMTP "
                        f"127.0.0.1:{port} (bị từ chối kết nối).")
    # people no longer in the address book still get what was promised to them
    assert lines[2].startswith("  Còn treo: Phạm Thị Dung <dung.pt@dongthap.example>")
    assert lines[3] == "  Sẽ thử lại khi chạy: python generate_report.py send --pending"


def test_pending_for_a_report_that_changed_stays_pending(tmp_path):
    pdf, cfg, _ = _pending_while_server_is_down(tmp_path)
    make_pdf(pdf, "Báo cáo khác")  # regenerated: not the report those people were promised
    code, out, _ = _run("send", "--pending", "--config", str(cfg))
    assert code == 1
    assert out.splitlines()[0] == ("r.pdf: không còn tệp báo cáo này (đã bị chuyển, xóa hoặc tạo lại); "
                                   "3 thư vẫn còn treo.")
