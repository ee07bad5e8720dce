"""Signing made ready while the report is laid out: a key file loaded ahead is used once and only while the
file is unchanged; its mistakes are still said when signing; a cold signed run through the helper verifies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.signing_tools import PASSWORD, PASSWORD_ENV, SigningCA, signature_png
from thidua.base.errors import SigningError
from thidua.report import layout_process, signing_keys
from thidua.report.signing_keys import KeySource

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"


@pytest.fixture(scope="module")
def ca():
    return SigningCA()


@pytest.fixture
def key_file(ca, tmp_path):
    return ca.write_pkcs12(ca.issue("Nguyễn Văn Minh", "Sở Nội vụ tỉnh Đồng Tháp"), tmp_path / "ky.p12")


@pytest.fixture(autouse=True)
def nothing_ahead():
    signing_keys._ahead.clear()
    yield
    signing_keys._ahead.clear()


def _source(path: Path) -> KeySource:
    return KeySource("người ký", PASSWORD_ENV, pkcs12=path)


def test_a_key_loaded_ahead_is_taken_once(key_file, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    source = _source(key_file)
    signing_keys.load_ahead(source)
    ahead = next(iter(signing_keys._ahead.values()))
    assert signing_keys._pkcs12_signer(source) is ahead
    assert signing_keys._ahead == {}  # not kept for later reports
    again = signing_keys._pkcs12_signer(source)
    assert again is not ahead and again.signing_cert.dump() == ahead.signing_cert.dump()


def test_a_key_file_replaced_after_loading_ahead_is_read_again(ca, key_file, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    source = _source(key_file)
    signing_keys.load_ahead(source)
    old = next(iter(signing_keys._ahead.values()))
    ca.write_pkcs12(ca.issue("Trần Thị Lan", "Sở Nội vụ tỉnh Đồng Tháp"), key_file)  # the officer's new key
    os.utime(key_file, ns=(key_file.stat().st_atime_ns, key_file.stat().st_mtime_ns + 1_000_000_000))
    used = signing_keys._pkcs12_signer(source)
    assert used is not old
    assert signing_keys.certificate_name(used.signing_cert) == "Trần Thị Lan"


@pytest.mark.parametrize(("password", "message"), [
    (None, "Chưa có mật khẩu của tệp khóa ký số \"ky.p12\" (người ký)"),
    ("không phải mật khẩu", "Sai mật khẩu của tệp khóa ký số \"ky.p12\" (người ký)"),
])
def test_a_key_that_cannot_be_loaded_ahead_is_reported_when_signing(key_file, monkeypatch, password, message):
    if password is None:
        monkeypatch.delenv(PASSWORD_ENV, raising=False)
    else:
        monkeypatch.setenv(PASSWORD_ENV, password)
    source = _source(key_file)
    signing_keys.load_ahead(source)  # silent: it is only a head start
    assert signing_keys._ahead == {}
    with pytest.raises(SigningError) as caught:
        signing_keys._pkcs12_signer(source)
    assert message in caught.value.message


def test_not_a_key_file_at_all_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    fake = tmp_path / "ky.p12"
    fake.write_bytes(b"PK\x03\x04 not a PKCS#12 file")
    with pytest.raises(SigningError) as caught:
        signing_keys._pkcs12_signer(_source(fake))
    assert "không phải tệp PKCS#12" in caught.value.message


def test_a_cold_signed_run_lays_out_in_the_helper_and_the_signature_verifies(key_file, tmp_path):
    if layout_process._cores() < 2:
        pytest.skip("one core: no helper")
    image = signature_png(tmp_path / "chu-ky.png")
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('templates_dir = "templates"', f'templates_dir = "{ROOT / "templates"}"')
    head, _, tail = text.partition("[signing]\n")
    tail = (f'pkcs12_path = "{key_file}"\npassword_env = "{PASSWORD_ENV}"\nsignature_image = "{image}"\n'
            + "\n".join(line for line in tail.splitlines()
                        if not line.startswith(("pkcs12_path =", "password_env =", "signature_image ="))) + "\n")
    (tmp_path / "config.toml").write_text(head + "[signing]\n" + tail, encoding="utf-8")
    env = {**os.environ, PASSWORD_ENV: PASSWORD}
    done = subprocess.run([sys.executable, str(ROOT / "generate_report.py"), "--config", str(tmp_path / "config.toml"),
                           "run", "--dry-run", str(EXAMPLE)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    signed = tmp_path / "output" / "dong-thap-2022.pdf"
    assert not (tmp_path / "output" / "dong-thap-2022.chua-ky.pdf").exists()
    pdfsig = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True, timeout=60)
    assert "Signer Certificate Common Name: Nguyễn Văn Minh" in pdfsig.stdout, pdfsig.stdout
    assert "Signature Validation: Signature is Valid." in pdfsig.stdout, pdfsig.stdout
