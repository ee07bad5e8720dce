"""Check a signed report: who signed and when, whether the signed bytes are unchanged, whether the chain is trusted.

Offline by design: the trust roots are the PEM files given (never the network, never the system store),
so the answer is the same on every machine and a hostile PDF cannot make thidua fetch anything.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thidua.base.errors import UsageError
from thidua.report.signature_fields import FIELD_AGENCY, FIELD_SIGNER
from thidua.report.signing_keys import (
    ROLE_AGENCY,
    ROLE_SIGNER,
    VIETNAM,
    certificate_name,
    issuer_text,
    subject_text,
)

ROLES = {FIELD_SIGNER: ROLE_SIGNER, FIELD_AGENCY: ROLE_AGENCY}
TRUST_HINT = "Chỉ ra chứng thư CA gốc bằng --trust CA.pem, hoặc signing.trust_roots trong config.toml."


@dataclass(frozen=True)
class SignatureCheck:
    """What one embedded signature says and whether it holds; `problem` is "" when it does."""

    field: str
    signer: str
    subject: str
    issuer: str
    signed_at: str  # the signing time the signer's machine claimed, ISO 8601 at +07:00
    timestamp: str  # the timestamp server's time (PAdES B-T), or ""
    intact: bool  # the signed bytes are exactly what was signed, nothing but signatures added since
    valid: bool  # the signature value matches the certificate
    trusted: bool  # the certificate chains up to a given root
    problem: str = ""

    @property
    def role(self) -> str:
        return ROLES.get(self.field, "")


@dataclass
class VerifyReport:
    """Every signature of one PDF; `problem` is the Vietnamese reason the file does not pass (or "")."""

    path: Path
    checks: list[SignatureCheck] = field(default_factory=list)
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def load_roots(paths: Iterable[Path]) -> list[Any]:
    """Trusted root certificates from PEM (or DER) files; a missing or unreadable file is a UsageError."""
    from asn1crypto import pem, x509

    roots: list[Any] = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError:
            raise UsageError(f"Không đọc được tệp chứng thư CA \"{path}\".",
                             hint="Kiểm tra đường dẫn sau --trust hoặc trong signing.trust_roots.") from None
        try:
            blobs = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
            roots.extend(x509.Certificate.load(der) for der in blobs)
            for cert in roots:
                cert.native  # noqa: B018 - parse now: a broken file fails here, not inside validation
        except (ValueError, TypeError):
            raise UsageError(f"Tệp \"{path}\" không phải chứng thư số (PEM hoặc DER).") from None
    return roots


def _iso(moment: dt.datetime | None) -> str:
    return moment.astimezone(VIETNAM).replace(microsecond=0).isoformat() if moment else ""


def _problem(check: SignatureCheck, number: int, roots: bool) -> str:
    who = f"Chữ ký {number} ({check.signer})"
    if not check.intact:
        return f"{who}: nội dung tệp đã bị thay đổi sau khi ký."
    if not check.valid:
        return f"{who}: chữ ký không hợp lệ (không khớp với chứng thư số của người ký)."
    if not check.trusted:
        where = "các CA gốc đã chỉ ra" if roots else "CA gốc nào được chỉ ra"
        return f"{who}: nội dung còn nguyên vẹn nhưng chứng thư số không được tin cậy (không dẫn tới {where})."
    return ""


def verify_pdf(path: Path, roots: list[Any]) -> VerifyReport:
    """Validate every signature of `path` against `roots`; never touches the network."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    report = VerifyReport(Path(path))
    try:
        from thidua.report.pdf_reader import IndexedPdfReader

        reader = IndexedPdfReader(io.BytesIO(Path(path).read_bytes()), strict=False)
        signatures = list(reader.embedded_regular_signatures)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        report.problem = f"Không đọc được tệp PDF (tệp hỏng hoặc không phải PDF): {type(exc).__name__}."
        return report
    if not signatures:
        report.problem = "Tệp không có chữ ký số nào."
        return report
    for number, embedded in enumerate(signatures, start=1):
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        try:
            status = validate_pdf_signature(embedded, context)
        except Exception as exc:  # a damaged signature container: pyHanko raises many kinds
            cert = None
            intact = valid = trusted = False
            signed_at = stamp = ""
            detail = f" ({type(exc).__name__})"
        else:
            cert, detail = status.signing_cert, ""
            intact = bool(status.intact and status.docmdp_ok is not False and _covers(status))
            valid, trusted = bool(status.valid), bool(status.trusted)
            signed_at = _iso(status.signer_reported_dt)
            stamp = _iso(status.timestamp_validity.timestamp) if status.timestamp_validity else ""
        check = SignatureCheck(
            field=str(embedded.field_name), signer=certificate_name(cert) if cert else "không rõ",
            subject=subject_text(cert) if cert else "", issuer=issuer_text(cert) if cert else "",
            signed_at=signed_at, timestamp=stamp, intact=intact, valid=valid, trusted=trusted)
        problem = _problem(check, number, bool(roots))
        check = SignatureCheck(**{**check.__dict__, "problem": problem + detail if problem else ""})
        report.checks.append(check)
    report.problem = " ".join(c.problem for c in report.checks if c.problem)
    return report


def _covers(status: Any) -> bool:
    """The signature covers its whole revision, and what came after is at most filling in form fields
    (a later signature); anything else (new content, changed pages) means the document was modified."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel

    if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        return False
    level = status.modification_level
    return level is None or level <= ModificationLevel.FORM_FILLING
