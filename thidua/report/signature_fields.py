"""An empty signature field in the rendered PDF, exactly where the layout put the signature block.

The field is part of the PDF WeasyPrint writes (a finisher, not a later update), so the unsigned report
stays byte-for-byte reproducible; signing fills this field in place (report/signing.py), and without
keys the signer's own signing application finds it ready.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pydyf

SIGN_SPACE_ID = "vi-tri-chu-ky"  # the id of the empty block between the signer's title and name (ky_ten.html.j2)
FIELD_SIGNER = "nguoi-ky"  # the person with authority (Nghị định 30/2020, Điều 13)
FIELD_AGENCY = "co-quan"  # the agency's signature (the seal), placed by the signing step
SIGNER_TOOLTIP = "Chữ ký số của người có thẩm quyền"
PX_TO_PT = 0.75  # WeasyPrint lays out in CSS px (96 per inch), PDF user space is 72 per inch


@dataclass(frozen=True)
class Placement:
    """Where a block landed: 0-based page index and its rectangle in PDF points (x0, y0, x1, y1)."""

    page: int
    rect: tuple[float, float, float, float]


def find_block(document: Any, element_id: str) -> Placement | None:
    """The border box of the element with this id in a laid-out WeasyPrint document, in PDF coordinates."""
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or element.get("id") != element_id or not hasattr(box, "border_width"):
                continue
            x, y = box.border_box_x(), box.border_box_y()
            w, h = box.border_width(), box.border_height()
            top = page.height
            return Placement(index, (round(x * PX_TO_PT, 2), round((top - y - h) * PX_TO_PT, 2),
                                     round((x + w) * PX_TO_PT, 2), round((top - y) * PX_TO_PT, 2)))
    return None


def _object(pdf: pydyf.PDF, reference: Any) -> Any:
    """The pydyf object a reference ("12 0 R") names."""
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return pdf.objects[int(text.split()[0])]


class SignatureFieldFinisher:
    """A WeasyPrint finisher adding one empty signature field over the signature block.

    The widget prints (PDF/A), has an empty appearance (nothing shows until it is signed), a tooltip for
    screen readers, and, in a tagged PDF, a Form element in the structure tree right after the block's
    page content. The Info dictionary's Producer is dropped: signing tools rewrite the XMP producer, and
    PDF/A wants Info and XMP to agree (the XMP keeps "WeasyPrint").
    """

    def __init__(self, name: str = FIELD_SIGNER, tooltip: str = SIGNER_TOOLTIP) -> None:
        self.name, self.tooltip = name, tooltip
        self.placement: Placement | None = None

    def __call__(self, document: Any, pdf: pydyf.PDF) -> None:
        placement = self.placement = find_block(document, SIGN_SPACE_ID)
        pdf.info.pop("Producer", None)
        if placement is None:  # an edited template without the block: nothing to place
            return
        x0, y0, x1, y1 = placement.rect
        page_ref = pdf.page_references[placement.page]
        appearance = pydyf.Stream([], pydyf.Dictionary({
            "Type": "/XObject", "Subtype": "/Form", "BBox": pydyf.Array([0, 0, x1 - x0, y1 - y0])}))
        pdf.add_object(appearance)
        widget = pydyf.Dictionary({
            "Type": "/Annot", "Subtype": "/Widget", "FT": "/Sig", "T": pydyf.String(self.name),
            "TU": pydyf.String(self.tooltip), "Rect": pydyf.Array([x0, y0, x1, y1]), "F": 4, "P": page_ref,
            "AP": pydyf.Dictionary({"N": appearance.reference}),
        })
        pdf.add_object(widget)
        page = _object(pdf, page_ref)
        if "Annots" not in page:
            page["Annots"] = pydyf.Array()
        page["Annots"].append(widget.reference)
        pdf.catalog["AcroForm"] = pydyf.Dictionary({"Fields": pydyf.Array([widget.reference])})
        if "StructTreeRoot" in pdf.catalog:
            self._tag(pdf, widget, page_ref)

    def _tag(self, pdf: pydyf.PDF, widget: pydyf.Dictionary, page_ref: bytes) -> None:
        """Put the widget in the structure tree (Form → OBJR) and the parent tree, as PDF/UA asks."""
        root = _object(pdf, pdf.catalog["StructTreeRoot"])
        document_elem = _object(pdf, root["K"][0])
        parent_tree = _object(pdf, root["ParentTree"])
        obj_ref = pydyf.Dictionary({"Type": "/OBJR", "Obj": widget.reference, "Pg": page_ref})
        pdf.add_object(obj_ref)
        form = pydyf.Dictionary({"Type": "/StructElem", "S": "/Form", "P": root["K"][0], "Pg": page_ref,
                                 "K": pydyf.Array([obj_ref.reference]), "Alt": pydyf.String(self.tooltip)})
        pdf.add_object(form)
        kids = document_elem["K"]
        on_page = [i for i, ref in enumerate(kids) if _object(pdf, ref).get("Pg") == page_ref]
        kids.insert(on_page[-1] + 1 if on_page else len(kids), form.reference)
        nums = parent_tree["Nums"]
        key = max((int(k) for k in nums[::2]), default=-1) + 1
        nums.extend([key, form.reference])
        widget["StructParent"] = key
        root["ParentTreeNextKey"] = key + 1


def wanted(config: Any) -> bool:
    """A field is placed when the report will be signed here, or is to be signed elsewhere (prepare_field)."""
    return bool(config["signing.prepare_field"] or config["signing.pkcs12_path"] or config["signing.pkcs11_lib"])
