"""The command line: the only place that prints, exits or shows a traceback."""
