"""Render a cluster's ranking to a PDF/A report with the province report's renderer, fonts and CSS."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from weasyprint import Attachment

from thidua.base.atomic import write_bytes
from thidua.base.config import Config
from thidua.cluster.ranking import Ranking
from thidua.report import cluster_json
from thidua.report.cluster_context import cluster_context
from thidua.report.pdf import Renderer, get_renderer

CLUSTER_TEMPLATE = "cluster/report.html.j2"


def _moment(ranking: Ranking) -> dt.datetime:
    """The latest processing of a result it ranks (UTC): the same ledger gives a byte-identical PDF, so a
    contact is mailed once per content."""
    times = []
    for s in ranking.standings:
        try:
            times.append(dt.datetime.fromisoformat(s.result.processed_at))
        except ValueError:
            continue
    latest = max(times, default=dt.datetime(ranking.year + 1, 1, 1))
    return latest.astimezone(dt.UTC).replace(tzinfo=None)


def html(ranking: Ranking, config: Config, renderer: Renderer | None = None) -> str:
    renderer = renderer or get_renderer(config.templates_dir)
    return renderer.render_template(CLUSTER_TEMPLATE, cluster_context(ranking, config))


def render_cluster_pdf(ranking: Ranking, config: Config, out_path: Path, *, renderer: Renderer | None = None) -> Path:
    """Write the cluster report atomically to `out_path`; it carries the JSON document as its data."""
    renderer = renderer or get_renderer(config.templates_dir)
    text = html(ranking, config, renderer)
    when = _moment(ranking)
    data = cluster_json.dumps(ranking).encode("utf-8")

    def attachments() -> list[Attachment]:
        return [Attachment(file_obj=io.BytesIO(data), name=f"cum-thi-dua-{ranking.year}.json",
                           description=f"Kết quả xếp hạng ({cluster_json.SCHEMA})", relationship="Data",
                           created=when, modified=when)]

    return write_bytes(Path(out_path), renderer.pdf_from_html(text, config, when, attachments))
