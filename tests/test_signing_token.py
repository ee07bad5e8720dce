"""Signing with a PKCS#11 token (SoftHSM2 standing in for a CA's USB token), its failures in Vietnamese,
and the [signing] settings refused with a clear sentence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.signing_tools import PIN, PIN_ENV, SigningCA, softhsm_lib
from tests.test_signing import EXAMPLE, pdfsig, run_cli, write_config
from thidua.base.config import build_config
from thidua.base.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "token-thu"

needs_softhsm = pytest.mark.skipif(softhsm_lib() is None, reason="SoftHSM2 not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    """A token made in a child process (SoftHSM reads its configuration once per process): key, certificate
    and CA certificate; this process then only talks to it through thidua."""
    folder = tmp_path_factory.mktemp("softhsm")
    script = f"""
import sys; sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from tests.signing_tools import SigningCA, softhsm_token
ca = SigningCA()
softhsm_token(Path({str(folder)!r}), ca.issue("Trần Văn Token", "Sở Nội vụ tỉnh Đồng Tháp"), ca, label={TOKEN!r})
ca.write_pem(Path({str(folder)!r}) / "ca.pem")
"""
    subprocess.run([sys.executable, "-c", script], check=True)
    mp = pytest.MonkeyPatch()
    mp.setenv("SOFTHSM2_CONF", str(folder / "softhsm2.conf"))
    yield {"lib": softhsm_lib(), "ca_pem": folder / "ca.pem"}
    mp.undo()


@needs_softhsm
def test_token_signs_the_example(token, tmp_path, monkeypatch):
    monkeypatch.setenv(PIN_ENV, PIN)
    config = write_config(tmp_path, {"pkcs11_lib": token["lib"], "token_label": TOKEN, "pin_env": PIN_ENV,
                                     "trust_roots": [str(token["ca_pem"])]})
    code, out, err = run_cli("--config", str(config), "run", "--dry-run", str(EXAMPLE))
    assert code == 0, out + err
    assert "Đã ký số (người ký): Trần Văn Token" in out
    pdf = tmp_path / "output" / "dong-thap-2022.pdf"
    assert "Signature is Valid." in pdfsig(pdf)
    code, out, _ = run_cli("--config", str(config), "verify", str(pdf))
    assert code == 0, out


@needs_softhsm
def test_wrong_pin_absent_token_and_missing_library(token, tmp_path, monkeypatch):
    monkeypatch.setenv(PIN_ENV, "000000")
    config = write_config(tmp_path, {"pkcs11_lib": token["lib"], "token_label": TOKEN, "pin_env": PIN_ENV})
    code, out, _ = run_cli("--config", str(config), "run", "--dry-run", str(EXAMPLE))
    assert code == 2 and f"Sai mã PIN của USB token \"{TOKEN}\"." in out
    assert (tmp_path / "output" / "dong-thap-2022.chua-ky.pdf").is_file()
    monkeypatch.setenv(PIN_ENV, PIN)
    config = write_config(tmp_path, {"pkcs11_lib": token["lib"], "token_label": "token-khac", "pin_env": PIN_ENV})
    code, out, _ = run_cli("--config", str(config), "run", "--dry-run", str(EXAMPLE))
    assert code == 2 and "Không thấy USB token \"token-khac\" nào đang cắm vào máy." in out
    assert "Cắm USB token ký số của người ký rồi chạy lại." in out
    config = write_config(tmp_path, {"pkcs11_lib": token["lib"], "token_label": TOKEN, "key_label": "khong-co",
                                     "pin_env": PIN_ENV})
    code, out, _ = run_cli("--config", str(config), "run", "--dry-run", str(EXAMPLE))
    assert code == 2 and "Không tìm thấy khóa ký số có nhãn \"khong-co\"" in out
    config = write_config(tmp_path, {"pkcs11_lib": str(tmp_path / "khong-co.so"), "pin_env": PIN_ENV})
    code, out, _ = run_cli("--config", str(config), "run", "--dry-run", str(EXAMPLE))
    assert code == 2 and "Không tìm thấy thư viện PKCS#11" in out


@pytest.mark.parametrize(("signing", "message"), [
    ({"pkcs12_path": "a.p12", "pkcs11_lib": "b.so"}, "chỉ chọn một cách ký"),
    ({"token_label": "x"}, "\"token_label\" là thông tin của USB token, cần đặt cả \"pkcs11_lib\""),
    ({"agency_pkcs12_path": "c.p12"}, "chữ ký số của cơ quan (\"agency_pkcs12_path\") được ký sau"),
    ({"password_env": "mật khẩu 123"}, "phải là TÊN một biến môi trường"),
    ({"tsa_url": "ftp://tsa.example"}, "phải là địa chỉ http:// hoặc https:// của máy chủ dấu thời gian"),
    ({"signature_image": "chu-ky.jpg"}, "phải là đường dẫn một ảnh .png"),
    ({"trust_roots": ["ca.pem", ""]}, "phải là danh sách đường dẫn tệp chứng thư CA"),
    ({"prepare_field": "có"}, "\"signing.prepare_field\" phải là true/false"),
])
def test_bad_signing_settings_are_refused_in_vietnamese(signing, message):
    with pytest.raises(ConfigError) as caught:
        build_config({"signing": signing}, ROOT)
    assert message in caught.value.message


def test_unsigned_report_is_not_mailed_by_send_when_signing_is_configured(tmp_path, monkeypatch):
    ca = SigningCA()
    p12 = ca.write_pkcs12(ca.issue("Nguyễn Văn Minh"), tmp_path / "ky.p12")
    plain = write_config(tmp_path, {"prepare_field": True})
    code, out, err = run_cli("--config", str(plain), "run", "--dry-run", str(EXAMPLE))
    assert code == 0, out + err
    config = write_config(tmp_path, {"pkcs12_path": str(p12)})
    code, out, err = run_cli("--config", str(config), "send", str(tmp_path / "output" / "dong-thap-2022.pdf"))
    assert code == 2
    assert "chưa được ký số" in err
