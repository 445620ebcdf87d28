"""A test run's self-contained HTML report: summary, metrics, score curves, events and the
frames around them, built from the run's saved files (no model). See ``docs/report.md``."""
from .html_report import REPORT_NAME, write_report
from .run_files import ReportInputError, load_test_run
from .threshold_events import choose_threshold, find_events

__all__ = ['REPORT_NAME', 'ReportInputError', 'choose_threshold', 'find_events',
           'load_test_run', 'write_report']
