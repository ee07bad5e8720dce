"""What a digital signature shows on the page: the signer's box (image, name, agency, time) and the seal.

Geometry only and the rendering call; the wording and styling live in templates/chu_ky_so.html.j2 and
chu_ky_so.css. Boxes are in PDF points, measured from the top-left of the signature field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from thidua.base.errors import SigningError
from thidua.report.pdf import Renderer

TEMPLATE = "chu_ky_so.html.j2"
STYLESHEET = "chu_ky_so.css"
MM = 72 / 25.4
SEAL_DEFAULT_MM = 36.0  # a provincial department's round seal; used when the PNG does not say its size
SEAL_RANGE_MM = (20.0, 60.0)  # a size outside this from the PNG's dpi is a wrong dpi, not a real seal
PAD = 2.0
IMAGE_SHARE = 0.58  # of the field height, for the handwritten signature above the text lines


@dataclass(frozen=True)
class Box:
    """A rectangle in points, from the top-left of its container."""

    x: float
    y: float
    w: float
    h: float

    def as_context(self) -> dict[str, float]:
        return {"x": round(self.x, 2), "y": round(self.y, 2), "w": round(self.w, 2), "h": round(self.h, 2)}


@dataclass(frozen=True)
class Picture:
    """A PNG to draw: where it is, its pixel size and its physical size when the file records one."""

    path: Path
    width_px: int
    height_px: int
    dpi: float | None

    @property
    def ratio(self) -> float:
        return self.width_px / self.height_px


def read_picture(path: Path, what: str) -> Picture:
    """Open a PNG named in [signing]; a missing or non-PNG file is a SigningError (the officer can fix it)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            if image.format != "PNG":
                raise SigningError(f"Ảnh {what} \"{path}\" không phải ảnh PNG.",
                                   hint="Dùng ảnh .png nền trong suốt.")
            dpi = image.info.get("dpi")
            return Picture(Path(path), image.width, image.height, float(dpi[0]) if dpi and dpi[0] else None)
    except FileNotFoundError:
        raise SigningError(f"Không tìm thấy ảnh {what} \"{path}\".",
                           hint="Kiểm tra đường dẫn trong mục [signing] của config.toml.") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise SigningError(f"Không đọc được ảnh {what} \"{path}\": {exc}.") from exc


def fit(picture: Picture, area: Box) -> Box:
    """The largest box of the picture's proportions inside `area`, centred in it."""
    w = min(area.w, area.h * picture.ratio)
    h = w / picture.ratio
    return Box(area.x + (area.w - w) / 2, area.y + (area.h - h) / 2, w, h)


@dataclass(frozen=True)
class SignerLayout:
    """The signer's field: where the handwritten image goes (if any) and where the text lines go."""

    width: float
    height: float
    image: Box | None
    text: Box

    @property
    def mark(self) -> Box:
        """What the seal overlaps: the signature image, or without one the middle of the text lines."""
        if self.image is not None:
            return self.image
        return Box(self.width * 0.2, self.text.y, self.width * 0.6, self.text.h)


def signer_layout(width: float, height: float, picture: Picture | None) -> SignerLayout:
    """Image centred in the upper part of the field, text lines below; text alone fills the field."""
    if picture is None:
        return SignerLayout(width, height, None, Box(PAD, PAD, width - 2 * PAD, height - 2 * PAD))
    area = Box(width * 0.1, PAD, width * 0.8, height * IMAGE_SHARE - PAD)
    image = fit(picture, area)
    top = image.y + image.h
    return SignerLayout(width, height, image, Box(PAD, top, width - 2 * PAD, height - top - PAD))


def seal_size(picture: Picture) -> tuple[float, float]:
    """The seal's printed size in points: its real size when the PNG's dpi gives a plausible one."""
    if picture.dpi:
        width_mm = picture.width_px / picture.dpi * 25.4
        if SEAL_RANGE_MM[0] <= width_mm <= SEAL_RANGE_MM[1]:
            return width_mm * MM, width_mm * MM / picture.ratio
    return SEAL_DEFAULT_MM * MM, SEAL_DEFAULT_MM * MM / picture.ratio


def seal_rect(field: tuple[float, float, float, float], layout: SignerLayout,
              picture: Picture) -> tuple[float, float, float, float]:
    """Page rectangle of the seal: it covers about the left third of the signature mark, centred on it
    vertically, as the records office stamps it (Nghị định 30/2020, Phụ lục I)."""
    x0, _, _, y1 = field
    w, h = seal_size(picture)
    mark = layout.mark
    right = x0 + mark.x + mark.w / 3
    centre_y = y1 - (mark.y + mark.h / 2)
    return (round(right - w, 2), round(centre_y - h / 2, 2), round(right, 2), round(centre_y + h / 2, 2))


def signer_look(renderer: Renderer, layout: SignerLayout, picture: Picture | None, *, signer: str,
                agency: str, signed_at: str) -> bytes:
    """The signer's visible signature as a one-page PDF of the field's size."""
    image = None
    if picture is not None and layout.image is not None:
        image = {"url": picture.path.resolve().as_uri(), **layout.image.as_context()}
    context = {"width": round(layout.width, 2), "height": round(layout.height, 2), "image": image,
               "text": layout.text.as_context(), "signer": signer, "agency": agency, "signed_at": signed_at}
    return renderer.render_small(TEMPLATE, STYLESHEET, context, [picture.path] if picture else [])


def seal_look(renderer: Renderer, picture: Picture, rect: tuple[float, float, float, float]) -> bytes:
    """The agency's visible signature: the seal image alone, at its printed size."""
    w, h = rect[2] - rect[0], rect[3] - rect[1]
    image = {"url": picture.path.resolve().as_uri(), **Box(0, 0, w, h).as_context()}
    context = {"width": round(w, 2), "height": round(h, 2), "image": image, "text": None, "signer": "",
               "agency": "", "signed_at": ""}
    return renderer.render_small(TEMPLATE, STYLESHEET, context, [picture.path])
