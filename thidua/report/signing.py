"""Sign a rendered report with pyHanko: PAdES B-B (B-T with a timestamp server), the person with authority in
the prepared field of the signature block, then the agency's seal; each an incremental update, so the
signed bytes, the PDF/A identification, the structure tree and the attachments stay as they were."""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thidua.base.atomic import write_bytes
from thidua.base.config import Config
from thidua.base.errors import SigningError
from thidua.base.model import Signature
from thidua.report import signature_look
from thidua.report.pdf import get_renderer
from thidua.report.signature_fields import FIELD_AGENCY, FIELD_SIGNER, SIGN_SPACE_ID
from thidua.report.signing_keys import (
    VIETNAM,
    KeySource,
    agency_source,
    certificate_name,
    load_ahead,
    open_signer,
    signer_source,
    subject_text,
)

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer
    from pyhanko.sign.timestamps import TimeStamper

log = logging.getLogger(__name__)

LEVEL_B = "PAdES B-B"
LEVEL_T = "PAdES B-T"


def vietnam_now() -> dt.datetime:
    """Now, to the second, at +07:00: the signing time in the CMS and on the page is this one value."""
    return dt.datetime.now(VIETNAM).replace(microsecond=0)


def sign_report(unsigned: Path, target: Path, config: Config, *, agency_name: str = "") -> list[Signature]:
    """Sign `unsigned` into `target` (written atomically); SigningError says in Vietnamese what is wrong.

    `agency_name` is shown under the signer's name when the certificate names no organisation.
    """
    source = signer_source(config)
    if source is None:
        raise ValueError("sign_report needs [signing] pkcs12_path or pkcs11_lib")
    data = Path(unsigned).read_bytes()
    renderer = get_renderer(config.templates_dir)
    timestamper = _timestamper(config)
    picture = _picture(config, "signing.signature_image", "chữ ký")
    reader = _reader(data)
    page, field = _prepared_field(reader)
    layout = signature_look.signer_layout(field[2] - field[0], field[3] - field[1], picture)
    signatures = []
    with open_signer(source, vietnam_now()) as signer:
        when = vietnam_now()
        cert = _certificate(signer)
        organisation = cert.subject.native.get("organization_name") or agency_name
        look = signature_look.signer_look(renderer, layout, picture, signer=certificate_name(cert),
                                          agency=str(organisation or ""), signed_at=when.isoformat())
        data = _sign(reader, signer, source, FIELD_SIGNER, look, when, timestamper)
        signatures.append(_info(FIELD_SIGNER, source, signer, when, timestamper))
    agency = agency_source(config)
    if agency is not None:
        seal = _picture(config, "signing.agency_image", "con dấu")
        rect = signature_look.seal_rect(field, layout, seal) if seal is not None else None
        with open_signer(agency, vietnam_now()) as signer:
            when = vietnam_now()
            seal_pdf = signature_look.seal_look(renderer, seal, rect) if seal is not None and rect else None
            data = _sign(_reader(data), signer, agency, FIELD_AGENCY, seal_pdf, when, timestamper,
                         new_field=(page, rect))
            signatures.append(_info(FIELD_AGENCY, agency, signer, when, timestamper))
    write_bytes(Path(target), data)
    return signatures


def prepare(config: Config) -> None:
    """Load the key files and lay a throwaway signature look out (fonts, stylesheet, image) while the report
    is laid out in the helper process: signing after the report then does only the signing."""
    for source in (signer_source(config), agency_source(config)):
        if source is not None:
            load_ahead(source)
    try:
        picture = _picture(config, "signing.signature_image", "chữ ký")
        layout = signature_look.signer_layout(200.0, 70.0, picture)
        signature_look.signer_look(get_renderer(config.templates_dir), layout, picture, signer="Nguyễn Văn A",
                                   agency="Ủy ban nhân dân", signed_at=vietnam_now().isoformat())
    except Exception:  # an optimisation only: signing itself reports what is wrong
        log.debug("could not warm the signature's look", exc_info=True)


def _picture(config: Config, key: str, what: str) -> signature_look.Picture | None:
    return signature_look.read_picture(config.path(key), what) if config[key] else None


def _timestamper(config: Config) -> TimeStamper | None:
    url = config["signing.tsa_url"]
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=30)


def _reader(data: bytes) -> Any:
    from thidua.report.pdf_reader import IndexedPdfReader

    return IndexedPdfReader(io.BytesIO(data))


def _prepared_field(reader: Any) -> tuple[int, tuple[float, float, float, float]]:
    """The empty signer's field the renderer placed: page index and rectangle."""
    from pyhanko.sign.fields import enumerate_sig_fields

    for name, value, ref in enumerate_sig_fields(reader, with_name=FIELD_SIGNER):
        if value is not None:
            raise SigningError(f"Ô chữ ký \"{name}\" của báo cáo đã được ký rồi.")
        widget = ref.get_object()
        rect = tuple(float(v) for v in widget["/Rect"])
        page_ref = widget.get_value_as_reference("/P")
        for index in range(_page_count(reader)):
            if reader.find_page_for_modification(index)[0].idnum == page_ref.idnum:
                return index, (rect[0], rect[1], rect[2], rect[3])
    raise SigningError("Báo cáo không có ô chữ ký số ở chỗ ký.",
                       hint=f"Mẫu templates/partials/ky_ten.html.j2 cần khối có id=\"{SIGN_SPACE_ID}\".")


def _certificate(signer: Signer) -> Any:
    cert = signer.signing_cert
    if cert is None:  # open_signer checked it; pyHanko's type allows None
        raise SigningError("Khóa ký số không có chứng thư số đi kèm.")
    return cert


def _page_count(reader: Any) -> int:
    return int(reader.root["/Pages"]["/Count"])


def _info(field: str, source: KeySource, signer: Signer, when: dt.datetime,
          timestamper: TimeStamper | None) -> Signature:
    cert = _certificate(signer)
    return Signature(field, source.role, certificate_name(cert), subject_text(cert), when.isoformat(),
                         LEVEL_T if timestamper else LEVEL_B)


def _sign(reader: Any, signer: Signer, source: KeySource, field: str, look: bytes | None, when: dt.datetime,
          timestamper: TimeStamper | None,
          new_field: tuple[int, tuple[float, float, float, float] | None] | None = None) -> bytes:
    """One incremental update: fill `field` (or create it at `new_field`) with a PAdES signature."""
    from pyhanko.pdf_utils import content, layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError as PyHankoSigningError
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError
    from pyhanko.stamp import StaticStampStyle

    class _SignerAt(signers.PdfSigner):
        """pyHanko's signer with our signing time, so the CMS and the visible text agree to the second."""

        def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
            session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
            session.system_time = when
            return session

    spec = None
    if new_field is not None:
        page, rect = new_field
        box = None if rect is None else (round(rect[0]), round(rect[1]), round(rect[2]), round(rect[3]))
        spec = fields.SigFieldSpec(field, on_page=page, box=box)  # no box: an invisible signature
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256")
    with tempfile.TemporaryDirectory(prefix="thidua-ky-") as folder:
        style = None
        if look is not None:
            look_path = Path(folder) / "hinh.pdf"
            look_path.write_bytes(look)
            fill = layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MID,
                                              y_align=layout.AxisAlignment.ALIGN_MID, margins=layout.Margins())
            style = StaticStampStyle(background=content.ImportedPdfPage(str(look_path)), border_width=0,
                                     background_layout=fill)
        pdf_signer = _SignerAt(meta, signer, timestamper=timestamper, stamp_style=style, new_field_spec=spec)
        out = io.BytesIO()
        try:
            pdf_signer.sign_pdf(IncrementalPdfFileWriter(reader.stream, prev=reader),
                                existing_fields_only=spec is None, output=out)
        except TimestampRequestError as exc:
            raise SigningError(f"Không lấy được dấu thời gian từ máy chủ {getattr(timestamper, 'url', '')} "
                               "(không kết nối được, hoặc máy chủ trả lời sai).",
                               hint="Kiểm tra signing.tsa_url và kết nối mạng, hoặc để trống để ký PAdES B-B.") from exc
        except PyHankoSigningError as exc:
            raise SigningError(f"Không ký được báo cáo ({source.role}): {exc}.") from exc
    return out.getvalue()
