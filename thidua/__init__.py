"""thidua: turn one filled Excel workbook of emulation criteria into a PDF briefing."""

import logging

__version__ = "0.1.0"

# Library code logs to "thidua.*"; only the CLI installs handlers.
logging.getLogger("thidua").addHandler(logging.NullHandler())
