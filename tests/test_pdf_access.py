"""The accessible report: a structure tree read back with pikepdf (headings, lists, tables with header cells,
figures whose alternative text says what the chart's data says), and the empty signature field any
signing tool can fill: here pyHanko's own command line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from tests import pdf_tools
from tests.assessment_fixture import example_assessment
from tests.signing_tools import PASSWORD, SigningCA
from thidua.base import vnformat
from thidua.base.config import build_config, load_config, scoring_settings
from thidua.report import pdf as render

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("access")
    config = load_config(ROOT / "config.toml")
    assessment = example_assessment(scoring_settings(config))
    return assessment, render.render_pdf(assessment, config, tmp / "dong-thap-2022.pdf"), tmp


def _elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element, depth first in reading order."""
    out: list[pikepdf.Dictionary] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            out.append(node)
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    for top in pdf.Root.StructTreeRoot.K:
        walk(top)
    return out


def test_pdfinfo_says_tagged(example):
    assert pdf_tools.info(example[1])["Tagged"] == "yes"


def test_structure_tree_has_the_report_shape(example):
    with pikepdf.open(example[1]) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "vi"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True  # the viewer shows the title, not the file name
        tags = [str(e.S) for e in _elements(pdf)]
        assert tags[0] == "/Document"
        assert tags.count("/H1") == 1  # BÁO CÁO …
        assert tags.count("/H2") == 5  # I.–IV. and the annex
        assert tags.count("/H3") >= 6
        assert tags.index("/H1") < tags.index("/H2") < tags.index("/H3")
        assert tags.count("/L") >= 3 and tags.count("/LI") == tags.count("/LBody") >= 10
        assert tags.count("/Table") >= 3 and "/THead" in tags and "/TH" in tags
        assert tags.count("/Figure") == 2 and tags.count("/Caption") == 2


def test_layout_blocks_are_not_tables(example):
    # The national motto block and the signature block are layout, not data: a screen reader must not
    # announce them as tables.
    with pikepdf.open(example[1]) as pdf:
        first = [e for e in pdf.Root.StructTreeRoot.K[0].K][:2]
        assert [str(e.S) for e in first] == ["/Div", "/H1"]


def test_table_header_cells_are_linked_to_data_cells(example):
    with pikepdf.open(example[1]) as pdf:
        elements = _elements(pdf)
        headers = [e for e in elements if e.S == "/TH"]
        cells = [e for e in elements if e.S == "/TD"]
        assert all("/ID" in h for h in headers)
        ids = {str(h.ID) for h in headers}
        linked = [c for c in cells if len(c.A.get("/Headers", [])) >= 2]  # column header and row header
        assert len(linked) > len(cells) / 2
        assert all(str(h) in ids for c in linked for h in c.A.Headers)


def test_every_chart_has_alternative_text_from_its_data(example):
    assessment = example[0]
    with pikepdf.open(example[1]) as pdf:
        alts = [str(e.Alt) for e in _elements(pdf) if e.S == "/Figure"]
    fields, percents = alts
    assert fields.startswith("Biểu đồ thanh ngang: điểm tự chấm so với điểm chuẩn của 7 lĩnh vực:")
    for row in assessment.by_field.itertuples():
        assert f"{row.field} {vnformat.number(row.points)}/{vnformat.number(row.max_points)} điểm" in fields
    drawn = assessment.results.dropna(subset=["pct_of_plan"])
    assert f"tỷ lệ thực hiện so kế hoạch của {len(drawn)} tiêu chí" in percents
    counts = drawn["status"].value_counts()
    assert f"{counts['Vượt']} tiêu chí vượt kế hoạch" in percents
    assert f"{counts['Chưa đạt']} tiêu chí chưa đạt kế hoạch" in percents
    for row in drawn[drawn["status"] == "Chưa đạt"].itertuples():
        assert f"{row.name} ({vnformat.percent(row.pct_of_plan)})" in percents
    top = drawn.loc[drawn["pct_of_plan"].idxmax()]
    low = drawn.loc[drawn["pct_of_plan"].idxmin()]
    assert f"Cao nhất: {top['name']} ({vnformat.percent(top['pct_of_plan'])})" in percents
    assert f"thấp nhất: {low['name']} ({vnformat.percent(low['pct_of_plan'])})" in percents


def test_empty_signature_field_sits_on_the_signature_block(example, tmp_path):
    pdf_path = example[1]
    with pikepdf.open(pdf_path) as pdf:
        (field,) = pdf.Root.AcroForm.Fields
        assert str(field.T) == "nguoi-ky" and field.FT == "/Sig" and "/V" not in field
        assert str(field.TU) == "Chữ ký số của người có thẩm quyền"
        assert int(field.F) & 4  # printed, as PDF/A wants
        page_index = next(i for i, p in enumerate(pdf.pages) if field.objgen in [a.objgen for a in p.get("/Annots", [])])
        form = [e for e in _elements(pdf) if e.S == "/Form"]
        assert len(form) == 1 and form[0].K[0].Obj.objgen == field.objgen  # tagged, for screen readers
        x0, y0, x1, y1 = (float(v) for v in field.Rect)
        assert "/Producer" not in pdf.docinfo  # signing tools rewrite the XMP producer; Info must not disagree
    # The field lies between the signer's title and name: the text above it and below it on that page.
    words = subprocess.run(["pdftotext", "-bbox", "-f", str(page_index + 1), "-l", str(page_index + 1),
                            str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    height = 841.89
    found = {m.group(5): (float(m.group(2)), float(m.group(4))) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>', words)}
    title_bottom = found["GIÁM"][1]
    name_top = found["Minh"][0]
    assert title_bottom <= height - y1 + 1 and height - y0 <= name_top + 1
    assert x1 - x0 > 200 and 60 < y1 - y0 < 75  # the column's width, the 24 mm sign space


def test_qpdf_is_happy_with_the_field(example):
    assert pdf_tools.check(example[1]).returncode == 0


def test_prepared_field_is_signed_in_place_by_pyhankos_own_command_line(example, tmp_path):
    ca = SigningCA()
    p12 = ca.write_pkcs12(ca.issue("Nguyễn Văn Minh", "Sở Nội vụ tỉnh Đồng Tháp"), tmp_path / "ky.p12")
    (tmp_path / "matkhau.txt").write_text(PASSWORD, encoding="utf-8")
    out = tmp_path / "da-ky.pdf"
    cli = Path(sys.executable).with_name("pyhanko")
    done = subprocess.run([str(cli), "sign", "addsig", "--field", "nguoi-ky", "--existing-only", "pkcs12",
                           "--passfile", str(tmp_path / "matkhau.txt"), str(example[1]), str(out), str(p12)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    sig = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True).stdout
    assert "Signature Field Name: nguoi-ky" in sig and "Signature is Valid." in sig
    assert out.read_bytes().startswith(example[1].read_bytes())  # in place: an incremental update
    with pikepdf.open(out) as pdf:
        assert len(pdf.Root.AcroForm.Fields) == 1  # no new field: the prepared one was used


def test_no_field_when_prepare_field_is_off(tmp_path):
    config = build_config({"signing": {"prepare_field": False}}, ROOT)
    data = render.get_renderer(config.templates_dir).render_bytes(example_assessment(scoring_settings(config)), config)
    path = tmp_path / "khong-o-ky.pdf"
    path.write_bytes(data)
    with pikepdf.open(path) as pdf:
        assert "/AcroForm" not in pdf.Root
        assert "/StructTreeRoot" in pdf.Root


def test_tagging_keeps_the_output_deterministic(tmp_path):
    config = load_config(ROOT / "config.toml")
    renderer = render.get_renderer(config.templates_dir)
    source = tmp_path / "nguon.xlsx"
    source.write_bytes((ROOT / "examples" / "dong-thap-2022.xlsx").read_bytes())
    from tests.assessment_fixture import build_assessment

    first = renderer.render_bytes(build_assessment(source=source), config)
    assert renderer.render_bytes(build_assessment(source=source), config) == first
    path = tmp_path / "x.pdf"
    path.write_bytes(first)
    with pikepdf.open(path) as pdf:
        assert "/StructTreeRoot" in pdf.Root and "/AcroForm" in pdf.Root
