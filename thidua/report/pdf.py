"""Render an Assessment to a PDF/A briefing with Jinja2 templates and WeasyPrint."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration

from thidua.base import vnformat
from thidua.base.atomic import atomic_path
from thidua.base.config import Config
from thidua.base.errors import RenderError
from thidua.base.model import Assessment
from thidua.base.resources import bundled_templates
from thidua.report import signature_fields
from thidua.report.fetcher import TemplatesOnlyFetcher
from thidua.report.fonts import system_serif_files

if TYPE_CHECKING:
    from thidua.cluster.history import Comparison

log = logging.getLogger(__name__)

MAIN_TEMPLATE = "report.html.j2"
INTERIM_TEMPLATE = "so_ket.html.j2"  # six-month, nine-month and quarterly reviews
STYLESHEET = "report.css"


def lower_first(text: object) -> str:
    """"Thu NSNN" → "thu NSNN" mid-sentence; acronyms ("GRDP bình quân") keep their capitals."""
    s = str(text or "")
    if len(s) > 1 and s[0].isupper() and not s[1].isupper():
        return s[0].lower() + s[1:]
    return s


@jinja2.pass_context
def _points(context: jinja2.runtime.Context, value: object) -> str:
    """Points with as many decimals as scoring keeps (scoring.points_precision)."""
    return vnformat.number(value, int(context.get("points_precision", 2)))


FILTERS = {
    "so": vnformat.number,
    "phantram": vnformat.percent,
    "dau": vnformat.signed,
    "diem": _points,
    "ngay": vnformat.date_line,
    "ngay_ngan": vnformat.short_date,
    "viet_thuong_dau": lower_first,
}


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates cached per user in a private temp folder: saves ≈50 ms per cold run.

    Compiled code depends on the filters (context-taking or not) as well as the template source, so the
    cache file names carry a hash of this module and of Jinja2's version.
    """
    key = hashlib.sha256(Path(__file__).read_bytes() + jinja2.__version__.encode()).hexdigest()[:12]
    try:
        return jinja2.FileSystemBytecodeCache(pattern=f"__thidua_{key}_%s.cache")
    except (OSError, RuntimeError):  # no usable private temp folder: compile every time
        return None


def _timestamp(assessment: Assessment) -> dt.datetime:
    """The source workbook's modification time (UTC): the same input gives a byte-identical PDF."""
    src = assessment.submission.source
    if src is not None and Path(src).is_file():
        return dt.datetime.fromtimestamp(int(Path(src).stat().st_mtime), dt.UTC).replace(tzinfo=None)
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class Renderer:
    """Built once per process: Jinja2 environment, fonts and parsed CSS are reused for every report."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = Path(templates_dir).resolve()
        if not (self.templates_dir / MAIN_TEMPLATE).is_file():
            raise RenderError(f"Không tìm thấy mẫu báo cáo \"{self.templates_dir / MAIN_TEMPLATE}\".",
                              hint="Kiểm tra paths.templates_dir trong config.toml.")
        self.fetcher = TemplatesOnlyFetcher(self.templates_dir, fonts=system_serif_files)
        self.env = jinja2.Environment(
            # an officer's templates folder wins; one copied before a template existed (so_ket.html.j2 came
            # with interim reviews) borrows the missing files from the bundled templates, as mail does
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(self.templates_dir),
                                        jinja2.FileSystemLoader(bundled_templates())]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=True,
            bytecode_cache=_bytecode_cache(),
        )
        self.env.filters.update(FILTERS)
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
        from thidua.report.context import build_context  # pandas: not needed by the cluster report

        context = build_context(assessment, config, history=history)
        if assessment.interim is None:
            return self.render_template(MAIN_TEMPLATE, context)
        from thidua.report.interim_context import interim_context

        context.update(interim_context(assessment, context))
        return self.render_template(INTERIM_TEMPLATE, context)

    def render_template(self, name: str, context: dict[str, Any]) -> str:
        """Any template of the folder as HTML; RenderError naming the line on a template error."""
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateError as exc:
            line = getattr(exc, "lineno", None)
            where = f" (dòng {line})" if line else ""
            raise RenderError(f"Mẫu báo cáo bị lỗi{where}: {exc}",
                              hint="Sửa tệp trong thư mục templates/ rồi chạy lại.") from exc

    def attachments(self, assessment: Assessment, when: dt.datetime) -> list[Attachment]:
        """The only files the PDF carries: the source workbook and the effective scoring settings."""
        out = []
        sub = assessment.submission
        if sub.source is not None and Path(sub.source).is_file():
            src = Path(sub.source)
            out.append(Attachment(file_obj=io.BytesIO(src.read_bytes()), name=src.name,
                                  description=f"Tệp Excel nguồn (SHA-256 {sub.sha256})",
                                  relationship="Source", created=when, modified=when))
        applied = dict(assessment.settings or {})
        if assessment.interim is not None:  # the [interim] rules too: the points are projections
            applied["interim"] = assessment.interim.settings
        settings = json.dumps(applied, ensure_ascii=False, indent=2, sort_keys=True, default=str)
        out.append(Attachment(file_obj=io.BytesIO(settings.encode("utf-8")), name="cau-hinh-cham-diem.json",
                              description="Cấu hình chấm điểm đã áp dụng", relationship="Supplement",
                              created=when, modified=when))
        return out

    def render_bytes(self, assessment: Assessment, config: Config, *, history: Comparison | None = None,
                     tagged: bool = True) -> bytes:
        """Lay out and write the PDF in memory; RenderError on any template or layout failure.

        `tagged`: with a structure tree (headings, lists, tables, figures with their text), the accessible
        PDF docs/pdf.md describes; False only to measure what the tree costs.
        """
        text = self.html(assessment, config, history=history)
        when = _timestamp(assessment)
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
    return _RENDERERS[key]


def render_pdf(assessment: Assessment, config: Config, out_path: Path, *,
               renderer: Renderer | None = None, history: Comparison | None = None) -> Path:
    """Write the briefing PDF atomically to `out_path` and return it (with the comparison with earlier
    years when `history` is given)."""
    renderer = renderer or get_renderer(config.templates_dir)
    data = renderer.render_bytes(assessment, config, history=history)
    with atomic_path(Path(out_path)) as tmp:
        tmp.write_bytes(data)
    return Path(out_path)

