"""Hand messages to an SMTP server: verified TLS, login, a deadline per step, retries with exponential backoff."""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from thidua.base.config import Config
from thidua.base.errors import LedgerError
from thidua.base.ledger import DELIVERY_PENDING, DELIVERY_REJECTED, DELIVERY_SENT
from thidua.delivery.bounded_smtp import BoundedSMTP, BoundedSMTPSSL

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    """The [email] connection settings, with the password already read from the environment."""

    host: str
    port: int
    security: str  # starttls | ssl | none
    username: str
    password: str
    password_env: str
    timeout: float
    retries: int
    backoff: float
    ca_file: str

    @classmethod
    def from_config(cls, config: Config) -> SmtpSettings:
        ca = config["email.ca_file"]
        return cls(
            host=config["email.host"], port=int(config["email.port"]), security=config["email.security"],
            username=config["email.username"], password=config.smtp_password(),
            password_env=config["email.password_env"], timeout=float(config["email.timeout"]),
            retries=int(config["email.retries"]), backoff=float(config["email.retry_backoff"]),
            ca_file=str(config.path("email.ca_file")) if ca else "",
        )


@dataclass
class Envelope:
    """One message to one address; the SMTP envelope never comes from the headers."""

    sender: str
    recipient: str
    message: EmailMessage
    status: str = DELIVERY_PENDING
    error: str = ""
    in_doubt: bool = False  # its content reached the server but the final reply did not reach us


class _Fatal(Exception):
    """A failure retrying cannot fix (bad login, bad certificate, no STARTTLS): stop at once."""


def tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    """Certificate and host name are always verified; `ca_file` adds a private CA (and tests' CA)."""
    return ssl.create_default_context(cafile=settings.ca_file or None)


def describe(exc: BaseException, settings: SmtpSettings) -> str:
    """A short Vietnamese reason for the person, kept in the ledger as `last_error`."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"chứng chỉ của máy chủ SMTP {where} không hợp lệ ({exc.verify_message})"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (f"máy chủ SMTP từ chối đăng nhập của \"{settings.username}\" (kiểm tra mật khẩu trong biến môi "
                f"trường {settings.password_env})")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"máy chủ SMTP {where} không hỗ trợ: {exc}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (0, b""))
        return f"máy chủ từ chối địa chỉ: {code} {_text(text)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"máy chủ SMTP trả lời {exc.smtp_code} {_text(exc.smtp_error)}"
    if any(isinstance(link, TimeoutError) for link in _chain(exc)):
        return f"hết thời gian chờ máy chủ SMTP {where} (quá {settings.timeout:g} giây cho một bước)"
    if isinstance(exc, ConnectionRefusedError):
        return f"không kết nối được máy chủ SMTP {where} (bị từ chối kết nối)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"máy chủ SMTP {where} ngắt kết nối"
    if isinstance(exc, ssl.SSLError):
        return f"lỗi TLS với máy chủ SMTP {where}: {exc.reason or exc}"
    if isinstance(exc, OSError):
        return f"không kết nối được máy chủ SMTP {where} ({exc.strerror or exc})"
    return f"{type(exc).__name__}: {exc}"


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and what it was raised from or while handling (smtplib rewraps a timeout as a disconnection)."""
    links: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in links:
        links.append(current)
        current = current.__cause__ or current.__context__
    return links


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _connect(settings: SmtpSettings) -> BoundedSMTP | BoundedSMTPSSL:
    """Open a session: TLS first (implicit or STARTTLS, never a silent fallback), then login.

    Each step (connecting and the greeting, every command and its reply) must end within email.timeout.
    """
    if settings.username and not settings.password:  # fail before the server is even contacted
        raise _Fatal(f"chưa có mật khẩu SMTP: biến môi trường {settings.password_env or '(email.password_env)'} "
                     f"chưa được đặt (ví dụ: export {settings.password_env or 'THIDUA_SMTP_PASSWORD'}='…')")
    context = tls_context(settings)
    smtp: BoundedSMTP | BoundedSMTPSSL
    if settings.security == "ssl":
        smtp = BoundedSMTPSSL(timeout=settings.timeout, context=context)
    else:
        smtp = BoundedSMTP(timeout=settings.timeout)
    smtp.step_seconds = settings.timeout
    try:
        smtp.connect(settings.host, settings.port)
        smtp.ehlo()
        if settings.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise _Fatal(f"máy chủ SMTP {settings.host}:{settings.port} không hỗ trợ STARTTLS")
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.username:
            if settings.security == "none":
                raise _Fatal("không đăng nhập SMTP qua kết nối không mã hóa (security = \"none\"); "
                             "dùng starttls hoặc ssl, hoặc để trống username")
            _login(smtp, settings.username, settings.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH PLAIN in UTF-8 when offered (RFC 4616: Vietnamese passwords work; one clear 535 on failure),
    else smtplib's own mechanisms, which only take ASCII credentials."""
    mechanisms = smtp.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" in mechanisms:
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
        code, resp = smtp.docmd("AUTH", "PLAIN " + token)
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, resp)
    elif (user + password).isascii():
        smtp.login(user, password)
    else:
        raise _Fatal("máy chủ SMTP không hỗ trợ AUTH PLAIN, cách duy nhất để đăng nhập bằng mật khẩu có dấu")


def _send_one(smtp: BoundedSMTP | BoundedSMTPSSL, env: Envelope, settings: SmtpSettings) -> None:
    """Try one message in an open session; set its status, or raise to end the session.

    Sent means the server answered 250 to its content. A session lost (or timed out) after the content went
    out leaves the message in doubt: it may have been accepted; a retry uses the same Message-ID.
    """
    smtp.new_message()
    try:
        smtp.send_message(env.message, from_addr=env.sender, to_addrs=[env.recipient])
    except smtplib.SMTPRecipientsRefused as exc:
        code = next(iter(exc.recipients.values()), (0, b""))[0]
        env.error = describe(exc, settings)
        env.status = DELIVERY_REJECTED if code >= 500 else DELIVERY_PENDING
    except smtplib.SMTPDataError as exc:
        env.error = describe(exc, settings)
        env.status = DELIVERY_REJECTED if exc.smtp_code >= 500 else DELIVERY_PENDING
    except smtplib.SMTPSenderRefused as exc:
        env.error = describe(exc, settings)
        if exc.smtp_code >= 500:
            raise _Fatal(env.error) from exc
    except (smtplib.SMTPException, OSError):
        env.in_doubt = env.in_doubt or smtp.content_sent
        raise
    else:
        env.status, env.error = DELIVERY_SENT, ""


def send_all(envelopes: list[Envelope], settings: SmtpSettings,
             on_done: Callable[[Envelope], None] | None = None,
             sleep: Callable[[float], None] = time.sleep,
             on_start: Callable[[Envelope], None] | None = None) -> list[Envelope]:
    """Deliver each envelope, retrying what failed for a passing reason with backoff·2^n pauses.

    `on_start` runs just before an envelope is handed to the server and `on_done` as soon as it is sent or
    rejected, so the ledger knows before the next one; whatever is still pending after the last retry is
    returned with status `pending` and its reason. A ledger failure in a hook ends the sending at once.
    """
    waiting = list(envelopes)
    for attempt in range(settings.retries + 1):
        if attempt:
            pause = settings.backoff * 2 ** (attempt - 1)
            log.info("retry %d/%d in %.2fs for %d message(s)", attempt, settings.retries, pause, len(waiting))
            sleep(pause)
        try:
            smtp = _connect(settings)
            try:
                for env in list(waiting):
                    if on_start:
                        on_start(env)
                    _send_one(smtp, env, settings)
                    if env.status != DELIVERY_PENDING:
                        waiting.remove(env)
                        log.info("%s %s", env.status, env.recipient)
                        if on_done:
                            on_done(env)
            finally:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    smtp.close()
        except _Fatal as exc:
            _fail(waiting, str(exc))
            break
        except (ssl.SSLCertVerificationError, smtplib.SMTPAuthenticationError,
                smtplib.SMTPNotSupportedError) as exc:
            _fail(waiting, describe(exc, settings))
            break
        except LedgerError:
            raise  # the ledger cannot record what happens: stop, the caller gives the work back
        except (smtplib.SMTPException, OSError) as exc:
            reason = describe(exc, settings)
            if attempt < settings.retries:
                log.warning("SMTP attempt %d failed (%s); retrying in %s s", attempt + 1, reason,
                            f"{settings.backoff * 2 ** attempt:g}".replace(".", ","))
            else:
                log.warning("SMTP attempt %d failed (%s); no retries left, the messages stay pending",
                            attempt + 1, reason)
            _fail(waiting, reason)
        except Exception as exc:  # never lose track: what was not delivered stays pending in the ledger
            log.exception("unexpected failure while sending")
            _fail(waiting, describe(exc, settings))
            break
        if not waiting:
            break
    return envelopes


def _fail(waiting: list[Envelope], reason: str) -> None:
    """The session failed: everything not yet delivered stays pending, with the latest reason."""
    for env in waiting:
        env.status, env.error = DELIVERY_PENDING, reason
