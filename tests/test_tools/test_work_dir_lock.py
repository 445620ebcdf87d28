"""One run at a time per work dir: a second one is refused naming the first; a killed run
leaves no stale lock; tests write into their own out dir. The lock holders are processes
of their own; the runs they refuse or let beside them run in this process (as the ``vadkit``
command runs them)."""
import glob
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
from conftest import run_tool_in_process
from forked_tool import ForkedTool
from tiny_detector import TINY_SYNTHETIC_CONFIG

from vadkit.utils.work_dir_lock import (
    LOCK_NAME,
    WorkDirBusyError,
    holds_lock,
    lock_work_dir,
    unlock_work_dir,
)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = TINY_SYNTHETIC_CONFIG
ENV = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')


def wait_for_holder(work: str, proc: subprocess.Popen, timeout: float = 120) -> dict:
    path = osp.join(work, LOCK_NAME)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, 'the first run ended early'
        if osp.isfile(path) and os.path.getsize(path):
            with open(path) as f:
                return json.loads(f.read())
        time.sleep(0.1)
    raise AssertionError('the first run never took the lock')


def test_lock_is_exclusive_reentrant_and_dies_with_its_holder(tmp_path):
    work = str(tmp_path / 'w')
    holder = subprocess.Popen(
        [sys.executable, '-c', 'import sys, time; from vadkit.utils.work_dir_lock import '
         f'lock_work_dir; lock_work_dir({work!r}); time.sleep(600)'],
        env=ENV)
    try:
        info = wait_for_holder(work, holder)
        assert info['pid'] == holder.pid
        with pytest.raises(WorkDirBusyError, match=f'in use by pid {holder.pid} on '):
            lock_work_dir(work)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    lock_work_dir(work)  # the kernel dropped the killed holder's lock
    lock_work_dir(work)  # re-entrant in one process
    unlock_work_dir(work)


def test_second_training_into_one_work_dir_is_refused(tmp_path):
    data, work = str(tmp_path / 'data'), str(tmp_path / 'work')
    os.makedirs(data)  # the synthetic videos are generated in it
    first = ForkedTool(
        ['tools/train.py', CONFIG, '--data-root', data, '--work-dir', work,
         '--cfg-options', 'train_cfg.max_epochs=300',
         'default_hooks.checkpoint.max_keep_ckpts=-1'], ENV, ROOT)
    try:
        info = wait_for_holder(work, first)
        second = run_tool_in_process(
            ['tools/train.py', CONFIG, '--data-root', data, '--work-dir', work,
             '--cfg-options', 'train_cfg.max_epochs=1', 'optim_wrapper.optimizer.lr=0.5'])
        assert second.returncode == 2, second.stderr[-3000:]
        assert f'is in use by pid {first.pid} on ' in second.stderr
        assert 'tools/train.py' in second.stderr and info['started'] in second.stderr
        ckpt = osp.join(work, 'epoch_1.pth')
        while not osp.exists(ckpt):  # written atomically: complete once it exists
            assert first.poll() is None
            time.sleep(0.1)
        # nothing of the refused run in the work dir (looked at once the first run has
        # written its own): one log dir, the first run's config
        assert len([d for d in os.listdir(work) if osp.isdir(osp.join(work, d))]) == 1
        with open(osp.join(work, 'tiny_synthetic.py')) as f:
            assert 'lr=0.5' not in f.read()
        # a test of the training's checkpoint runs beside it, in its own out dir
        test = run_tool_in_process(
            ['tools/test.py', CONFIG, ckpt, '--data-root', data,
             '--work-dir', work, '--cfg-options', 'test_evaluator.score_weights.vcr=0.5'])
        assert test.returncode == 0, test.stderr[-3000:]
        assert len(glob.glob(osp.join(work, 'test_*', 'metrics.json'))) == 1
        with open(osp.join(work, 'tiny_synthetic.py')) as f:  # still the training's config
            assert 'vcr=0.5' not in f.read()
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # SIGKILL left no stale lock: the next run takes the work dir
    again = run_tool_in_process(
        ['tools/train.py', CONFIG, '--data-root', data, '--work-dir', work,
         '--resume', '--cfg-options', 'train_cfg.max_epochs=1'])
    assert again.returncode == 0, again.stderr[-3000:]
    assert glob.glob(osp.join(work, 'epoch_*.pth'))


def test_test_into_a_training_work_dir_is_refused(tmp_path):
    work = str(tmp_path / 'work')
    holder = subprocess.Popen(
        [sys.executable, '-c', 'import time; from vadkit.utils.work_dir_lock import '
         f'lock_work_dir; lock_work_dir({work!r}); time.sleep(600)'],
        env=ENV)
    try:
        wait_for_holder(work, holder)
        ckpt = tmp_path / 'c.pth'
        ckpt.write_bytes(b'x')
        test = run_tool_in_process(['tools/test.py', CONFIG, ckpt, '--out-dir', work])
        assert test.returncode == 2
        assert f'test.py: error: work dir {work} is in use by pid {holder.pid}' in test.stderr
        assert os.listdir(work) == [LOCK_NAME]  # the holder's: nothing removed, nothing made
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()


def test_a_refused_test_leaves_no_folder(tmp_path):
    """A test refused before it has results (here an unreadable checkpoint, found after the
    runner made its out dir and log folder) removes what it made, and only that: its new
    out dir and the folders made for it; in an out dir that was there before, the entries
    it added. It used to leave a test_<time> folder holding a log and a config copy."""
    ckpt = tmp_path / 'bad.pth'
    ckpt.write_bytes(b'not a checkpoint')
    work = tmp_path / 'new' / 'work'
    test = run_tool_in_process(['tools/test.py', CONFIG, ckpt, '--work-dir', work])
    assert test.returncode == 2 and 'is corrupt' in test.stderr, test.stderr[-3000:]
    assert os.listdir(tmp_path) == ['bad.pth']
    work.mkdir(parents=True)
    (work / 'epoch_1.pth').write_bytes(b'a training\'s')
    test = run_tool_in_process(['tools/test.py', CONFIG, ckpt, '--work-dir', work])
    assert test.returncode == 2 and 'is corrupt' in test.stderr, test.stderr[-3000:]
    assert os.listdir(work) == ['epoch_1.pth']
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'metrics.json').write_text('{}')
    test = run_tool_in_process(['tools/test.py', CONFIG, ckpt, '--out-dir', out])
    assert test.returncode == 2 and 'is corrupt' in test.stderr, test.stderr[-3000:]
    assert sorted(os.listdir(out)) == [LOCK_NAME, 'metrics.json']
    assert not holds_lock(str(out))


def test_config_without_runner_type_gets_vadkits_runner(tmp_path):
    from mmengine.config import Config

    from vadkit.engine.runner import VadkitRunner, build_runner
    from vadkit.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(CONFIG)
    cfg.pop('runner_type')  # as in a config that does not inherit the default runtime
    cfg.work_dir = str(tmp_path / 'w')
    runner = build_runner(cfg)
    assert type(runner) is VadkitRunner
    assert osp.isfile(osp.join(cfg.work_dir, LOCK_NAME))
    runner.release_work_dir()


def test_a_training_refused_before_a_checkpoint_leaves_no_folder(tmp_path):
    """A training refused before it saved anything (here a corrupt ``load_from``, found
    after the runner made its work dir) removes what it made; a refused run that saved a
    checkpoint keeps everything it wrote (a result, and what --resume starts from)."""
    from vadkit.utils.errors import VadkitError
    from vadkit.utils.refused_run import nothing_left_if_refused, wrote_checkpoints
    ckpt = tmp_path / 'bad.pth'
    ckpt.write_bytes(b'not a checkpoint')
    work = tmp_path / 'new' / 'work'
    train = run_tool_in_process(['tools/train.py', CONFIG, '--work-dir', work, '--cfg-options',
                                 f'load_from={ckpt}', 'train_cfg.max_epochs=1'])
    assert train.returncode == 2 and 'is corrupt' in train.stderr, train.stderr[-3000:]
    assert os.listdir(tmp_path) == ['bad.pth']

    class Refused(VadkitError):
        pass

    for saved, left in (([], []), (['epoch_1.pth', 'last_checkpoint'],
                                   ['20261201_000000', 'epoch_1.pth', 'last_checkpoint'])):
        out = tmp_path / f'out{len(saved)}'
        with pytest.raises(Refused):
            with nothing_left_if_refused(str(out), keep=wrote_checkpoints):
                lock_work_dir(str(out))
                (out / '20261201_000000').mkdir()
                for name in saved:
                    (out / name).write_bytes(b'x')
                raise Refused('refused')
        assert (sorted(os.listdir(out)) if out.exists() else []) == sorted(
            left + ([LOCK_NAME] if left else []))
        if out.exists():
            unlock_work_dir(str(out))
