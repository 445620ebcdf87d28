"""One run at a time per work dir.

A run takes an exclusive ``fcntl.flock`` on ``<work dir>/.vadkit.lock`` before writing
anything there, and writes who holds it (pid, host, command, start time) into the file. A
second run into the same dir is refused with that holder named. The kernel drops the lock
when the holding process ends in any way (SIGKILL included), so a killed run never leaves a
stale lock: the next run simply takes it. Within one process the lock is re-entrant (a
runner built after another one on the same dir, in tests or notebooks, shares it).
"""
import fcntl
import json
import os
import os.path as osp
import socket
import sys
import time
from typing import Dict, Optional

from .errors import VadkitError

LOCK_NAME = '.vadkit.lock'
_held: Dict[str, int] = {}  # real path of a locked dir -> fd, for this process


class WorkDirBusyError(VadkitError, RuntimeError):
    """Another process is running in the work dir."""


def _holder_text(fd: int) -> str:
    for _ in range(20):  # the holder writes its line right after locking
        os.lseek(fd, 0, os.SEEK_SET)
        data = os.read(fd, 65536).decode('utf-8', 'replace').strip()
        if data:
            try:
                info = json.loads(data)
                return (f"pid {info['pid']} on {info['host']}, started {info['started']}: "
                        f"{info['command']}")
            except (ValueError, KeyError):
                return data
        time.sleep(0.05)
    return 'a process that has not written its name yet'


def lock_work_dir(work_dir: str, role: str = 'run') -> None:
    """Take the work dir's lock for this process, or raise :class:`WorkDirBusyError`
    naming the process that holds it. ``role`` (e.g. ``'train'``) is recorded."""
    real = osp.realpath(work_dir)
    if real in _held:
        return
    os.makedirs(real, exist_ok=True)
    fd = os.open(osp.join(real, LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder_text(fd)
        os.close(fd)
        raise WorkDirBusyError(
            f'work dir {work_dir} is in use by {holder}. Wait for that run to end, or give '
            'this one another --work-dir (a test: another --out-dir)') from None
    info = dict(pid=os.getpid(), host=socket.gethostname(), role=role,
                started=time.strftime('%Y-%m-%d %H:%M:%S %Z'),
                command=' '.join([osp.basename(sys.executable)] + sys.argv))
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, (json.dumps(info) + '\n').encode())
    os.fsync(fd)
    _held[real] = fd


def holds_lock(work_dir: str) -> bool:
    """Whether this process holds the work dir's lock (taken by :func:`lock_work_dir`)."""
    return osp.realpath(work_dir) in _held


def unlock_work_dir(work_dir: str) -> None:
    """Release the lock taken by :func:`lock_work_dir` (the end of the process does too)."""
    fd: Optional[int] = _held.pop(osp.realpath(work_dir), None)
    if fd is not None:
        os.close(fd)  # the lock file stays: removing it would race with a new holder
