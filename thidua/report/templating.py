"""The report's Jinja2 side: the templates folder, its filters and compiled-template cache, the HTML text and
the files the PDF carries; no WeasyPrint, so one process can build the HTML while another lays it out."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from thidua.base import vnformat
from thidua.base.config import Config
from thidua.base.errors import RenderError
from thidua.base.model import Assessment
from thidua.base.resources import bundled_templates

if TYPE_CHECKING:
    from thidua.cluster.history import Comparison

MAIN_TEMPLATE = "report.html.j2"
INTERIM_TEMPLATE = "so_ket.html.j2"  # six-month, nine-month and quarterly reviews


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


def timestamp(assessment: Assessment) -> dt.datetime:
    """The source workbook's modification time (UTC): the same input gives a byte-identical PDF."""
    src = assessment.submission.source
    if src is not None and Path(src).is_file():
        return dt.datetime.fromtimestamp(int(Path(src).stat().st_mtime), dt.UTC).replace(tzinfo=None)
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class AttachedFile:
    """A file the PDF carries (PDF/A-3 associated file), as plain data: the renderer makes it an attachment."""

    data: bytes
    name: str
    description: str
    relationship: str


def attached_files(assessment: Assessment) -> list[AttachedFile]:
    """The only files the report's PDF carries: the source workbook and the effective scoring settings."""
    out = []
    sub = assessment.submission
    if sub.source is not None and Path(sub.source).is_file():
        src = Path(sub.source)
        out.append(AttachedFile(src.read_bytes(), src.name, f"Tệp Excel nguồn (SHA-256 {sub.sha256})", "Source"))
    applied = dict(assessment.settings or {})
    if assessment.interim is not None:  # the [interim] rules too: the points are projections
        applied["interim"] = assessment.interim.settings
    settings = json.dumps(applied, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    out.append(AttachedFile(settings.encode("utf-8"), "cau-hinh-cham-diem.json", "Cấu hình chấm điểm đã áp dụng",
                            "Supplement"))
    return out


class ReportTemplates:
    """The templates folder as a Jinja2 environment, built once per process and reused for every report."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = Path(templates_dir).resolve()
        if not (self.templates_dir / MAIN_TEMPLATE).is_file():
            raise RenderError(f"Không tìm thấy mẫu báo cáo \"{self.templates_dir / MAIN_TEMPLATE}\".",
                              hint="Kiểm tra paths.templates_dir trong config.toml.")
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

    def html(self, assessment: Assessment, config: Config, *, history: Comparison | None = None) -> str:
        """The report as HTML text: the year-end template, or the interim review's."""
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


_TEMPLATES: dict[Path, ReportTemplates] = {}


def get_templates(templates_dir: Path) -> ReportTemplates:
    """One environment per templates folder per process (the Renderer of that folder shares it)."""
    key = Path(templates_dir).resolve()
    if key not in _TEMPLATES:
        _TEMPLATES[key] = ReportTemplates(key)
    return _TEMPLATES[key]
