"""The example signed end to end through the CLI with keys made here, checked with pyHanko, poppler's pdfsig,
qpdf and pikepdf; failures (wrong password, expired certificate) mail nothing and keep the unsigned copy."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from tests import pdf_tools
from tests.mailtools import PASSWORD_ENV as SMTP_PASSWORD_ENV
from tests.mailtools import RECIPIENTS, SmtpServer
from tests.signing_tools import (
    AGENCY_PASSWORD_ENV,
    PASSWORD,
    PASSWORD_ENV,
    SigningCA,
    TimestampServer,
    seal_png,
    signature_png,
)
from thidua.base.ledger import Ledger
from thidua.cli.main import main

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """A CA, the signer (with the agency's name) and the agency, as PKCS#12 files, plus the PNGs."""
    folder = tmp_path_factory.mktemp("keys")
    ca = SigningCA()
    signer = ca.issue("Nguyễn Văn Minh", "Sở Nội vụ tỉnh Đồng Tháp")
    agency = ca.issue("Sở Nội vụ tỉnh Đồng Tháp", "Sở Nội vụ tỉnh Đồng Tháp")
    expired = ca.issue("Nguyễn Văn Minh", "Sở Nội vụ tỉnh Đồng Tháp", days_valid=(-400, -5))
    return {"ca": ca, "ca_pem": ca.write_pem(folder / "ca.pem"),
            "signer": ca.write_pkcs12(signer, folder / "nguoi-ky.p12"),
            "agency": ca.write_pkcs12(agency, folder / "co-quan.p12"),
            "expired": ca.write_pkcs12(expired, folder / "het-han.p12"),
            "other_ca_pem": SigningCA("CA khác").write_pem(folder / "ca-khac.pem"),
            "image": signature_png(folder / "chu-ky.png"), "seal": seal_png(folder / "con-dau.png")}


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(folder: Path, signing: dict[str, object], email: dict[str, object] | None = None) -> Path:
    """A config.toml under `folder` (outputs there, the repository's templates) with these [signing] keys."""
    lines = ["[paths]", f"templates_dir = {_toml_value(str(ROOT / 'templates'))}", "[signing]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in signing.items()]
    if email:
        lines.append("[email]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in email.items() if k != "recipients"]
        for person in email.get("recipients", []):  # type: ignore[union-attr]
            lines.append("[[email.recipients]]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in person.items()]
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def pdfsig(pdf: Path) -> str:
    return subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def signed(keys, tmp_path_factory):
    """The example run through `run` with the person's and the agency's keys and both images."""
    folder = tmp_path_factory.mktemp("ky")
    config = write_config(folder, {"pkcs12_path": str(keys["signer"]), "password_env": PASSWORD_ENV,
                                   "signature_image": str(keys["image"]),
                                   "agency_pkcs12_path": str(keys["agency"]),
                                   "agency_password_env": AGENCY_PASSWORD_ENV, "agency_image": str(keys["seal"]),
                                   "trust_roots": [str(keys["ca_pem"])]})
    mp = pytest.MonkeyPatch()
    mp.setenv(PASSWORD_ENV, PASSWORD)
    mp.setenv(AGENCY_PASSWORD_ENV, PASSWORD)
    try:
        code, out, err = run_cli("--config", str(config), "run", "--dry-run", str(EXAMPLE))
    finally:
        mp.undo()
    return {"code": code, "out": out, "err": err, "pdf": folder / "output" / "dong-thap-2022.pdf",
            "folder": folder, "config": config}


def test_run_signs_the_report_and_says_so(signed):
    assert signed["code"] == 0, signed["out"] + signed["err"]
    assert signed["pdf"].is_file()
    assert not (signed["folder"] / "output" / "dong-thap-2022.chua-ky.pdf").exists()
    assert "Đã ký số (người ký): Nguyễn Văn Minh, lúc " in signed["out"]
    assert "Đã ký số (cơ quan): Sở Nội vụ tỉnh Đồng Tháp, lúc " in signed["out"]
    assert re.search(r"lúc \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00 \(PAdES B-B\)", signed["out"])


def test_poppler_sees_two_valid_pades_signatures(signed):
    out = pdfsig(signed["pdf"])
    assert out.count("Signature is Valid.") == 2, out
    assert "Signature Field Name: nguoi-ky" in out and "Signature Field Name: co-quan" in out
    assert out.count("ETSI.CAdES.detached") == 2
    assert "CN=Nguyễn Văn Minh" in out
    assert "Total document signed" in out  # the last signature covers the whole file


def test_pyhanko_validates_both_against_the_test_ca(signed, keys):
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from thidua.report.pdf_reader import IndexedPdfReader
    from thidua.report.verify import load_roots

    with signed["pdf"].open("rb") as f:
        reader = IndexedPdfReader(f)  # pyHanko's reader, reading object streams in linear time
        sigs = reader.embedded_regular_signatures
        assert [s.field_name for s in sigs] == ["nguoi-ky", "co-quan"]
        for sig in sigs:
            status = validate_pdf_signature(sig, ValidationContext(trust_roots=load_roots([keys["ca_pem"]]),
                                                                   allow_fetching=False))
            assert status.intact and status.valid and status.trusted, status.pretty_print_details()
            # the chain is embedded: the CA certificate travels in the CMS
            assert any(c.subject.native["common_name"] == "CA thử nghiệm thidua" for c in sig.other_embedded_certs)


def test_signing_is_incremental_and_keeps_pdfa_tags_and_attachments(signed, tmp_path):
    pdf = signed["pdf"]
    data = pdf.read_bytes()
    assert data.count(b"%%EOF") >= 3  # the rendered file plus one update per signature
    assert pdf_tools.check(pdf).returncode == 0
    info = pdf_tools.info(pdf)
    assert info["Tagged"] == "yes" and info["Form"] == "AcroForm" and info["Pages"] == "8"
    assert set(pdf_tools.attachments(pdf)) == {"dong-thap-2022.xlsx", "cau-hinh-cham-diem.json"}
    with pikepdf.open(pdf) as doc:
        xmp = doc.Root.Metadata.read_bytes().decode()
        assert re.search(r'pdfaid:part(="|>)3', xmp) and re.search(r'pdfaid:conformance(="|>)B', xmp)
        producer = re.search(r'pdf:Producer(?:="|>)([^"<]*)', xmp).group(1)
        assert str(doc.docinfo["/Producer"]) == producer  # Info and XMP agree, as PDF/A requires
        assert "/StructTreeRoot" in doc.Root and doc.Root.MarkInfo.Marked
        assert str(doc.Root.Lang) == "vi"
        assert "/OutputIntents" in doc.Root
    for row in pdf_tools.fonts(pdf):
        assert row["emb"] == "yes", row


def test_the_signed_revision_is_the_rendered_report_byte_for_byte(signed, keys, tmp_path, monkeypatch):
    # Render the same workbook unsigned: the first revision of the signed file is exactly those bytes.
    config = write_config(tmp_path, {"prepare_field": True})
    code, out, err = run_cli("--config", str(config), "run", "--dry-run", str(EXAMPLE))
    assert code == 0, out + err
    unsigned = (tmp_path / "output" / "dong-thap-2022.pdf").read_bytes()
    assert signed["pdf"].read_bytes().startswith(unsigned)


def test_visible_signature_and_seal_in_the_signature_block(signed, tmp_path):
    """The signature block's page as an image: ink where the field is (the blue signature, the red seal)."""
    with pikepdf.open(signed["pdf"]) as doc:
        fields = {str(f.T): (i, [float(v) for v in f.Rect]) for i, page in enumerate(doc.pages)
                  for f in page.get("/Annots", []) if f.get("/FT") == "/Sig"}
        height = float(doc.pages[fields["nguoi-ky"][0]].MediaBox[3])
    page, (x0, y0, x1, y1) = fields["nguoi-ky"]
    seal_page, seal = fields["co-quan"]
    assert seal_page == page
    assert seal[0] < x0 < seal[2] < x1  # the seal overlaps the left part of the signer's box
    assert 95 < seal[2] - seal[0] < 110  # 36 mm, the size the PNG's dpi says
    out = tmp_path / "trang"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page + 1), "-l", str(page + 1), str(signed["pdf"]),
                    str(out)], check=True)
    image = Image.open(next(tmp_path.glob("trang*.png"))).convert("RGB")
    scale = 60 / 72
    box = (int(x0 * scale), int((height - y1) * scale), int(x1 * scale), int((height - y0) * scale))
    colours = image.crop(box).getcolors(maxcolors=100000)
    blue = sum(n for n, (r, g, b) in colours if b > 120 and r < 110)
    red = sum(n for n, (r, g, b) in colours if r > 150 and g < 110 and b < 110)
    assert blue > 100 and red > 100, (blue, red)


def test_verify_says_who_when_intact_trusted(signed, keys):
    code, out, err = run_cli("--config", str(signed["config"]), "verify", str(signed["pdf"]))
    assert code == 0, out + err
    assert "Chữ ký 1 (người ký, ô \"nguoi-ky\"): Nguyễn Văn Minh" in out
    assert "Chữ ký 2 (cơ quan, ô \"co-quan\"): Sở Nội vụ tỉnh Đồng Tháp" in out
    assert re.search(r"Thời gian ký: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", out)
    assert out.count("Nội dung: còn nguyên vẹn từ khi ký") == 2
    assert out.count("Chuỗi chứng thư: tin cậy") == 2
    assert "Kết luận: mọi chữ ký số còn nguyên vẹn và được tin cậy." in out


def test_verify_without_the_root_says_intact_but_not_trusted(signed, keys, tmp_path):
    bare = write_config(tmp_path, {})
    code, out, _ = run_cli("--config", str(bare), "verify", str(signed["pdf"]))
    assert code == 1
    assert "nội dung còn nguyên vẹn nhưng chứng thư số không được tin cậy" in out
    code, out, _ = run_cli("--config", str(bare), "verify", str(signed["pdf"]), "--trust", str(keys["other_ca_pem"]))
    assert code == 1 and "không được tin cậy" in out
    code, out, _ = run_cli("--config", str(bare), "verify", str(signed["pdf"]), "--trust", str(keys["ca_pem"]))
    assert code == 0, out


def test_one_byte_changed_is_reported_as_modified(signed, keys, tmp_path):
    data = bytearray(signed["pdf"].read_bytes())
    at = data.index(b"/CreationDate")
    digit = data.index(b"20", at)
    data[digit] = ord("3")  # 2026 → 3026 inside the signed bytes; the file still parses
    changed = tmp_path / "da-sua.pdf"
    changed.write_bytes(bytes(data))
    code, out, _ = run_cli("--config", str(signed["config"]), "verify", str(changed))
    assert code == 1
    assert "Nội dung: ĐÃ BỊ THAY ĐỔI sau khi ký" in out
    assert "nội dung tệp đã bị thay đổi sau khi ký" in out
    assert "Digest Mismatch" in pdfsig(changed)


def test_content_added_after_signing_is_reported_as_modified(signed, keys, tmp_path):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    changed = tmp_path / "them-chu.pdf"
    with signed["pdf"].open("rb") as f:  # an update that leaves the signed bytes alone but draws on page 1
        writer = IncrementalPdfFileWriter(f)
        ink = generic.StreamObject(stream_data=b"q 1 0 0 rg 100 100 200 50 re f Q")
        writer.add_stream_to_page(0, writer.add_object(ink))
        with changed.open("wb") as out:
            writer.write(out)
    code, out, _ = run_cli("--config", str(signed["config"]), "verify", str(changed))
    assert code == 1, out
    assert "đã bị thay đổi sau khi ký" in out


def test_verify_a_damaged_signature_is_invalid(signed, tmp_path):
    data = bytearray(signed["pdf"].read_bytes())
    start = data.rindex(b"/Contents <") + len(b"/Contents <")
    hex_cms = bytes(data[start:data.index(b">", start)]).rstrip(b"0")  # the CMS, then zero padding
    at = start + len(hex_cms) - 100  # inside the RSA signature value, the last field of the SignerInfo
    data[at:at + 4] = b"abcd" if data[at:at + 4] != b"abcd" else b"1234"
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(bytes(data))
    code, out, _ = run_cli("--config", str(signed["config"]), "verify", str(broken))
    assert code == 1
    assert "Chữ ký 2 (Sở Nội vụ tỉnh Đồng Tháp): chữ ký không hợp lệ" in out


def test_verify_an_unsigned_pdf(tmp_path):
    config = write_config(tmp_path, {"prepare_field": False})
    code, out, err = run_cli("--config", str(config), "run", "--dry-run", str(EXAMPLE))
    assert code == 0, out + err
    code, out, _ = run_cli("--config", str(config), "verify", str(tmp_path / "output" / "dong-thap-2022.pdf"))
    assert code == 1 and "Tệp không có chữ ký số nào." in out


def test_ledger_records_certificate_subject_and_signing_time(signed):
    with Ledger(signed["folder"] / "output" / "thidua.sqlite3") as ledger:
        rows = ledger.signatures()
    assert [r["field"] for r in rows] == ["nguoi-ky", "co-quan"]
    assert rows[0]["subject"] == "CN=Nguyễn Văn Minh,O=Sở Nội vụ tỉnh Đồng Tháp,C=VN"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", rows[0]["signed_at"])
    assert rows[0]["level"] == "PAdES B-B"
    import hashlib

    assert rows[0]["report_sha256"] == hashlib.sha256(signed["pdf"].read_bytes()).hexdigest()


def test_wrong_password_says_so_exits_2_keeps_the_unsigned_copy_and_mails_nothing(keys, tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "không phải mật khẩu")
    monkeypatch.setenv(SMTP_PASSWORD_ENV, "mật khẩu thư")
    with SmtpServer(tmp_path) as server:
        email = {"enabled": True, "host": "127.0.0.1", "port": server.port, "username": "thidua",
                 "password_env": SMTP_PASSWORD_ENV, "ca_file": str(server.ca_file), "retries": 0,
                 "recipients": RECIPIENTS}
        config = write_config(tmp_path, {"pkcs12_path": str(keys["signer"]), "password_env": PASSWORD_ENV}, email)
        (tmp_path / "output").mkdir()
        (tmp_path / "output" / "dong-thap-2022.pdf").write_bytes(b"%PDF-1.7 an earlier report")
        code, out, err = run_cli("--config", str(config), "run", "--send", str(EXAMPLE))
        assert server.received == []
    assert code == 2, out + err
    assert "Chưa ký số được báo cáo, không gửi thư." in out
    assert "Sai mật khẩu của tệp khóa ký số \"nguoi-ky.p12\" (người ký)" in out
    assert f"biến môi trường {PASSWORD_ENV}" in out
    unsigned = tmp_path / "output" / "dong-thap-2022.chua-ky.pdf"
    assert unsigned.is_file() and "Báo cáo chưa ký: " in out
    assert not (tmp_path / "output" / "dong-thap-2022.pdf").exists()  # nothing there passes for this report
    assert "Traceback" not in out + err


def test_missing_password_and_expired_certificate(keys, tmp_path, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    config = write_config(tmp_path, {"pkcs12_path": str(keys["signer"]), "password_env": PASSWORD_ENV})
    code, out, _ = run_cli("--config", str(config), "run", "--dry-run", str(EXAMPLE))
    assert code == 2 and f"biến môi trường {PASSWORD_ENV} chưa được đặt" in out
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    config = write_config(tmp_path, {"pkcs12_path": str(keys["expired"]), "password_env": PASSWORD_ENV})
    code, out, _ = run_cli("--config", str(config), "run", "--dry-run", str(EXAMPLE))
    assert code == 2 and "Chứng thư số của người ký (Nguyễn Văn Minh) đã hết hạn từ ngày" in out
    config = write_config(tmp_path, {"pkcs12_path": str(tmp_path / "khong-co.p12"), "password_env": PASSWORD_ENV})
    code, out, _ = run_cli("--config", str(config), "run", "--dry-run", str(EXAMPLE))
    assert code == 2 and "Không tìm thấy tệp khóa ký số của người ký" in out


def test_timestamp_server_gives_pades_b_t(keys, tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with TimestampServer(keys["ca"]) as tsa:
        config = write_config(tmp_path, {"pkcs12_path": str(keys["signer"]), "password_env": PASSWORD_ENV,
                                         "tsa_url": tsa.url, "trust_roots": [str(keys["ca_pem"])]})
        code, out, err = run_cli("--config", str(config), "run", "--dry-run", str(EXAMPLE))
        assert tsa.requests >= 1
    assert code == 0, out + err
    assert "(PAdES B-T)" in out
    pdf = tmp_path / "output" / "dong-thap-2022.pdf"
    code, out, _ = run_cli("--config", str(config), "verify", str(pdf))
    assert code == 0, out
    assert re.search(r"Dấu thời gian: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", out)


def test_timestamp_server_down_fails_clearly(keys, tmp_path, monkeypatch):
    from tests.mailtools import free_port

    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    config = write_config(tmp_path, {"pkcs12_path": str(keys["signer"]), "password_env": PASSWORD_ENV,
                                     "tsa_url": f"http://127.0.0.1:{free_port()}/tsa"})
    code, out, _ = run_cli("--config", str(config), "run", "--dry-run", str(EXAMPLE))
    assert code == 2 and "Không lấy được dấu thời gian từ máy chủ http://127.0.0.1:" in out
