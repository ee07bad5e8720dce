"""Where each ranked province stands: the gap to the place above, the lead over the one below, and the
unmet criteria whose points would close the gap (largest first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thidua.base.rounding import half_up
from thidua.cluster.ranking import Ranking, Standing
from thidua.cluster.store import CriterionResult

MAIL_UNMET = 3  # unmet criteria named in each contact's mail


@dataclass
class Gap:
    """One province against its neighbours in the ranking."""

    standing: Standing
    above: Standing | None = None  # the nearest province placed higher
    below: Standing | None = None  # the nearest province placed lower
    gap_above: float | None = None  # points behind `above` (0 when level on points, behind on tie-breakers)
    lead_below: float | None = None  # points ahead of `below`
    closers: list[CriterionResult] = field(default_factory=list)  # enough unmet criteria to pass `above`
    closes: bool = False  # meeting the plan of `closers` would put it ahead of `above` on points

    @property
    def closer_points(self) -> float:
        return sum(c.available for c in self.closers)


def gaps(ranking: Ranking, precision: int = 2) -> list[Gap]:
    """A Gap per standing, in rank order."""
    out = []
    for s in ranking.standings:
        above = next((o for o in reversed(ranking.standings) if o.rank < s.rank), None)
        below = next((o for o in ranking.standings if o.rank > s.rank), None)
        gap = Gap(s, above, below)
        if above is not None:
            gap.gap_above = half_up(above.total - s.total, precision)
            total = 0.0
            for c in s.unmet:
                gap.closers.append(c)
                total += c.available
                if total > gap.gap_above:
                    gap.closes = True
                    break
        if below is not None:
            gap.lead_below = half_up(s.total - below.total, precision)
        out.append(gap)
    return out


def standings_brief(ranking: Ranking, precision: int = 2) -> dict[str, Any]:
    """Plain data for each contact's mail (kept in the ledger, so `send --pending` can write it again)."""
    n = len(ranking.standings)
    provinces: dict[str, Any] = {}
    for g in gaps(ranking, precision):
        s = g.standing
        provinces[s.province] = {
            "rank": s.rank, "total": s.total, "max_points": s.max_points, "award": s.award,
            "n_met_or_exceeded": s.n_met_or_exceeded, "n_criteria": s.n_criteria, "previous_rank": s.previous_rank,
            "above": g.above.province if g.above else None, "above_rank": g.above.rank if g.above else None,
            "gap_above": g.gap_above,
            "below": g.below.province if g.below else None, "below_rank": g.below.rank if g.below else None,
            "lead_below": g.lead_below,
            "unmet": [{"code": c.code, "name": c.name, "available": half_up(c.available, precision)}
                      for c in s.unmet[:MAIL_UNMET]],
        }
    return {"cluster": ranking.cluster, "year": ranking.year, "n_ranked": n, "provinces": provinces,
            "missing": list(ranking.missing)}
