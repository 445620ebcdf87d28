"""An exclusive lock between processes, held on a lock file while something is built.

Two jobs started together on fresh data both find the synthetic videos or the decoded-frame
cache missing; without a lock both build it (twice the work, on the cores they share) and one
can replace files the other is reading. The builder takes this lock, checks again whether the
thing is there (another process may have built it while it waited) and builds it only if not;
what it builds is written under a temporary name and renamed into place, so a reader never
sees it half-written. The lock is ``flock(2)`` on ``<path>``: the kernel releases it when
the holder exits, so a crashed builder never leaves it taken. Where ``fcntl`` does not exist
(Windows) nothing is locked.
"""
import contextlib
import os
import os.path as osp
from typing import Iterator

from mmengine.logging import print_log

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


@contextlib.contextmanager
def exclusive_file_lock(path: str, what: str = '') -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (created if missing) for the ``with``
    block; while another process holds it, wait (saying so once, naming ``what``)."""
    if fcntl is None:
        yield
        return
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print_log(f'waiting for another process that is preparing {what or path} ...',
                      logger='current')
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
