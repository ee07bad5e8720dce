"""The keys [signing] names: a PKCS#12 file or a PKCS#11 USB token; every way they fail is one Vietnamese sentence.

pyHanko and python-pkcs11 are imported only when a key is opened: a run without signing never pays for them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thidua.base import vnformat
from thidua.base.config import Config
from thidua.base.errors import SigningError

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

log = logging.getLogger(__name__)

VIETNAM = dt.timezone(dt.timedelta(hours=7), "+07:00")  # no daylight saving: one offset all year
ROLE_SIGNER = "người ký"
ROLE_AGENCY = "cơ quan"
FIX_CERT_HINT = "Gia hạn hoặc xin cấp lại chứng thư số tại tổ chức cung cấp dịch vụ chứng thực chữ ký số."


@dataclass(frozen=True)
class KeySource:
    """Where one signature's key lives; `secret_env` names the variable holding the password or PIN."""

    role: str
    secret_env: str
    pkcs12: Path | None = None
    pkcs11_lib: str = ""
    token_label: str = ""
    key_label: str = ""

    def secret(self) -> str | None:
        """The password or PIN from the environment; None when the variable is not set."""
        return os.environ.get(self.secret_env) if self.secret_env else None


def signer_source(config: Config) -> KeySource | None:
    """The key of the person with authority, or None when [signing] names no key."""
    if config["signing.pkcs12_path"]:
        return KeySource(ROLE_SIGNER, config["signing.password_env"], pkcs12=config.path("signing.pkcs12_path"))
    if config["signing.pkcs11_lib"]:
        return KeySource(ROLE_SIGNER, config["signing.pin_env"], pkcs11_lib=config["signing.pkcs11_lib"],
                         token_label=config["signing.token_label"], key_label=config["signing.key_label"])
    return None


def agency_source(config: Config) -> KeySource | None:
    """The agency's key (signed after the person), or None."""
    if config["signing.agency_pkcs12_path"]:
        return KeySource(ROLE_AGENCY, config["signing.agency_password_env"],
                         pkcs12=config.path("signing.agency_pkcs12_path"))
    return None


def signing_configured(config: Config) -> bool:
    """True when the report is signed here (the mailed PDF must then be the signed one)."""
    return signer_source(config) is not None


def _import_signing_libraries() -> None:
    import pyhanko.pdf_utils.incremental_writer
    import pyhanko.sign.signers
    import pyhanko.stamp  # noqa: F401
    from cryptography.hazmat.primitives.serialization import pkcs12  # noqa: F401


def warm_up() -> None:
    """Import pyHanko in a background thread while the report is laid out (much of WeasyPrint's time is
    spent in Pango and HarfBuzz, outside the GIL): a cold run then pays less for signing."""
    threading.Thread(target=_import_signing_libraries, name="thidua-ky-so", daemon=True).start()


@contextlib.contextmanager
def open_signer(source: KeySource, now: dt.datetime) -> Iterator[Signer]:
    """A pyHanko signer for `source`, checked to be valid at `now`; a token session is closed afterwards."""
    with contextlib.ExitStack() as stack:
        signer = _pkcs12_signer(source) if source.pkcs12 is not None else _pkcs11_signer(source, stack)
        check_validity(signer.signing_cert, source.role, now)
        yield signer


def certificate_name(cert: Any) -> str:
    """The certificate's common name (the person or the agency), else its whole subject."""
    attrs = cert.subject.native
    return str(attrs.get("common_name") or cert.subject.human_friendly)


def subject_text(cert: Any) -> str:
    """The certificate subject in the standard notation (RFC 4514): "CN=…,O=…,C=VN"."""
    from cryptography import x509

    return x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()


def issuer_text(cert: Any) -> str:
    from cryptography import x509

    return x509.load_der_x509_certificate(cert.dump()).issuer.rfc4514_string()


def check_validity(cert: Any, role: str, now: dt.datetime) -> None:
    """Refuse to sign with a certificate that has expired or is not valid yet."""
    start, end = cert["tbs_certificate"]["validity"]["not_before"].native, \
        cert["tbs_certificate"]["validity"]["not_after"].native
    who = certificate_name(cert)
    if now > end:
        raise SigningError(f"Chứng thư số của {role} ({who}) đã hết hạn từ ngày "
                           f"{vnformat.short_date(end.astimezone(now.tzinfo).date())}; không ký được báo cáo.",
                           hint=FIX_CERT_HINT)
    if now < start:
        raise SigningError(f"Chứng thư số của {role} ({who}) chưa có hiệu lực (từ ngày "
                           f"{vnformat.short_date(start.astimezone(now.tzinfo).date())}); không ký được báo cáo.",
                           hint="Kiểm tra lại ngày giờ của máy tính, hoặc chờ đến ngày chứng thư có hiệu lực.")


_ahead: dict[tuple[Path, int, int], Signer] = {}  # a key file loaded ahead (load_ahead), for one use
_ahead_lock = threading.Lock()


def load_ahead(source: KeySource) -> None:
    """Load a PKCS#12 key file now (its key derivation is the slow part) while the report is laid out in the
    helper process; the next signing with the same, unchanged file takes it. Errors wait for that signing."""
    if source.pkcs12 is None:
        return
    try:
        signer = _load_pkcs12(source)
        key = _file_key(source.pkcs12)
    except (SigningError, OSError):
        return
    with _ahead_lock:
        _ahead[key] = signer


def _file_key(path: Path) -> tuple[Path, int, int]:
    st = path.stat()
    return (path.resolve(), st.st_mtime_ns, st.st_size)


def _pkcs12_signer(source: KeySource) -> Signer:
    assert source.pkcs12 is not None
    with contextlib.suppress(OSError), _ahead_lock:
        found = _ahead.pop(_file_key(source.pkcs12), None)
        if found is not None:
            return found
    return _load_pkcs12(source)


def _load_pkcs12(source: KeySource) -> Signer:
    from pyhanko.sign.signers import SimpleSigner

    assert source.pkcs12 is not None
    path = source.pkcs12
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningError(f"Không tìm thấy tệp khóa ký số của {source.role} \"{path}\".",
                           hint="Kiểm tra đường dẫn trong mục [signing] của config.toml.") from None
    except OSError as exc:
        raise SigningError(f"Không đọc được tệp khóa ký số của {source.role} \"{path}\": {exc.strerror}.") from exc
    password = source.secret()
    try:  # one key derivation: pyHanko's loader says a wrong password as a ValueError caused by cryptography's
        signer = SimpleSigner.load_pkcs12_data(data, (), passphrase=password.encode() if password else None)
    except ValueError as exc:
        if exc.__cause__ is None and "PKCS#12" not in str(exc):
            raise
        if password is None:
            raise SigningError(f"Chưa có mật khẩu của tệp khóa ký số \"{path.name}\" ({source.role}): biến môi "
                               f"trường {source.secret_env} chưa được đặt.",
                               hint=f"Đặt mật khẩu vào biến môi trường, ví dụ: export {source.secret_env}='…'") from None
        raise SigningError(f"Sai mật khẩu của tệp khóa ký số \"{path.name}\" ({source.role}), hoặc tệp không phải "
                           "tệp PKCS#12 (.p12, .pfx).",
                           hint=f"Kiểm tra mật khẩu trong biến môi trường {source.secret_env}.") from None
    if signer.signing_cert is None:
        raise SigningError(f"Tệp khóa ký số \"{path.name}\" ({source.role}) không chứa chứng thư số.")
    return signer


def _pkcs11_signer(source: KeySource, stack: contextlib.ExitStack) -> Signer:
    """Open the token, log in with the PIN and find the one signing key (by label, or the only one)."""
    try:
        import pkcs11
        from pkcs11 import Attribute, ObjectClass
        from pyhanko.sign.pkcs11 import PKCS11Signer
    except ImportError as exc:  # python-pkcs11 is a binary wheel; some platforms may lack it
        raise SigningError("Máy này chưa cài thư viện python-pkcs11 để dùng USB token ký số.",
                           hint="Cài lại chương trình theo requirements.txt, hoặc ký bằng tệp .p12 (pkcs12_path).") from exc
    where = f"USB token \"{source.token_label}\"" if source.token_label else "USB token"
    if not Path(source.pkcs11_lib).is_file():
        raise SigningError(f"Không tìm thấy thư viện PKCS#11 \"{source.pkcs11_lib}\" của {where}.",
                           hint="Cài phần mềm đi kèm USB token của tổ chức chứng thực, rồi sửa signing.pkcs11_lib.")
    try:
        library = pkcs11.lib(source.pkcs11_lib)
        tokens = list(library.get_tokens(token_label=source.token_label or None))
    except pkcs11.PKCS11Error as exc:
        raise SigningError(f"Không đọc được {where} qua thư viện \"{source.pkcs11_lib}\" "
                           f"({type(exc).__name__}).", hint="Rút ra cắm lại token rồi chạy lại.") from exc
    if not tokens:
        raise SigningError(f"Không thấy {where} nào đang cắm vào máy.",
                           hint="Cắm USB token ký số của người ký rồi chạy lại.")
    if len(tokens) > 1:
        labels = ", ".join(t.label for t in tokens)
        raise SigningError(f"Có {len(tokens)} USB token đang cắm ({labels}); chưa biết dùng token nào.",
                           hint="Đặt signing.token_label trong config.toml.")
    pin = source.secret()
    if not pin:
        raise SigningError(f"Chưa có mã PIN của {where}: biến môi trường {source.secret_env} chưa được đặt.",
                           hint=f"Đặt mã PIN vào biến môi trường, ví dụ: export {source.secret_env}='…'")
    try:
        session = tokens[0].open(user_pin=pin)
    except (pkcs11.PinIncorrect, pkcs11.PinLenRange):
        raise SigningError(f"Sai mã PIN của {where}.",
                           hint=f"Kiểm tra mã PIN trong biến môi trường {source.secret_env}; nhập sai nhiều lần "
                                "token sẽ bị khóa.") from None
    except pkcs11.PinLocked:
        raise SigningError(f"{where} đã bị khóa vì nhập sai mã PIN quá số lần cho phép.",
                           hint="Liên hệ tổ chức cung cấp dịch vụ chứng thực để mở khóa token.") from None
    except pkcs11.PKCS11Error as exc:
        raise SigningError(f"Không mở được {where} ({type(exc).__name__}).",
                           hint="Rút ra cắm lại token rồi chạy lại.") from exc
    stack.callback(session.close)
    query: dict[Any, Any] = {Attribute.CLASS: ObjectClass.PRIVATE_KEY}
    if source.key_label:
        query[Attribute.LABEL] = source.key_label
    keys = list(session.get_objects(query))
    if not keys:
        named = f" có nhãn \"{source.key_label}\"" if source.key_label else ""
        raise SigningError(f"Không tìm thấy khóa ký số{named} trên {where}.",
                           hint="Kiểm tra signing.key_label (hoặc để trống nếu token chỉ có một khóa).")
    if len(keys) > 1:
        labels = ", ".join(str(k[Attribute.LABEL]) for k in keys)
        raise SigningError(f"{where} có {len(keys)} khóa ký số ({labels}); chưa biết dùng khóa nào.",
                           hint="Đặt signing.key_label trong config.toml.")
    key_id = keys[0][Attribute.ID] or None
    label = None if key_id else str(keys[0][Attribute.LABEL])
    signer = PKCS11Signer(session, key_id=key_id, cert_id=key_id, key_label=label, cert_label=label,
                          other_certs_to_pull=None)  # every certificate on the token: the chain is embedded
    try:
        signer.signing_cert  # noqa: B018 - loads the certificate and key handle now, inside the session
    except pkcs11.PKCS11Error as exc:
        raise SigningError(f"{where} không có chứng thư số đi kèm khóa ký \"{keys[0][Attribute.LABEL]}\".",
                           hint="Token cần chứa chứng thư số của người ký (cùng ID với khóa).") from exc
    return signer
