"""Test keys made here with `cryptography`: a CA, signer certificates (valid, expired), PKCS#12 files, PNGs,
a timestamp server on loopback, and a SoftHSM2 token holding a key, for the signing tests."""

from __future__ import annotations

import datetime as dt
import http.server
import math
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PASSWORD = "mật khẩu ký số"
PASSWORD_ENV = "THIDUA_TEST_SIGNING_PASSWORD"
AGENCY_PASSWORD_ENV = "THIDUA_TEST_AGENCY_PASSWORD"
PIN = "123456"
PIN_ENV = "THIDUA_TEST_TOKEN_PIN"
SOFTHSM_LIBS = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
NOW = dt.datetime.now(dt.UTC)


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


_USAGE = dict(content_commitment=True, key_encipherment=False, data_encipherment=False, key_agreement=False,
              key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False)


@dataclass
class Issued:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate


class SigningCA:
    """A root CA that issues signer, agency and timestamping certificates."""

    def __init__(self, name: str = "CA thử nghiệm thidua") -> None:
        self.key = _key()
        subject = _name(name)
        self.cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(NOW - dt.timedelta(days=30)).not_valid_after(NOW + dt.timedelta(days=3650))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(x509.KeyUsage(digital_signature=True, **{**_USAGE, "content_commitment": False,
                                                  "key_cert_sign": True, "crl_sign": True}), critical=True)
                     .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
                     .sign(self.key, hashes.SHA256()))

    def issue(self, cn: str, org: str | None = None, *, days_valid: tuple[int, int] = (-1, 365),
              timestamping: bool = False) -> Issued:
        key = _key()
        builder = (x509.CertificateBuilder().subject_name(_name(cn, org)).issuer_name(self.cert.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(NOW + dt.timedelta(days=days_valid[0]))
                   .not_valid_after(NOW + dt.timedelta(days=days_valid[1]))
                   .add_extension(x509.KeyUsage(digital_signature=True, **_USAGE), critical=True)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                                  critical=False))
        if timestamping:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        return Issued(key, builder.sign(self.key, hashes.SHA256()))

    def write_pem(self, path: Path) -> Path:
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path

    def write_pkcs12(self, issued: Issued, path: Path, password: str = PASSWORD) -> Path:
        path.write_bytes(pkcs12.serialize_key_and_certificates(
            b"ky-so", issued.key, issued.cert, [self.cert],
            serialization.BestAvailableEncryption(password.encode())))
        return path


def signature_png(path: Path) -> Path:
    """A blue handwritten-looking signature on a transparent background, 50 mm wide at 300 dpi."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 220), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(40 + t * 5, 120 + 50 * math.sin(t / 6.0) * math.cos(t / 17.0)) for t in range(104)]
    draw.line(points, fill=(20, 40, 160, 255), width=7, joint="curve")
    draw.line([(60, 170), (540, 150)], fill=(20, 40, 160, 255), width=5)
    image.save(path, dpi=(300, 300))
    return path


def seal_png(path: Path, dpi: int = 300) -> Path:
    """A red round seal on a transparent background: 425 px, 36 mm at 300 dpi."""
    from PIL import Image, ImageDraw

    n = 425
    image = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 20, 20, 230)
    draw.ellipse([6, 6, n - 6, n - 6], outline=red, width=12)
    draw.ellipse([40, 40, n - 40, n - 40], outline=red, width=5)
    draw.regular_polygon((n / 2, n / 2, 40), 5, fill=red)
    image.save(path, dpi=(dpi, dpi))
    return path


class TimestampServer:
    """An RFC 3161 timestamp authority over HTTP on 127.0.0.1, answering with pyHanko's in-process TSA."""

    def __init__(self, ca: SigningCA) -> None:
        from asn1crypto import keys, tsp
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.timestamps import DummyTimeStamper

        issued = ca.issue("Máy chủ dấu thời gian thử", timestamping=True)
        der_key = issued.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())
        stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(issued.cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=keys.PrivateKeyInfo.load(der_key),
            certs_to_embed=[asn1_x509.Certificate.load(ca.cert.public_bytes(serialization.Encoding.DER))])
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/tsa"

    def __enter__(self) -> TimestampServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def softhsm_lib() -> str | None:
    return next((lib for lib in SOFTHSM_LIBS if Path(lib).is_file()), None)


def softhsm_token(folder: Path, issued: Issued, ca: SigningCA, label: str = "token-thu",
                  key_label: str = "chu-ky") -> str:
    """A SoftHSM2 token in `folder` with the signer's key and certificate (same ID) and the CA certificate;
    sets SOFTHSM2_CONF for this process. Returns the PKCS#11 library path."""
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    lib = softhsm_lib()
    assert lib is not None and shutil.which("softhsm2-util")
    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", "654321",
                    "--pin", PIN], check=True, capture_output=True)
    pem_key = issued.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    (folder / "key.pem").write_bytes(pem_key)
    subprocess.run(["softhsm2-util", "--import", str(folder / "key.pem"), "--token", label, "--label", key_label,
                    "--id", "01", "--pin", PIN], check=True, capture_output=True)
    token = pkcs11.lib(lib).get_token(token_label=label)
    with token.open(user_pin=PIN, rw=True) as session:
        for cert, cert_label, cert_id in ((issued.cert, key_label, b"\x01"), (ca.cert, "ca", b"\x02")):
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True, Attribute.LABEL: cert_label, Attribute.ID: cert_id,
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER)})
    return lib
