"""A cluster's year from the ledger: select the members' latest results, rank them, add last year's ranks."""

from __future__ import annotations

from collections import Counter

from thidua.base.cluster_config import ClusterSettings, province_key
from thidua.base.ledger import Ledger
from thidua.cluster.members import belongs, select
from thidua.cluster.ranking import Ranking, rank
from thidua.cluster.store import files_seen, year_results

DEFAULT_TITLE = "Cụm thi đua"


def cluster_years(ledger: Ledger, settings: ClusterSettings) -> list[int]:
    """Years with at least one year-end result that belongs to the cluster, ascending."""
    return sorted({r.year for r in year_results(ledger) if belongs(settings, r.province, r.cluster)})


def rank_year(ledger: Ledger, settings: ClusterSettings, year: int, *, precision: int = 2,
              with_previous: bool = True) -> Ranking:
    """The ranking of `year` with the settings' rules; `previous_rank` from `year − 1` ranked the same way."""
    sel = select(settings, year, year_results(ledger, year), files_seen(ledger, year))
    named = Counter(r.cluster for r in sel.chosen.values() if r.cluster)
    title = settings.name or (named.most_common(1)[0][0] if named else DEFAULT_TITLE)
    ranking = rank(title, year, sel.chosen, missing=sel.missing, warnings=sel.warnings,
                   tie_breakers=settings.tie_breakers, awards=settings.awards, precision=precision)
    if with_previous and ranking.standings:
        before = rank_year(ledger, settings, year - 1, precision=precision, with_previous=False)
        ranks = {province_key(s.province): s.rank for s in before.standings}
        for s in ranking.standings:
            s.previous_rank = ranks.get(province_key(s.province))
    return ranking
