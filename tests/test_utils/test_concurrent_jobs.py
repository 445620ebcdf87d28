"""Jobs sharing a machine: the thread share from the job registry, and data built once.

Nothing here is timed: the share is computed from registered jobs, the builders are
counted, and what a reader could see is checked while the builder writes.
"""
import contextlib
import os
import os.path as osp
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
import torch

from vadkit.datasets import generate_synthetic_dataset
from vadkit.datasets.frame_store import FrameDecoder, FrameStore
from vadkit.datasets.layouts import synthetic_layout
from vadkit.datasets.layouts.frames_layout import FramesLayout
from vadkit.datasets.layouts.synthetic_layout import SyntheticLayout
from vadkit.models.layers import gemm_conv3d
from vadkit.utils import cpu_share
from vadkit.utils.cpu_share import CPUShare, fair_threads
from vadkit.utils.job_registry import JobRegistry

needs_flock = pytest.mark.skipif(not JobRegistry().supported, reason='needs fcntl.flock')


@pytest.fixture
def torch_threads():
    # a share joined by an earlier test in this worker (a detector, an in-process tool)
    # would set the threads under test: start and end without one
    cpu_share.leave_cpu_share()
    before = torch.get_num_threads()
    yield
    cpu_share.leave_cpu_share()
    torch.set_num_threads(before)



def run_twice_at_once(job) -> list:
    """Run ``job`` in two threads at once; return the exceptions they raised."""
    errors = []

    def guarded():
        try:
            job()
        except BaseException as e:  # noqa: BLE001 - reported to the caller
            errors.append(e)
    threads = [threading.Thread(target=guarded) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors

def test_fair_threads():
    assert fair_threads(2, [], 2) == 2  # alone: everything it had
    assert fair_threads(2, [2], 2) == 1  # two jobs on two cores: one each
    assert fair_threads(8, [8], 16) == 8  # wants that fit the cores are kept
    assert fair_threads(16, [16], 16) == 8
    assert fair_threads(16, [16, 16, 16], 16) == 4
    assert fair_threads(2, [2, 2], 2) == 1  # never below one thread
    assert fair_threads(4, [1], 4) == 3  # proportional to what each would use alone
    assert fair_threads(1, [4], 4) == 1


@needs_flock
def test_share_follows_jobs_as_they_come_and_go(tmp_path, torch_threads):
    torch.set_num_threads(4)
    share = CPUShare(JobRegistry(str(tmp_path)), cores=4)
    assert share.join() == 4 and not share.sharing()  # a lone job keeps its threads
    other = JobRegistry(str(tmp_path))
    other.register(4)
    assert share.refresh(force=True) == 2 and torch.get_num_threads() == 2
    assert share.sharing()
    third = JobRegistry(str(tmp_path))
    third.register(4)
    assert share.refresh(force=True) == 1
    other.unregister()
    third.unregister()
    assert share.refresh(force=True) == 4 and torch.get_num_threads() == 4
    assert not share.sharing()
    other.register(4)
    share.refresh(force=True)
    share.leave()  # leaving gives back the threads the job had alone
    assert torch.get_num_threads() == 4 and not share.joined
    assert [osp.basename(e.path) for e in JobRegistry(str(tmp_path)).others()] == [
        osp.basename(other.path)]


@needs_flock
def test_refresh_looks_at_the_registry_at_most_once_an_interval(tmp_path, torch_threads):
    torch.set_num_threads(2)
    share = CPUShare(JobRegistry(str(tmp_path)), cores=2, interval=3600)
    share.join()
    JobRegistry(str(tmp_path)).register(2)
    assert share.refresh() == 2  # the last look was just now
    assert share.refresh(force=True) == 1


@contextlib.contextmanager
def deterministic_beside_another_job(registry_dir):
    """A 2-thread job's share on 2 cores beside another 2-thread job, with deterministic
    algorithms on inside the block: yields ``(share, other job)``."""
    torch.set_num_threads(2)
    share = CPUShare(JobRegistry(registry_dir), cores=2)
    other = JobRegistry(registry_dir)
    other.register(2)
    was = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        yield share, other
    finally:
        torch.use_deterministic_algorithms(was)


@needs_flock
def test_a_deterministic_run_keeps_the_share_it_started_with(tmp_path, torch_threads):
    with deterministic_beside_another_job(str(tmp_path)) as (share, other):
        assert share.join() == 1
        other.unregister()  # the other job ends half-way: the threads (numbers) stay
        assert share.refresh(force=True) == 1 and torch.get_num_threads() == 1
    assert share.refresh(force=True) == 2


@needs_flock
def test_a_run_reports_the_threads_it_ran_on_not_those_given_back(tmp_path, torch_threads):
    from vadkit.utils.machine import describe_machine, machine_info
    torch.set_num_threads(2)
    cpu_share.reset_threads_used()
    assert cpu_share.threads_used() == [2]  # never shared: the present count
    with deterministic_beside_another_job(str(tmp_path)) as (share, other):
        assert share.join() == 1
    share.leave()  # the run ends: 2 threads again, but its figures are 1-thread figures
    assert torch.get_num_threads() == 2
    assert cpu_share.threads_used() == [1]
    info = machine_info()
    assert info['torch_threads'] == 1 and ', 1 thread,' in describe_machine(info)
    share.join()  # a run whose share changed: both counts, and why
    other.unregister()
    share.refresh(force=True)
    share.leave()
    info = machine_info()
    assert info['torch_threads'] == [1, 2]
    assert '1 and 2 threads (the count changed' in describe_machine(info)
    cpu_share.reset_threads_used()
    assert cpu_share.threads_used() == [2]


@needs_flock
def test_an_idle_job_stops_counting_until_it_works_again(tmp_path, torch_threads):
    torch.set_num_threads(2)
    share = CPUShare(JobRegistry(str(tmp_path)), cores=2)
    share.join()
    other = JobRegistry(str(tmp_path))
    other.register(2)
    assert share.refresh(force=True) == 1
    past = time.time() - 2 * 3600
    os.utime(other.path, (past, past))  # e.g. a Python session that ran a detector once
    assert share.refresh(force=True) == 2
    other.touch()
    assert share.refresh(force=True) == 1


@needs_flock
def test_a_killed_job_stops_counting_and_its_entry_is_removed(tmp_path):
    script = textwrap.dedent('''
        import sys, time
        from vadkit.utils.job_registry import JobRegistry
        JobRegistry(sys.argv[1]).register(2)
        print('registered', flush=True)
        time.sleep(600)
    ''')
    proc = subprocess.Popen([sys.executable, '-c', script, str(tmp_path)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == 'registered'
        live = JobRegistry(str(tmp_path)).others()
        assert [(e.pid, e.threads) for e in live] == [(proc.pid, 2)]
    finally:
        proc.send_signal(signal.SIGKILL)  # no clean-up of its own
        proc.wait()
    assert JobRegistry(str(tmp_path)).others() == []
    assert [n for n in os.listdir(tmp_path) if n.endswith('.job')] == []


def test_share_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv('VADKIT_CPU_SHARE', '0')
    monkeypatch.setenv('VADKIT_JOBS_DIR', str(tmp_path))
    monkeypatch.setattr(cpu_share, '_SHARE', None)
    assert cpu_share.join_cpu_share() is None
    assert os.listdir(tmp_path) == []


def test_no_kernel_choice_by_timing_while_sharing(monkeypatch):
    conv = torch.nn.Conv3d(2, 3, 3, stride=2, padding=1)
    x = torch.randn(1, 2, 4, 8, 8).contiguous(memory_format=torch.channels_last_3d)
    out = conv(x).contiguous(memory_format=torch.channels_last_3d)
    conf = ((2, 2, 2), (1, 1, 1), (0, 0, 0), False, True)
    monkeypatch.setattr(gemm_conv3d, '_MEASURED', {})
    monkeypatch.setattr(gemm_conv3d, 'sharing_cpu', lambda: True)
    assert gemm_conv3d._gemm_is_faster(out, x, conv.weight, conf) is False
    assert gemm_conv3d._MEASURED == {}  # nothing remembered: measured once alone
    monkeypatch.setattr(gemm_conv3d, 'sharing_cpu', lambda: False)
    gemm_conv3d._gemm_is_faster(out, x, conv.weight, conf)
    assert len(gemm_conv3d._MEASURED) == 1


# ---------------------------------------------------------------- data built once
def _videos(tmp_path):
    root = generate_synthetic_dataset(str(tmp_path / 'data'), num_train=2, num_test=1,
                                      num_frames=12, size=16)
    return FramesLayout(root).load('train')


def _slow(monkeypatch, cls, name, calls, seconds=0.3):
    """Wrap ``cls.name``: count its calls and make it slow enough for a second caller to
    arrive while it runs."""
    original = getattr(cls, name)

    def wrapped(*args, **kwargs):
        calls.append(threading.get_ident())
        time.sleep(seconds)
        return original(*args, **kwargs)
    monkeypatch.setattr(cls, name, wrapped)


@needs_flock
def test_two_jobs_build_the_frame_cache_once(tmp_path, monkeypatch):
    videos = _videos(tmp_path)
    builds = []
    _slow(monkeypatch, FrameStore, '_build_cache', builds)
    stores = []
    errors = run_twice_at_once(lambda: stores.append(
        FrameStore(videos, [], cache_dir=str(tmp_path / 'cache'), name='t')))
    assert not errors and len(builds) == 1
    a, b = stores
    assert a.cache_path == b.cache_path
    np.testing.assert_array_equal(a.read(1, np.arange(12)), b.read(1, np.arange(12)))


def test_the_frame_cache_is_never_seen_half_written(tmp_path, monkeypatch):
    videos = _videos(tmp_path)
    cache = tmp_path / 'cache'
    seen = []
    read = FrameDecoder.read

    def watching(self, path):  # what a reader would find while frames are being written
        seen.append(sorted(n for n in os.listdir(cache) if not n.endswith(('.tmp',
                                                                           '.lock'))))
        return read(self, path)
    monkeypatch.setattr(FrameDecoder, 'read', watching)
    store = FrameStore(videos, [], cache_dir=str(cache), name='t')
    assert len(seen) > 1 and all(s == [] for s in seen)
    assert store.array.shape[0] == 24

    # a build that fails half-way leaves nothing a reader could take for a cache
    calls = []

    def failing(self, path):
        calls.append(path)
        if len(calls) == 5:
            raise OSError('disk full')
        return read(self, path)
    monkeypatch.setattr(FrameDecoder, 'read', failing)
    with pytest.raises(OSError):
        FrameStore(videos, [], cache_dir=str(cache), name='u', num_workers=1)
    left = [n for n in os.listdir(cache) if n.startswith('u-') or n.endswith('.tmp')]
    assert [n for n in left if not n.endswith('.lock')] == []


@needs_flock
def test_two_jobs_generate_the_synthetic_videos_once(tmp_path, monkeypatch):
    made = []
    _slow(monkeypatch, synthetic_layout, 'generate_synthetic_dataset', made)
    root = str(tmp_path / 'synthetic')
    args = dict(num_train=1, num_test=1, num_frames=10, size=16)
    errors = run_twice_at_once(lambda: SyntheticLayout(root, **args).load('train'))
    assert not errors and len(made) == 1
    assert len(os.listdir(osp.join(root, 'training', 'frames', '01'))) == 10


def test_outdated_synthetic_videos_are_replaced_whole(tmp_path):
    root = str(tmp_path / 'synthetic')
    SyntheticLayout(root, num_train=1, num_test=1, num_frames=10, size=16).ensure()
    layout = SyntheticLayout(root, num_train=2, num_test=1, num_frames=12, size=16)
    layout.ensure()
    first = osp.join(root, 'training', 'frames', '01', sorted(os.listdir(
        osp.join(root, 'training', 'frames', '01')))[0])
    written = os.stat(first).st_mtime_ns
    SyntheticLayout(root, num_train=2, num_test=1, num_frames=12, size=16).ensure()
    assert os.stat(first).st_mtime_ns == written  # up to date now: nothing written again
    assert sorted(os.listdir(osp.join(root, 'training', 'frames'))) == ['01', '02']
    assert len(os.listdir(osp.join(root, 'training', 'frames', '01'))) == 12
    # no temporary or old trees left beside the root
    assert sorted(n for n in os.listdir(tmp_path) if not n.endswith('.lock')) == [
        'synthetic']
