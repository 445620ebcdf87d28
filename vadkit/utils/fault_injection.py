"""Deterministic crashes for tests of crash safety.

``VADKIT_CRASH_AT=<point>[:<n>]`` kills the process with SIGKILL the ``n``-th time (default
first) it reaches the named point, exactly as an out-of-memory kill or a power cut would stop
it there. Unset (always, outside such tests), :func:`crash_point` does nothing.
Points: ``checkpoint_write`` (a checkpoint's temporary file is written, not yet renamed),
``pointer_write`` (the same for the ``last_checkpoint`` pointer),
``train_iter``, ``test_iter``, ``train_epoch_start`` (see
:class:`vadkit.engine.hooks.CrashPointHook`).
"""
import os
import signal
from collections import Counter

ENV = 'VADKIT_CRASH_AT'
_reached: Counter = Counter()


def crash_point(name: str) -> None:
    """SIGKILL this process if ``VADKIT_CRASH_AT`` names ``name`` and this is its turn."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    point, _, nth = spec.partition(':')
    if point != name:
        return
    _reached[name] += 1
    if _reached[name] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
