"""A cluster's year from the ledger: ranking → report (PDF, workbook, JSON) → mail to the contacts."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from thidua.base.config import Config
from thidua.pipeline.outcomes import ClusterOutcome, MailPlan, cluster_stem

if TYPE_CHECKING:
    from thidua.base.ledger import Ledger
    from thidua.cluster.ranking import Ranking

log = logging.getLogger(__name__)


def build_cluster_report(config: Config, year: int | None = None, *, write_json: bool = False,
                         mail: MailPlan | None = None) -> ClusterOutcome:
    """Rank the cluster's members for `year` (default: the latest year with results for the cluster) from
    the ledger's year-end results; write the PDF, the workbook (and JSON); mail the contacts when `mail`.
    Nothing to rank → an outcome with `ranked == 0` and no file written."""
    from thidua.base.errors import ConfigError
    from thidua.base.ledger import Ledger
    from thidua.cluster.build import cluster_years, rank_year

    settings = config.cluster
    if not settings.configured:
        raise ConfigError("Chưa khai báo Cụm thi đua: cần \"name\" hoặc \"members\" trong mục [cluster] của "
                          "config.toml.", hint="Xem mục \"Cụm thi đua\" trong README.md.")
    path = config.path("ledger.path")
    if not path.is_file():
        return ClusterOutcome(year, settings.name)
    with Ledger(path) as ledger:
        if year is None:
            years = cluster_years(ledger, settings)
            if not years:
                return ClusterOutcome(None, settings.name, missing=list(settings.members))
            year = years[-1]
        ranking = rank_year(ledger, settings, year, precision=int(config["scoring.points_precision"]))
        outcome = ClusterOutcome(year, ranking.cluster, ranked=len(ranking.standings), missing=ranking.missing,
                                 warnings=ranking.warnings, ranking=ranking)
        if not ranking.standings:
            return outcome
        _write_cluster_files(ranking, config, outcome, write_json)
        if mail is not None and outcome.pdf is not None:
            _mail_cluster(ranking, outcome, config, mail, ledger)
    return outcome


def _write_cluster_files(ranking: Ranking, config: Config, outcome: ClusterOutcome, write_json: bool) -> None:
    from thidua.report.cluster_pdf import render_cluster_pdf
    from thidua.report.cluster_workbook import write_cluster_workbook

    stem = config.output_dir / cluster_stem(ranking.year)
    outcome.outputs += [render_cluster_pdf(ranking, config, stem.with_suffix(".pdf")),
                        write_cluster_workbook(ranking, stem.with_suffix(".xlsx"))]
    if write_json:
        from thidua.report.cluster_json import write_json as write_cluster_json

        outcome.outputs.append(write_cluster_json(ranking, stem.with_suffix(".json")))


def _mail_cluster(ranking: Ranking, outcome: ClusterOutcome, config: Config, plan: MailPlan, ledger: Ledger) -> None:
    """Mail trouble never loses the report: what went wrong goes on `outcome`, `send --pending` retries."""
    from thidua.cluster.gaps import standings_brief
    from thidua.delivery.mailing import deliver_cluster

    assert outcome.pdf is not None
    brief = standings_brief(ranking, int(config["scoring.points_precision"]))
    try:
        summary = deliver_cluster(brief, outcome.pdf, config, send=plan.send, dry_run=plan.dry_run, force=plan.force,
                                  ledger=ledger)
        outcome.mail, outcome.mail_ok = summary.messages, summary.ok
    except Exception as exc:
        log.exception("mailing the cluster report failed")
        outcome.mail = [f"{outcome.pdf.name}: chưa gửi được thư: {type(exc).__name__}: {exc}"]
        outcome.mail_ok = False
