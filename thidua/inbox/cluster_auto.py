"""Batch and watch keep the cluster report current: rebuild a year's report when a member's result changed.

It runs where the ledger is written (the dispatcher's process), after the files are recorded, never in a
worker; a failure is reported on its own and never touches the province files it followed. No mail is
sent from here: the contacts are mailed by `cluster --send`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from thidua.base.config import Config
from thidua.base.model import PERIOD_YEAR
from thidua.cluster.members import belongs
from thidua.inbox.dispatcher import Changed, Dispatcher
from thidua.pipeline import ClusterOutcome, build_cluster_report, cluster_stem

log = logging.getLogger(__name__)

OnCluster = Callable[[ClusterOutcome], None]


def years_to_rebuild(config: Config, changed: Iterable[Changed]) -> list[int]:
    """Years whose year-end result of a member changed (none when [cluster] has no member list or auto off)."""
    settings = config.cluster
    if not settings.rebuilds:
        return []
    return sorted({c.year for c in changed if c.period == PERIOD_YEAR and belongs(settings, c.province, c.cluster)})


def rebuild(config: Config, years: Iterable[int], on_cluster: OnCluster | None = None) -> list[ClusterOutcome]:
    """Rebuild each year's report (its JSON too when one was written before); errors become outcomes."""
    done = []
    for year in years:
        json_before = (config.output_dir / f"{cluster_stem(year)}.json").is_file()
        try:
            outcome = build_cluster_report(config, year, write_json=json_before)
        except Exception as exc:  # a system fault of ours: say so, keep serving the drop folder
            log.exception("rebuilding the cluster report of %s failed", year)
            outcome = ClusterOutcome(year, config.cluster.name, error=f"{type(exc).__name__}: {exc}")
        done.append(outcome)
        if on_cluster is not None:
            on_cluster(outcome)
    return done


class Rebuilder:
    """Watch mode: when the dispatcher is idle, rebuild in a background thread (one at a time)."""

    def __init__(self, config: Config, on_cluster: OnCluster | None = None) -> None:
        self.config, self.on_cluster = config, on_cluster
        self._thread: threading.Thread | None = None

    def poll(self, dispatcher: Dispatcher) -> None:
        """Start a rebuild for the changes recorded so far, unless one is still running."""
        if not dispatcher.changed or (self._thread is not None and self._thread.is_alive()):
            return
        years = years_to_rebuild(self.config, dispatcher.changed)
        dispatcher.changed.clear()
        if years:
            self._thread = threading.Thread(target=rebuild, args=(self.config, years, self.on_cluster),
                                            name="thidua-cluster", daemon=True)
            self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
