"""Mail content without a network: who gets what, Vietnamese text, MIME, header injection."""

import json
import re
import unicodedata

import pytest

from tests.mailtools import make_assessment, make_config, make_pdf, parse
from thidua.base.config import Recipient
from thidua.base.textfold import fold as name_key
from thidua.delivery.brief import CriterionLine, ReportBrief
from thidua.delivery.compose import build_message, one_line
from thidua.delivery.recipients import plan_recipients


def _brief(**kw) -> ReportBrief:
    return ReportBrief.from_assessment(make_assessment(**kw))


def test_name_key_tolerates_case_spacing_nfd_and_eth():
    assert name_key(unicodedata.normalize("NFD", "Trần Thị  Bích ")) == name_key("TRẦN THỊ BÍCH")
    assert name_key("Ðặng Văn Ðức") == name_key("Đặng Văn Đức")


def test_plan_joins_address_book_and_monitor_column():
    book = [Recipient("Nguyễn Văn An", "an@x.vn"), Recipient("Trần Thị Bích", "bich@x.vn", criteria=("KT03",)),
            Recipient("Phạm Thị Dung", "dung@x.vn"), Recipient("Phạm Thị Dung (2)", "DUNG@x.vn", criteria=("KT01",))]
    plan = plan_recipients(book, _brief())
    got = {a.email: [c.code for c in a.criteria] for a in plan.addressees}
    assert got == {"an@x.vn": [], "bich@x.vn": ["KT01", "KT03"], "dung@x.vn": ["KT01", "XH02"]}
    assert plan.unmatched == ("Hoàng Văn Em",)


def test_plan_reports_unknown_codes_and_splits_monitor_cells():
    rows = [("KT01", "GRDP", "%", "increase", 7.0, 8.62, "Vượt", 123.14, "Trần Thị Bích; Lê Văn Cường")]
    plan = plan_recipients([Recipient("Lê Văn Cường", "c@x.vn", criteria=("ZZ99",))], _brief(rows=rows))
    assert [c.code for c in plan.addressees[0].criteria] == ["KT01"]
    assert plan.unmatched == ("Trần Thị Bích",)
    assert plan.unknown_codes == ("ZZ99",)


def test_brief_survives_json_round_trip():
    brief = _brief()
    again = ReportBrief.from_dict(json.loads(json.dumps(brief.to_dict())))
    assert again == brief
    assert again.criteria[3].pct_of_plan is None  # NaN is stored as null


@pytest.fixture
def message(tmp_path):
    config = make_config(tmp_path)
    pdf = make_pdf(tmp_path / "dong-thap-2022.pdf")
    plan = plan_recipients(config.recipients, _brief())
    bich = next(a for a in plan.addressees if a.email.startswith("bich"))
    msg = build_message(_brief(), bich, pdf.read_bytes(), pdf.name, config)
    return parse(msg.as_bytes()), msg.as_bytes(), pdf


def test_message_headers_and_vietnamese_subject(message):
    msg, raw, _ = message
    assert raw.isascii()  # every Vietnamese header is MIME-encoded (policy SMTP)
    assert msg["Subject"] == "Báo cáo kết quả thực hiện tiêu chí thi đua năm 2022 - Đồng Tháp"
    assert msg["To"].addresses[0].display_name == "Trần Thị Bích"
    assert msg["To"].addresses[0].addr_spec == "bich.tt@dongthap.example"
    assert msg["From"].addresses[0].display_name == "Sở Nội vụ Đồng Tháp"
    assert msg["Reply-To"].addresses[0].addr_spec == "vanphong@snv.dongthap.example"
    assert msg["Message-ID"].endswith("@snv.dongthap.example>")
    assert msg["Date"].datetime.tzinfo is not None


def test_attachment_name_is_rfc2231_and_bytes_are_the_pdf(message):
    msg, raw, pdf = message
    [part] = list(msg.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == "Báo cáo tiêu chí thi đua năm 2022 - Đồng Tháp.pdf"
    assert re.search(rb"filename\*(0\*)?=utf-8''B%C3%A1o%20c%C3%A1o", raw)  # RFC 2231
    assert part.get_content() == pdf.read_bytes()


def test_bodies_give_overall_result_and_own_criteria(message):
    msg, _, _ = message
    text = msg.get_body(("plain",)).get_content()
    assert "Kính gửi: Trần Thị Bích - Giám đốc Sở Kế hoạch và Đầu tư." in text
    assert "Đạt và vượt 3/4 tiêu chí; chưa đạt 1/4." in text
    assert "Tự chấm 950,5/1.000 điểm (gồm 10 điểm thưởng, trừ 5 điểm)." in text
    assert "- KT01 Tốc độ tăng trưởng GRDP: Vượt, 123,14% kế hoạch (thực hiện 8,62%; kế hoạch 7%)." in text
    assert "- KT03 Thu NSNN trên địa bàn: Vượt, 115,51% kế hoạch (thực hiện 7.877 tỷ đ; kế hoạch 6.819,5 tỷ đ)." \
        in text
    assert "XH02" not in text
    html = msg.get_body(("html",)).get_content()
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells[:4] == ["KT01", "Tốc độ tăng trưởng GRDP", "Vượt", "123,14%"]
    assert 'style="padding: 4px 8px; text-align: right; white-space: nowrap;">123,14%</td>' in html


def test_member_without_criteria_gets_overall_result(tmp_path):
    config = make_config(tmp_path)
    plan = plan_recipients(config.recipients, _brief())
    an = next(a for a in plan.addressees if a.email.startswith("an."))
    msg = parse(build_message(_brief(), an, b"%PDF-1.7", "x.pdf", config).as_bytes())
    text = msg.get_body(("plain",)).get_content()
    assert "không được phân công theo dõi riêng tiêu chí nào" in text
    assert "Đạt và vượt 3/4 tiêu chí" in text


def test_html_body_escapes_workbook_text(tmp_path):
    rows = [("KT01", "<script>alert(1)</script> & co", "%", "increase", 7.0, 8.62, "Vượt", 123.14, "Trần Thị Bích")]
    config = make_config(tmp_path)
    brief = _brief(rows=rows)
    bich = next(a for a in plan_recipients(config.recipients, brief).addressees if a.criteria)
    msg = parse(build_message(brief, bich, b"%PDF", "x.pdf", config).as_bytes())
    html = msg.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<script>alert(1)</script> & co" in msg.get_body(("plain",)).get_content()


def test_header_injection_from_config_and_workbook_fails_safe(tmp_path):
    evil = "Trần Thị Bích\r\nBcc: evil@x.example\r\nX-Evil: 1"
    config = make_config(tmp_path, recipients=[{"name": evil, "email": "bich.tt@dongthap.example"}])
    brief = _brief(province="Đồng Tháp\r\nBcc: evil3@x.example", rows=[
        ("KT01", "GRDP", "%", "increase", 7.0, 8.62, "Vượt", 123.14, evil)])
    [person] = plan_recipients(config.recipients, brief).addressees
    raw = build_message(brief, person, b"%PDF", "a\r\nBcc: evil4@x.example.pdf", config).as_bytes()
    msg = parse(raw)
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert b"\nBcc:" not in raw and b"\nX-Evil" not in raw
    assert [a.addr_spec for a in msg["To"].addresses] == ["bich.tt@dongthap.example"]
    assert msg["To"].addresses[0].display_name.startswith("Trần Thị Bích Bcc: evil@x.example X-Evil")
    assert msg["Subject"].endswith("- Đồng Tháp Bcc: evil3@x.example")
    assert not msg.defects


def test_one_line_removes_every_line_break_kind():
    assert one_line("a\r\nb\u2028c\u0085d\te\x00f") == "a b c d e f"


@pytest.mark.parametrize("value", ["a@b.example\nBcc: evil@x.example", "a@b.example, c@d.example", "không có"])
def test_sender_and_reply_to_must_be_one_address(tmp_path, value):
    from thidua.base.errors import ConfigError
    from thidua.delivery.compose import config_mailbox

    with pytest.raises(ConfigError, match="phải là một địa chỉ email"):
        config_mailbox(make_config(tmp_path, reply_to=value), "email.reply_to")


def test_mailbox_forms(tmp_path):
    from thidua.delivery.compose import config_mailbox

    config = make_config(tmp_path, reply_to='"Văn phòng, Hội đồng" <vp@x.example>')
    assert str(config_mailbox(config, "email.reply_to")) == '"Văn phòng, Hội đồng" <vp@x.example>'
    assert config_mailbox(make_config(tmp_path, reply_to=""), "email.reply_to") is None


def test_estimated_figures_are_flagged_as_in_the_report(tmp_path):
    config = make_config(tmp_path)
    pdf = make_pdf(tmp_path / "dong-thap-2022.pdf")
    assessment = make_assessment()
    assessment.results.loc[assessment.results["code"] == "KT01", "data_status"] = "Ước"
    brief = ReportBrief.from_assessment(assessment)
    assert ReportBrief.from_dict(json.loads(json.dumps(brief.to_dict()))) == brief
    bich = next(a for a in plan_recipients(config.recipients, brief).addressees if a.email.startswith("bich"))
    msg = parse(build_message(brief, bich, pdf.read_bytes(), pdf.name, config).as_bytes())
    text = msg.get_body(("plain",)).get_content()
    assert "(thực hiện 8,62%, số liệu ước; kế hoạch 7%)" in text
    assert "(thực hiện 7.877 tỷ đ; kế hoạch" in text  # official figures carry no flag
    assert "8,62% (ước)" in msg.get_body(("html",)).get_content()


def test_old_and_new_tone_placement_name_the_same_member():
    """"Lê Thị Hoà" typed in the workbook is "Lê Thị Hòa" of config.toml: she gets her criteria."""
    for old, new in (("Lê Thị Hoà", "Lê Thị Hòa"), ("Nguyễn Thị Thuỷ", "Nguyễn Thị Thủy"), ("Khoẻ", "Khỏe"),
                     ("HOÀ", "hòa"), ("Thuý", "Thúy")):
        assert name_key(old) == name_key(new)
    assert name_key("Hòa") != name_key("Hoa") and name_key("Hoàn") != name_key("Hoan")
    book = [Recipient("Lê Thị Hòa", "hoa@snv.example", criteria=())]
    brief = ReportBrief("Đồng Tháp", 2022, criteria=(CriterionLine("KT01", "GRDP", monitor="Lê Thị Hoà"),))
    plan = plan_recipients(book, brief)
    assert [c.code for c in plan.addressees[0].criteria] == ["KT01"] and plan.unmatched == ()
