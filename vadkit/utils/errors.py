"""Known user errors, and how command-line tools report them.

A :class:`VadkitError` is a mistake in what the user gave (a config, a path, a checkpoint, a
value): the message names the thing and the fix. Tools run their ``main`` through
:func:`run_cli`, which prints such an error in one line and exits with status 2; the full
traceback is printed only with ``--debug`` (or ``VADKIT_DEBUG=1``). Anything else is a bug
and keeps its traceback.
"""
import os
import sys
import traceback
from typing import Callable, Optional

#: Exit status of a run refused because of what the user gave it.
USER_ERROR_EXIT = 2


class VadkitError(Exception):
    """A user error whose message says what is wrong and how to fix it."""

    def __str__(self) -> str:  # KeyError subclasses would print the repr otherwise
        return str(self.args[0]) if self.args else ''


def debug_requested(argv: Optional[list] = None) -> bool:
    """``--debug`` on the command line or ``VADKIT_DEBUG`` set to a true value."""
    argv = sys.argv if argv is None else argv
    return '--debug' in argv or os.environ.get('VADKIT_DEBUG', '') not in ('', '0', 'false')


def run_cli(main: Callable[[], Optional[int]]) -> None:
    """Run a tool's ``main`` and exit: 0 on success (or the int ``main`` returns), 2 with
    one clear line for a :class:`VadkitError`, the traceback for anything else (and for
    user errors with ``--debug``)."""
    if '--debug' in sys.argv:
        sys.argv.remove('--debug')
        os.environ['VADKIT_DEBUG'] = '1'
    try:
        code = main()
    except VadkitError as e:
        if debug_requested():
            traceback.print_exc()
        name = os.path.basename(sys.argv[0]) if sys.argv else 'vadkit'
        print(f'{name}: error: {e}', file=sys.stderr, flush=True)
        if not debug_requested():
            print('(run again with --debug for the traceback)', file=sys.stderr)
        sys.exit(USER_ERROR_EXIT)
    # tools' mains may return their results (for tests and notebooks): only an int is a status
    sys.exit(code if isinstance(code, int) else 0)
