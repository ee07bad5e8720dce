"""Render a cluster's ranking to a PDF/A report with the province report's renderer, fonts and CSS (in the
layout helper when a cold `cluster` started one)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from thidua.base.atomic import write_bytes
from thidua.base.config import Config
from thidua.cluster.ranking import Ranking
from thidua.report import cluster_json, layout_process
from thidua.report.cluster_context import cluster_context
from thidua.report.templating import AttachedFile, get_templates

if TYPE_CHECKING:
    from thidua.report.pdf import Renderer

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
    templates = renderer.templates if renderer is not None else get_templates(config.templates_dir)
    return templates.render_template(CLUSTER_TEMPLATE, cluster_context(ranking, config))


def render_cluster_pdf(ranking: Ranking, config: Config, out_path: Path, *, renderer: Renderer | None = None) -> Path:
    """Write the cluster report atomically to `out_path`; it carries the JSON document as its data."""
    text = html(ranking, config, renderer)
    when = _moment(ranking)
    files = [AttachedFile(cluster_json.dumps(ranking).encode("utf-8"), f"cum-thi-dua-{ranking.year}.json",
                          f"Kết quả xếp hạng ({cluster_json.SCHEMA})", "Data")]

    def here() -> Path:
        from thidua.report.pdf import as_attachments, get_renderer

        made = (renderer or get_renderer(config.templates_dir)).pdf_from_html(
            text, config, when, lambda: as_attachments(files, when))
        return write_bytes(Path(out_path), made)

    request = layout_process.LayoutRequest(text, config, when, files)
    if renderer is not None:  # the caller's renderer, here
        return here()
    return layout_process.lay_out(Path(out_path), config, lambda: request, here).wait()
