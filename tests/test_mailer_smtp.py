"""Delivery against a real SMTP server on loopback (aiosmtpd, AUTH, STARTTLS/SSL with a trustme CA)."""

import io

import pytest

from tests.mailtools import PASSWORD_ENV, SmtpServer, free_port, make_assessment, make_config, make_pdf
from thidua.base.ledger import Ledger
from thidua.cli.mail_output import send_command
from thidua.delivery.mailing import deliver_report

# Implicit TLS is TLS, but aiosmtpd only counts STARTTLS as such for AUTH and warns.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

EMAILS = ["an.nv@dongthap.example", "bich.tt@dongthap.example", "dung.pt@dongthap.example"]


@pytest.fixture(autouse=True)
def password(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "mật-khẩu-thử")


@pytest.fixture
def pdf(tmp_path):
    return make_pdf(tmp_path / "output" / "dong-thap-2022.pdf")


def _deliver(config, pdf, **kw):
    opts = {"send": True, "dry_run": False, "force": False, **kw}
    with Ledger(config.path("ledger.path")) as ledger:
        return deliver_report(make_assessment(), pdf, config, ledger=ledger, **opts)


def _statuses(config):
    with Ledger(config.path("ledger.path")) as ledger:
        return {d.email: d.status for d in ledger.deliveries()}


def _send(config, **kw):
    out = io.StringIO()
    opts = {"report": None, "pending": False, "dry_run": False, "force": False, **kw}
    code = send_command(config, out=out, **opts)
    return code, out.getvalue()


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_messages_arrive_once_each_and_parse_back(tmp_path, pdf, security):
    with SmtpServer(tmp_path, security=security) as server:
        config = make_config(tmp_path, server.port, ca_file=server.ca_file, security=security)
        summary = _deliver(config, pdf)
        assert (summary.sent, summary.pending, summary.rejected) == (3, 0, 0)
        assert sorted(r for m in server.received for r in m.rcpt_tos) == EMAILS
        for got in server.received:
            assert got.mail_from == "thidua@snv.dongthap.example"
            msg = got.message
            assert [a.addr_spec for a in msg["To"].addresses] == got.rcpt_tos
            assert msg["Subject"] == "Báo cáo kết quả thực hiện tiêu chí thi đua năm 2022 - Đồng Tháp"
            [part] = list(msg.iter_attachments())
            assert part.get_filename() == "Báo cáo tiêu chí thi đua năm 2022 - Đồng Tháp.pdf"
            assert part.get_content() == pdf.read_bytes()
        assert set(_statuses(config).values()) == {"sent"}

        again = _deliver(config, pdf)  # the same report is never sent twice
        assert (again.sent, again.skipped) == (0, 3)
        assert len(server.received) == 3
        assert again.messages == ["dong-thap-2022.pdf: đã gửi 0 thư; 3 thư đã gửi (hoặc bị từ chối) trước đó, không gửi lại.",
                                  "  Chưa có địa chỉ email (thêm vào [[email.recipients]] trong config.toml): "
                                  "Hoàng Văn Em."]

        forced = _deliver(config, pdf, force=True)
        assert forced.sent == 3 and len(server.received) == 6


def test_server_down_stays_pending_then_send_pending_delivers_once(tmp_path, pdf):
    port = free_port()
    server = SmtpServer(tmp_path, port)
    config = make_config(tmp_path, port, ca_file=server.ca_file, retries=2)
    summary = _deliver(config, pdf)
    assert summary.pending == 3 and not summary.ok
    assert "không kết nối được máy chủ SMTP 127.0.0.1" in summary.problems[0]
    assert summary.problems[3] == "  Sẽ thử lại khi chạy: python generate_report.py send --pending"
    with Ledger(config.path("ledger.path")) as ledger:
        assert [(d.status, d.attempts) for d in ledger.deliveries()] == [("pending", 1)] * 3

    code, out = _send(config, pending=True, dry_run=True)  # a preview changes nothing
    assert code == 0 and set(_statuses(config).values()) == {"pending"}

    with server:
        code, out = _send(config, pending=True)
        assert code == 0, out
        assert out.splitlines()[0] == "dong-thap-2022.pdf: đã gửi 3 thư."
        assert sorted(r for m in server.received for r in m.rcpt_tos) == EMAILS
        assert set(_statuses(config).values()) == {"sent"}

        code, out = _send(config, pending=True)
        assert (code, out) == (0, "Không có thư nào còn treo.\n")
        code, out = _send(config, report=pdf)
        assert code == 0 and "3 thư đã gửi (hoặc bị từ chối) trước đó, không gửi lại" in out
        assert len(server.received) == 3


def test_rejected_recipient_is_reported_and_others_get_theirs(tmp_path, pdf):
    with SmtpServer(tmp_path, refuse={"bich.tt@dongthap.example"}) as server:
        config = make_config(tmp_path, server.port, ca_file=server.ca_file)
        summary = _deliver(config, pdf)
        assert (summary.sent, summary.rejected, summary.pending) == (2, 1, 0)
        assert sorted(r for m in server.received for r in m.rcpt_tos) == [EMAILS[0], EMAILS[2]]
        assert "  Bị từ chối: Trần Thị Bích <bich.tt@dongthap.example>: máy chủ từ chối địa chỉ: 550 " \
               "5.1.1 Hộp thư không tồn tại." in summary.problems
        assert _statuses(config)["bich.tt@dongthap.example"] == "rejected"

        code, out = _send(config, report=pdf)  # a permanent refusal is not retried without --force
        assert code == 0 and len(server.received) == 2


def test_wrong_password_fails_fast_and_stays_pending(tmp_path, pdf, monkeypatch):
    with SmtpServer(tmp_path) as server:
        config = make_config(tmp_path, server.port, ca_file=server.ca_file, retries=5, retry_backoff=30)
        monkeypatch.setenv(PASSWORD_ENV, "sai")
        summary = _deliver(config, pdf)  # would take minutes if bad logins were retried
        assert summary.pending == 3 and not server.received
        assert "từ chối đăng nhập của \"thidua\"" in summary.problems[0]
        assert PASSWORD_ENV in summary.problems[0] and "sai" not in summary.problems[0].split("(")[0]


def test_missing_password_variable_is_named_and_nothing_is_tried(tmp_path, pdf, monkeypatch):
    with SmtpServer(tmp_path) as server:
        config = make_config(tmp_path, server.port, ca_file=server.ca_file, retries=5, retry_backoff=30)
        monkeypatch.delenv(PASSWORD_ENV, raising=False)
        summary = _deliver(config, pdf)
        assert summary.pending == 3 and not server.received
        assert f"biến môi trường {PASSWORD_ENV} chưa được đặt" in summary.problems[0]


def test_untrusted_certificate_is_refused(tmp_path, pdf):
    with SmtpServer(tmp_path) as server:
        config = make_config(tmp_path, server.port)  # no ca_file: the test CA is not trusted
        summary = _deliver(config, pdf)
        assert summary.pending == 3 and not server.received
        assert "chứng chỉ của máy chủ SMTP 127.0.0.1" in summary.problems[0]


def test_dry_run_writes_eml_files_and_does_not_block_a_real_send(tmp_path, pdf):
    with SmtpServer(tmp_path) as server:
        config = make_config(tmp_path, server.port, ca_file=server.ca_file)
        summary = _deliver(config, pdf, send=False)  # email.enabled is false by default
        assert summary.dry_run == 3 and not server.received
        outbox = tmp_path / "output" / "thu-di" / "dong-thap-2022"
        assert sorted(p.name for p in outbox.iterdir()) == [e + ".eml" for e in EMAILS]
        assert summary.messages[0].startswith("dong-thap-2022.pdf: đã ghi 3 thư (.eml) vào ")
        from tests.mailtools import parse

        msg = parse((outbox / "bich.tt@dongthap.example.eml").read_bytes())
        assert msg["Subject"] == "Báo cáo kết quả thực hiện tiêu chí thi đua năm 2022 - Đồng Tháp"
        assert next(msg.iter_attachments()).get_content() == pdf.read_bytes()
        assert set(_statuses(config).values()) == {"dry-run"}

        code, out = _send(config, report=pdf)
        assert code == 0 and len(server.received) == 3
        assert set(_statuses(config).values()) == {"sent"}
        _deliver(config, pdf, dry_run=True)  # a later preview does not hide that it was sent
        assert set(_statuses(config).values()) == {"sent"}


def test_enabled_in_config_sends_without_the_flag(tmp_path, pdf):
    with SmtpServer(tmp_path) as server:
        config = make_config(tmp_path, server.port, ca_file=server.ca_file, enabled=True)
        assert _deliver(config, pdf, send=False).sent == 3


def test_temporary_refusal_is_retried_with_backoff(tmp_path, pdf):
    with SmtpServer(tmp_path) as server:
        server.handler.busy["dung.pt@dongthap.example"] = 2
        config = make_config(tmp_path, server.port, ca_file=server.ca_file, retries=2)
        summary = _deliver(config, pdf)
        assert (summary.sent, summary.pending) == (3, 0)
        assert [m.rcpt_tos for m in server.received].count(["dung.pt@dongthap.example"]) == 1

        server.handler.busy["an.nv@dongthap.example"] = 5
        summary = _deliver(config, pdf, force=True)
        assert (summary.sent, summary.pending) == (2, 1)
        assert "450 4.2.1 Mailbox busy" in summary.problems[0]


def test_plain_connection_sends_without_login_but_never_a_password(tmp_path, pdf):
    with SmtpServer(tmp_path, security="none") as server:
        config = make_config(tmp_path, server.port, security="none")
        summary = _deliver(config, pdf)
        assert summary.pending == 3 and not server.received
        assert "không đăng nhập SMTP qua kết nối không mã hóa" in summary.problems[0]
        config = make_config(tmp_path, server.port, security="none", username="")
        assert _deliver(config, pdf).sent == 3
