"""One workbook end to end: intake → scoring → report → signing → delivery (batch, watch and the web call
this); and a cluster's year from the ledger: ranking → report → mail to the contacts.

outcomes (what a run did) ← ledger_lookups (earlier years) ← workbook (one file to its outputs) ← flow (sign,
deliver, faults); cluster_year (the cluster's report) beside them.
"""

from thidua.pipeline.cluster_year import build_cluster_report
from thidua.pipeline.flow import deliver, run_workbook, sign
from thidua.pipeline.ledger_lookups import earlier_years, last_year_actuals
from thidua.pipeline.outcomes import (
    UNSIGNED_SUFFIX,
    ClusterOutcome,
    FileOutcome,
    MailPlan,
    ProcessFn,
    cluster_stem,
    output_stem,
)
from thidua.pipeline.workbook import process_workbook

__all__ = [
    "UNSIGNED_SUFFIX", "ClusterOutcome", "FileOutcome", "MailPlan", "ProcessFn", "build_cluster_report",
    "cluster_stem", "deliver", "earlier_years", "last_year_actuals", "output_stem", "process_workbook",
    "run_workbook", "sign",
]
