"""thidua: one filled Excel workbook of emulation criteria in, a PDF briefing out, mailed to the council.

The library API (the CLI is a thin layer over it). Names load on first use, so `import thidua` stays cheap
and the command line's fast paths (`--help`, `template`, `check`) never import pandas or WeasyPrint::

    import thidua
    config = thidua.load_config()                       # ./config.toml, or every default
    result = thidua.read_workbook("input/dong-thap-2022.xlsx")
    assessment = thidua.evaluate(result.submission, thidua.scoring_settings(config))
    thidua.render_pdf(assessment, config, "output/dong-thap-2022.pdf")
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from thidua.base.version import __version__

# Library code logs to "thidua.*"; only the CLI installs handlers.
logging.getLogger("thidua").addHandler(logging.NullHandler())

# Public name → the module that defines it.
_API = {
    "load_config": "thidua.base.config",
    "build_config": "thidua.base.config",
    "scoring_settings": "thidua.base.config",
    "interim_settings": "thidua.base.config",
    "Config": "thidua.base.config",
    "Issue": "thidua.base.model",
    "Submission": "thidua.base.model",
    "Assessment": "thidua.base.model",
    "ReadResult": "thidua.base.model",
    "ThiduaError": "thidua.base.errors",
    "read_workbook": "thidua.intake.reader",
    "write_template": "thidua.intake.template",
    "evaluate": "thidua.scoring.evaluate",
    "render_pdf": "thidua.report.pdf",
    "write_results": "thidua.report.results_workbook",
    "write_json": "thidua.report.results_json",
    "process_workbook": "thidua.pipeline",
    "run_workbook": "thidua.pipeline",
    "FileOutcome": "thidua.pipeline",
    "MailPlan": "thidua.pipeline",
    "build_cluster_report": "thidua.pipeline",
    "ClusterOutcome": "thidua.pipeline",
}

__all__ = [
    "__version__",
    "load_config",
    "build_config",
    "scoring_settings",
    "interim_settings",
    "Config",
    "Issue",
    "Submission",
    "Assessment",
    "ReadResult",
    "ThiduaError",
    "read_workbook",
    "write_template",
    "evaluate",
    "render_pdf",
    "write_results",
    "write_json",
    "process_workbook",
    "run_workbook",
    "FileOutcome",
    "MailPlan",
    "build_cluster_report",
    "ClusterOutcome",
]

if TYPE_CHECKING:
    from thidua.base.config import Config, build_config, interim_settings, load_config, scoring_settings
    from thidua.base.errors import ThiduaError
    from thidua.base.model import Assessment, Issue, ReadResult, Submission
    from thidua.intake.reader import read_workbook
    from thidua.intake.template import write_template
    from thidua.pipeline import (
        ClusterOutcome,
        FileOutcome,
        MailPlan,
        build_cluster_report,
        process_workbook,
        run_workbook,
    )
    from thidua.report.pdf import render_pdf
    from thidua.report.results_json import write_json
    from thidua.report.results_workbook import write_results
    from thidua.scoring.evaluate import evaluate


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562)."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'thidua' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
