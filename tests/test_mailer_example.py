"""End to end on the bundled example: real reader, scoring, PDF, the shipped config.toml, loopback SMTP."""

import tomllib

import pytest

from tests.assessment_fixture import example_assessment
from tests.mailtools import PASSWORD_ENV, ROOT, SmtpServer
from thidua.base.config import build_config, scoring_settings
from thidua.base.ledger import Ledger
from thidua.delivery.mailing import deliver_report
from thidua.report import pdf as render

pytestmark = [pytest.mark.slow]


def _config(tmp_path, port, ca_file):
    data = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    data["paths"]["output_dir"] = str(tmp_path / "output")
    data["ledger"]["path"] = str(tmp_path / "output" / "l.sqlite3")
    data["email"].update(host="127.0.0.1", port=port, username="thidua", password_env=PASSWORD_ENV,
                         ca_file=str(ca_file), outbox_dir=str(tmp_path / "output" / "thu-di"), retries=0)
    return build_config(data, ROOT)


def test_example_report_reaches_every_member_with_their_criteria(tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "mật khẩu thử")
    with SmtpServer(tmp_path) as server:
        config = _config(tmp_path, server.port, server.ca_file)
        assessment = example_assessment(scoring_settings(config))
        pdf = render.render_pdf(assessment, config, tmp_path / "output" / "dong-thap-2022.pdf")
        with Ledger(config.path("ledger.path")) as ledger:
            preview = deliver_report(assessment, pdf, config, send=False, dry_run=False, force=False,
                                     ledger=ledger)
            summary = deliver_report(assessment, pdf, config, send=True, dry_run=False, force=False,
                                     ledger=ledger)
        assert preview.dry_run == len(config.recipients) == 9 and preview.unmatched == ()
        assert (summary.sent, summary.pending, summary.rejected, summary.unmatched) == (9, 0, 0, ())

        totals = assessment.totals
        n = totals.n_criteria
        by_rcpt = {m.rcpt_tos[0]: m.message for m in server.received}
        assert len(by_rcpt) == 9
        for msg in by_rcpt.values():
            assert msg["Subject"] == "Báo cáo kết quả thực hiện tiêu chí thi đua năm 2022 - Đồng Tháp"
            assert next(msg.iter_attachments()).get_content() == pdf.read_bytes()
            text = msg.get_body(("plain",)).get_content()
            assert f"Đạt và vượt {totals.n_met_or_exceeded}/{n} tiêu chí; chưa đạt {totals.n_not_met}/{n}" in text

        def codes(email):
            text = by_rcpt[email].get_body(("plain",)).get_content()
            return [line[2:6] for line in text.splitlines() if line.startswith("- ")]

        assert codes("bich.tt@dongthap.example") == ["KT01", "KT02", "KT05"]
        assert codes("cuong.lv@dongthap.example") == ["KT03", "KT06"]
        assert codes("an.nv@dongthap.example") == []
        assert codes("lan.nt@dongthap.example") == ["XD01", "XD02", "XD03", "CQ01", "TD01"]
        kt01 = next(r for r in assessment.results.to_dict("records") if r["code"] == "KT01")
        assert kt01["pct_of_plan"] == 123.14
        assert "- KT01 Tốc độ tăng trưởng GRDP: Vượt, 123,14% kế hoạch (thực hiện 8,62%; kế hoạch 7%)." in \
            by_rcpt["bich.tt@dongthap.example"].get_body(("plain",)).get_content()
