"""Run on a fair share of the cores when other vadkit jobs share the machine.

PyTorch gives each process as many intra-op threads as there are cores, and its OpenMP
threads spin for a while at the end of every parallel region instead of sleeping. Two jobs
on the same cores therefore run twice as many threads as cores, and each spins while the
thread it waits for is descheduled: on 2 cores, two demo trainings started together took
3.0-3.9x as long as one alone (17-18 -> 33-41 CPU seconds each: the extra is spinning),
where a fair share is 2x. With one thread each they took 1.04x.

So a job joins the per-machine registry of running jobs (:mod:`vadkit.utils.job_registry`)
and sets its threads to its share of the cores: every job gets what it would use alone while
those wants fit the cores, and otherwise a share of the cores proportional to its want (at
least one thread). The share is refreshed (at most once a second, from the thread that
runs the model) as jobs come and go, so a job that ends hands its cores back. A lone job
keeps every thread it had. ``VADKIT_CPU_SHARE=0`` turns this off.

The thread count changes float rounding (a demo training on 1 thread ends with other
weights than on 2). A deterministic run (``torch.use_deterministic_algorithms``, set by
``randomness=dict(deterministic=True)``) therefore takes its share once, when the run
starts, keeps it to the end and logs it: its numbers are then those of a lone run with
``OMP_NUM_THREADS`` set to that share, whatever other jobs do meanwhile.

While other jobs share the machine no kernel is chosen by timing (see
:func:`vadkit.models.layers.gemm_conv3d`): a timing taken under load is not the one alone.
"""
import atexit
import logging
import os
import threading
import time
from typing import List, Optional, Sequence, Set

import torch
from mmengine.logging import print_log

from .job_registry import JobRegistry

REFRESH_SECONDS = 1.0
# every torch thread count a share set in this process since the last reset: a run's figures
# are those of the threads it ran on, not of the count restored when it left
_THREADS_USED: Set[int] = set()


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def fair_threads(want: int, others: Sequence[int], cores: int) -> int:
    """Threads for a job that would use ``want`` alone, beside jobs that would use
    ``others``, on ``cores`` cores: ``want`` while all wants fit the cores, else a share
    of the cores proportional to ``want``, at least 1."""
    want = max(1, int(want))
    total = want + sum(max(1, int(o)) for o in others)
    if total <= cores:
        return want
    return max(1, min(want, cores * want // total))


def enabled_by_env() -> bool:
    return os.environ.get('VADKIT_CPU_SHARE', '1').strip().lower() not in ('0', 'false',
                                                                          'no', 'off')


class CPUShare:
    """This process' place among the vadkit jobs of the machine, and its thread count.

    Args:
        registry: The job registry (default: the machine's).
        cores: Cores to share (default: this process' usable cores).
        interval: Seconds between two looks at the registry in :meth:`refresh`.
    """

    def __init__(self, registry: Optional[JobRegistry] = None, cores: Optional[int] = None,
                 interval: float = REFRESH_SECONDS) -> None:
        self.registry = registry or JobRegistry()
        self.cores = cores or usable_cores()
        self.interval = interval
        self.want: Optional[int] = None
        self.threads: Optional[int] = None
        self.other_jobs = 0
        self.fixed = False  # deterministic run: threads kept from the first look on
        self._last = 0.0

    @property
    def joined(self) -> bool:
        return self.registry.registered

    def join(self) -> int:
        """Register with the thread count this process has now, take the share; returns it."""
        if not self.joined:
            self.want = torch.get_num_threads()
            self.threads = self.want
            self.registry.register(self.want)
        return self.refresh(force=True)

    def leave(self) -> None:
        """Unregister and take back the threads this process had when it joined."""
        if not self.joined:
            return
        self.registry.unregister()
        if self.want is not None and torch.get_num_threads() != self.want:
            torch.set_num_threads(self.want)
        self.threads, self.other_jobs, self.fixed = self.want, 0, False

    def sharing(self) -> bool:
        """Whether other vadkit jobs were running at the last look."""
        return self.joined and self.other_jobs > 0

    def refresh(self, force: bool = False) -> int:
        """Look at the registry (at most every ``interval`` seconds unless ``force``) and
        set torch's intra-op threads to this job's share; returns the thread count.

        With deterministic algorithms on, the thread count is fixed at the first look and
        kept to the end: the float results depend on it, and a run must not change its
        numbers because another job ended half-way."""
        if not self.joined:
            return torch.get_num_threads()
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return self.threads
        self._last = now
        self.registry.touch()  # still working: the others count this job
        deterministic = torch.are_deterministic_algorithms_enabled()
        if not deterministic:
            self.fixed = False
        elif self.fixed:
            return self.threads
        others = self.registry.others()
        threads = fair_threads(self.want, [o.threads for o in others], self.cores)
        changed = threads != self.threads or len(others) != self.other_jobs
        self.other_jobs = len(others)
        if threads != torch.get_num_threads():
            torch.set_num_threads(threads)
        _THREADS_USED.add(threads)
        if deterministic:
            self.fixed = True
            if others or threads != self.want:
                print_log(f'CPU share: {len(others) + 1} vadkit jobs on {self.cores} cores: '
                          f'{threads} torch thread{"s" * (threads > 1)} for this whole run. '
                          'It is deterministic, but its numbers are those of a run with '
                          f'OMP_NUM_THREADS={threads}, not of a lone run ({self.want} '
                          'threads): to reproduce a lone run\'s figures, run it alone or set '
                          'VADKIT_CPU_SHARE=0 (slower beside other jobs)', logger='current',
                          level=logging.WARNING)
        elif changed:
            jobs = len(others) + 1
            print_log(f'CPU share: {jobs} vadkit job{"s" * (jobs > 1)} on {self.cores} '
                      f'cores: {threads} torch thread{"s" * (threads > 1)} (alone: '
                      f'{self.want})', logger='current')
        self.threads = threads
        return threads


_SHARE: Optional[CPUShare] = None
_LOCK = threading.Lock()


def join_cpu_share() -> Optional[CPUShare]:
    """Register this process as a vadkit job and take its share of the cores (once per
    process; ``None`` when turned off by ``VADKIT_CPU_SHARE=0`` or unsupported)."""
    global _SHARE
    if not enabled_by_env():
        return None
    with _LOCK:
        if _SHARE is None:
            share = CPUShare()
            if not share.registry.supported:
                return None
            try:
                share.join()
            except OSError as e:  # e.g. a read-only temp dir: run as if alone
                print_log(f'CPU share: cannot use the job registry ({e}); using '
                          f'{torch.get_num_threads()} threads', logger='current', level=30)
                return None
            atexit.register(share.registry.unregister)
            _SHARE = share
    return _SHARE


def refresh_cpu_share() -> None:
    """Adjust the threads to the current share, if this process joined (cheap: the
    registry is read at most once a second). Call it from the thread that runs the model."""
    if _SHARE is not None:
        _SHARE.refresh()


def leave_cpu_share() -> None:
    """Leave the registry and take back the threads this process had alone."""
    global _SHARE
    with _LOCK:
        if _SHARE is not None:
            _SHARE.leave()
            _SHARE = None


def threads_used() -> List[int]:
    """The torch thread counts this process ran on since :func:`reset_threads_used` (or its
    start), as set by its CPU share; the present count when it never took a share (e.g.
    ``VADKIT_CPU_SHARE=0``). A job that shared the cores reports ``[1]`` after it left the
    share, although ``torch.get_num_threads()`` then says what it has alone."""
    return sorted(_THREADS_USED) or [torch.get_num_threads()]


def reset_threads_used() -> None:
    """Start a new record of :func:`threads_used` (e.g. for the next member of an ensemble);
    a job that holds a share goes on counting its present threads."""
    _THREADS_USED.clear()
    if _SHARE is not None and _SHARE.threads is not None:
        _THREADS_USED.add(_SHARE.threads)


def sharing_cpu() -> bool:
    """Whether other vadkit jobs share the machine (as of the last refresh)."""
    return _SHARE is not None and _SHARE.sharing()
