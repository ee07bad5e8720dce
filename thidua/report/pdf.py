"""Render an Assessment to a PDF/A briefing with Jinja2 templates and WeasyPrint."""

from __future__ import annotations

import datetime as dt
import gc
import io
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from thidua.base.atomic import write_bytes
from thidua.base.config import Config
from thidua.base.errors import RenderError
from thidua.base.model import Assessment
from thidua.report import signature_fields
from thidua.report.fetcher import TemplatesOnlyFetcher
from thidua.report.fonts import system_serif_files
from thidua.report.templating import MAIN_TEMPLATE, AttachedFile, attached_files, get_templates, timestamp
from thidua.report.templating import lower_first as lower_first  # the filter, where tests and callers knew it
from thidua.report.weasy import CSS, HTML, Attachment, FontConfiguration

if TYPE_CHECKING:
    from thidua.cluster.history import Comparison

log = logging.getLogger(__name__)

STYLESHEET = "report.css"


def as_attachments(files: Sequence[AttachedFile], when: dt.datetime) -> list[Attachment]:
    """WeasyPrint attachments of these files, dated `when` (the same input gives the same bytes)."""
    return [Attachment(file_obj=io.BytesIO(f.data), name=f.name, description=f.description,
                       relationship=f.relationship, created=when, modified=when) for f in files]


class Renderer:
    """Built once per process: Jinja2 environment, fonts and parsed CSS are reused for every report."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates = get_templates(templates_dir)
        self.templates_dir = self.templates.templates_dir
        self.env = self.templates.env
        self.fetcher = TemplatesOnlyFetcher(self.templates_dir, fonts=system_serif_files)
        self._lock = threading.Lock()
        self._css_key: float | None = None
        self._css: CSS | None = None
        self.font_config = FontConfiguration()
        self._small_css: dict[str, tuple[float, CSS, FontConfiguration]] = {}

    def stylesheet(self) -> CSS:
        """The parsed report.css, re-parsed only when the file changed (watch mode keeps running)."""
        path = self.templates_dir / STYLESHEET
        mtime = path.stat().st_mtime
        if self._css is None or self._css_key != mtime:
            self.font_config = FontConfiguration()
            self._css = CSS(string=path.read_text(encoding="utf-8"), base_url=path.as_uri(),
                            url_fetcher=self.fetcher, font_config=self.font_config)
            self._css_key = mtime
        return self._css

    def html(self, assessment: Assessment, config: Config, *, history: Comparison | None = None) -> str:
        """The report as HTML text (handy for debugging templates)."""
        return self.templates.html(assessment, config, history=history)

    def render_template(self, name: str, context: dict[str, Any]) -> str:
        """Any template of the folder as HTML; RenderError naming the line on a template error."""
        return self.templates.render_template(name, context)

    def attachments(self, assessment: Assessment, when: dt.datetime) -> list[Attachment]:
        """The only files the PDF carries: the source workbook and the effective scoring settings."""
        return as_attachments(attached_files(assessment), when)

    def render_bytes(self, assessment: Assessment, config: Config, *, history: Comparison | None = None,
                     tagged: bool = True) -> bytes:
        """Lay out and write the PDF in memory; RenderError on any template or layout failure.

        `tagged`: with a structure tree (headings, lists, tables, figures with their text), the accessible
        PDF docs/pdf.md describes; False only to measure what the tree costs.
        """
        text = self.html(assessment, config, history=history)
        when = timestamp(assessment)
        return self.pdf_from_html(text, config, when, lambda: self.attachments(assessment, when), tagged=tagged)

    def pdf_from_html(self, text: str, config: Config, when: dt.datetime,
                      attachments: Callable[[], list[Attachment]], *, tagged: bool = True) -> bytes:
        """Lay out HTML made from these templates into PDF bytes dated `when`, carrying only `attachments`
        (tagged, with the empty signature field at the signature block when [signing] wants one)."""
        variant = config["report.pdf_variant"] or None
        with self._lock:
            try:
                css = self.stylesheet()
                doc = HTML(string=text, base_url=(self.templates_dir / MAIN_TEMPLATE).as_uri(),
                           url_fetcher=self.fetcher).render(
                    font_config=self.font_config, stylesheets=[css], pdf_variant=variant)
                # Attachments come from us only: drop any <link rel=attachment> a template might add.
                doc.metadata.attachments = []
                doc.metadata.modified = doc.metadata.created = when.strftime("%Y-%m-%dT%H:%M:%SZ")
                finisher = signature_fields.SignatureFieldFinisher() if signature_fields.wanted(config) else None
                return doc.write_pdf(attachments=attachments(), pdf_variant=variant, pdf_tags=tagged,
                                     finisher=finisher)
            except RenderError:
                raise
            except Exception as exc:  # WeasyPrint raises many kinds; the officer needs one sentence
                log.debug("WeasyPrint failed", exc_info=True)
                raise RenderError(f"Không tạo được tệp PDF: {type(exc).__name__}: {exc}") from exc


    def render_small(self, template: str, stylesheet: str, context: Mapping[str, object],
                     images: Sequence[Path] = ()) -> bytes:
        """A one-page PDF from a small template and its own stylesheet (the look of a digital signature),
        with the same no-network fetcher; `images` are the only files outside templates/ it may read."""
        try:
            text = self.env.get_template(template).render(**context)
        except jinja2.TemplateError as exc:
            raise RenderError(f"Mẫu \"{template}\" bị lỗi: {exc}",
                              hint="Sửa tệp trong thư mục templates/ rồi chạy lại.") from exc
        fetcher = TemplatesOnlyFetcher(self.templates_dir, extra_files=images)
        with self._lock:
            try:
                path = self.templates_dir / stylesheet
                mtime = path.stat().st_mtime
                cached = self._small_css.get(stylesheet)
                if cached is None or cached[0] != mtime:  # its own fonts: the report's stay untouched
                    fonts = FontConfiguration()
                    css = CSS(string=path.read_text(encoding="utf-8"), base_url=path.as_uri(),
                              url_fetcher=self.fetcher, font_config=fonts)
                    cached = self._small_css[stylesheet] = (mtime, css, fonts)
                doc = HTML(string=text, base_url=(self.templates_dir / template).as_uri(),
                           url_fetcher=fetcher).render(font_config=cached[2], stylesheets=[cached[1]])
                return doc.write_pdf()
            except Exception as exc:
                log.debug("WeasyPrint failed", exc_info=True)
                raise RenderError(f"Không tạo được hình chữ ký số: {type(exc).__name__}: {exc}") from exc


_RENDERERS: dict[Path, Renderer] = {}


def get_renderer(templates_dir: Path) -> Renderer:
    """One Renderer per templates folder per process (watch and batch modes reuse it)."""
    key = Path(templates_dir).resolve()
    if key not in _RENDERERS:
        _RENDERERS[key] = Renderer(key)
        _freeze_long_lived_heap()
    return _RENDERERS[key]


def _freeze_long_lived_heap() -> None:
    """Once per process, when its first Renderer exists: move every object alive now (imported libraries,
    the Jinja2 environment; in a one-file run also its workbook's data) out of the cyclic garbage
    collector's sight. WeasyPrint allocates millions of short-lived objects per report, and each full
    collection would walk this heap again: freezing it makes a render ≈25% faster (`make bench`) at no
    memory cost. Frozen objects are still freed when no longer referenced; only reference cycles among them
    would stay, and they are what the process keeps anyway."""
    if len(_RENDERERS) == 1:
        gc.freeze()


def render_pdf(assessment: Assessment, config: Config, out_path: Path, *,
               renderer: Renderer | None = None, history: Comparison | None = None) -> Path:
    """Write the briefing PDF atomically to `out_path` and return it (with the comparison with earlier
    years when `history` is given)."""
    renderer = renderer or get_renderer(config.templates_dir)
    data = renderer.render_bytes(assessment, config, history=history)
    return write_bytes(Path(out_path), data)

