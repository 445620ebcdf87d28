"""Which vadkit jobs are running on this machine, and how many threads each would use.

Each running job (a training, a test, a detector) keeps one small file in a shared
directory, ``$VADKIT_JOBS_DIR`` or ``<tmp>/vadkit-jobs``, and holds an exclusive ``flock``
on it for as long as it runs. Another job lists the directory and tries to lock each file:
a file it cannot lock belongs to a live job; one it can lock belongs to a job that died
without cleaning up (the kernel drops a dead process' locks), and is removed. No daemon,
and a killed job stops counting at once. A live job touches its file whenever it looks at
the registry (at most once a second while it computes); one whose file has not been
touched for ``IDLE_SECONDS`` (an idle Python session that once ran a detector) is not
counted until it works again.

A file holds ``{"pid", "threads", "cmd"}``: ``threads`` is what the job would use alone
(its intra-op thread count when it joined), which the others need to compute their share
(:mod:`vadkit.utils.cpu_share`).
"""
import json
import os
import os.path as osp
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from typing import List, Optional

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no registry, every job runs as if alone
    fcntl = None

SUFFIX = '.job'
IDLE_SECONDS = 60.0


def default_jobs_dir() -> str:
    """``$VADKIT_JOBS_DIR``, else ``<tmp>/vadkit-jobs`` (shared by every user, sticky like
    ``/tmp``), else ``<tmp>/vadkit-jobs-<uid>`` if that one is not writable."""
    env = os.environ.get('VADKIT_JOBS_DIR')
    if env:
        return env
    shared = osp.join(tempfile.gettempdir(), 'vadkit-jobs')
    try:
        _make_shared_dir(shared)
        if os.access(shared, os.W_OK | os.X_OK):
            return shared
    except OSError:
        pass
    uid = os.getuid() if hasattr(os, 'getuid') else 0
    return osp.join(tempfile.gettempdir(), f'vadkit-jobs-{uid}')


def _make_shared_dir(path: str) -> None:
    if not osp.isdir(path):
        os.makedirs(path, exist_ok=True)
        try:
            os.chmod(path, 0o1777)  # any user's jobs register; each removes only its own
        except OSError:
            pass


@dataclass
class JobEntry:
    """A live job as its registry file describes it."""
    pid: int
    threads: int
    cmd: str
    path: str


class JobRegistry:
    """This process' entry in the registry of running jobs, and a view of the others'.

    Args:
        jobs_dir: The registry directory (default :func:`default_jobs_dir`).
    """

    def __init__(self, jobs_dir: Optional[str] = None) -> None:
        self.jobs_dir = jobs_dir or default_jobs_dir()
        self.path: Optional[str] = None
        self._fd: Optional[int] = None

    @property
    def supported(self) -> bool:
        return fcntl is not None

    def register(self, threads: int) -> None:
        """Enter this process with the thread count it would use alone (no-op if it is
        already registered). The entry is written under a temporary name, locked, then
        renamed, so others never read a half-written one."""
        if self._fd is not None or fcntl is None:
            return
        _make_shared_dir(self.jobs_dir)
        name = f'{os.getpid()}-{uuid.uuid4().hex[:8]}'
        tmp = osp.join(self.jobs_dir, f'.{name}.tmp')
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        cmd = osp.basename(sys.argv[0]) if sys.argv and sys.argv[0] else 'python'
        os.write(fd, json.dumps(dict(pid=os.getpid(), threads=int(threads),
                                     cmd=cmd)).encode())
        self.path = osp.join(self.jobs_dir, name + SUFFIX)
        os.replace(tmp, self.path)
        self._fd = fd

    def unregister(self) -> None:
        """Leave the registry (also done by the kernel, in effect, when the process ends)."""
        if self._fd is None:
            return
        try:
            os.remove(self.path)
        except OSError:
            pass
        os.close(self._fd)
        self._fd, self.path = None, None

    @property
    def registered(self) -> bool:
        return self._fd is not None

    def touch(self) -> None:
        """Mark this job as working now (its file's modification time)."""
        if self._fd is not None:
            try:
                os.utime(self._fd)
            except (OSError, NotImplementedError):
                pass

    def others(self, idle_after: float = IDLE_SECONDS) -> List[JobEntry]:
        """The other live jobs that worked in the last ``idle_after`` seconds; entries of
        dead jobs are removed on the way."""
        if fcntl is None:
            return []
        try:
            names = os.listdir(self.jobs_dir)
        except OSError:
            return []
        own = osp.basename(self.path) if self.path else None
        live = []
        now = time.time()
        for name in sorted(names):
            if not name.endswith(SUFFIX) or name == own:
                continue
            path = osp.join(self.jobs_dir, name)
            entry = self._read_live(path)
            try:
                if entry is not None and now - os.stat(path).st_mtime > idle_after:
                    continue  # alive but idle: not counted until it works again
            except OSError:
                continue
            if entry is not None:
                live.append(entry)
        return live

    @staticmethod
    def _read_live(path: str) -> Optional[JobEntry]:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:  # removed meanwhile: that job has left
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:  # its owner holds it: alive
                data = os.read(fd, 4096)
                try:
                    info = json.loads(data.decode())
                    return JobEntry(int(info['pid']), max(1, int(info['threads'])),
                                    str(info.get('cmd', '')), path)
                except (ValueError, KeyError, TypeError):
                    return JobEntry(-1, 1, '?', path)  # a live job all the same
            try:  # nobody holds it: its job died; tidy up
                os.remove(path)
            except OSError:
                pass
            return None
        finally:
            os.close(fd)
