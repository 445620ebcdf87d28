"""A terminal for people: the environment and config dump stay in the log file.

mmengine's runner logs the system environment, the whole config and the list of hooks
(about 300 lines) before the first progress line. They belong in the run's log file, where
they record what ran; on the terminal they bury what matters (what is trained on what data,
progress, the result). :func:`quiet_console` adds a filter to the console handlers of a
logger that drops those records and leaves the file handlers alone. ``VADKIT_VERBOSE=1`` (or
``--verbose`` of the tools) keeps everything on the terminal.
"""
import logging
import os
import re
from typing import Callable, List, Tuple

#: Environment variable that keeps the full dump on the terminal.
VERBOSE_ENV = 'VADKIT_VERBOSE'


def _starts(text: str) -> Callable[[str], bool]:
    return lambda msg: msg.startswith(text)


def _has(text: str) -> Callable[[str], bool]:
    return lambda msg: text in msg


#: Records for the log file only: (what they are, how to recognise their message).
FILE_ONLY: List[Tuple[str, Callable[[str], bool]]] = [
    # Runner._log_env: '\n-----\nSystem environment:\n ... Runtime environment: ...'
    ('environment', lambda msg: bool(re.match(r'\s*-*\s*System environment:', msg))),
    ('config', _starts('Config:\n')),  # Runner._log_env: the whole config, pretty-printed
    ('hooks', _starts('Hooks will be executed in the following order')),
    ('SyncBN note', _starts('Distributed training is not used, all SyncBatchNorm')),
    # deprecation notes of mmengine's own CheckpointHook: nothing a user can change
    ('FileClient deprecation', _has('"FileClient" will be deprecated')),
    ('backend alias deprecation', _has('"HardDiskBackend" is the alias')),
]


class FileOnlyRecords(logging.Filter):
    """Drops the records of :data:`FILE_ONLY` (on the handler it is added to)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001  (a malformed record is not ours to judge)
            return True
        return not any(match(msg) for _, match in FILE_ONLY)


def verbose_requested() -> bool:
    """``VADKIT_VERBOSE`` set to a true value."""
    return os.environ.get(VERBOSE_ENV, '').lower() not in ('', '0', 'false', 'no')


def console_handlers(logger: logging.Logger) -> List[logging.Handler]:
    """The handlers of ``logger`` that write to a terminal stream, not to a file."""
    return [h for h in logger.handlers
            if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)]


def quiet_console(logger: logging.Logger) -> logging.Logger:
    """Keep the environment/config dump of ``logger`` out of its console handlers (unless
    ``VADKIT_VERBOSE`` is set); its file handlers still get every record. Idempotent."""
    if verbose_requested():
        return logger
    for handler in console_handlers(logger):
        if not any(isinstance(f, FileOnlyRecords) for f in handler.filters):
            handler.addFilter(FileOnlyRecords())
    return logger
