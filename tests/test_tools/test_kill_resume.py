"""Crash safety: training of the deterministic demo config killed with SIGKILL at five points
and resumed with --resume ends with bitwise the weights of an uninterrupted run, and every
checkpoint left in the work dir stays readable. The killed runs are processes of their own; the
uninterrupted and the resumed runs run in this process, on one thread as the killed ones."""
import glob
import os
import os.path as osp
import signal

import pytest
import torch
from conftest import run_tool_in_process
from forked_tool import run_forked

from vadkit.utils.checkpoint_files import read_checkpoint

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(ROOT, 'configs', 'demo', 'luss-ae_3dcae-w8_8x64x64_synthetic.py')
EPOCHS = 3
# 2 training videos of 40 frames: 4 iterations an epoch; 2 test videos
LAYOUT = dict(num_train=2, num_test=2, num_frames=40)
OPTIONS = [f'{loader}.dataset.layout.{k}={v}' for loader in ('train_dataloader',
                                                              'test_dataloader')
           for k, v in LAYOUT.items()] + [f'train_cfg.max_epochs={EPOCHS}']


def train(data, work, *extra, crash_at=None):
    """tools/train.py on one thread: killed at ``crash_at`` in a process of its own, else in
    this one."""
    args = ['tools/train.py', DEMO, '--data-root', data, '--work-dir', work, *extra,
            '--cfg-options', *OPTIONS]
    if not crash_at:
        return run_tool_in_process(args, threads=1)
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1', VADKIT_CRASH_AT=crash_at)
    return run_forked(args, env, ROOT)


def final_weights(work):
    return read_checkpoint(osp.join(work, f'epoch_{EPOCHS}.pth'))['state_dict']


def assert_all_checkpoints_readable(work):
    for path in glob.glob(osp.join(work, '*.pth')):
        read_checkpoint(path)


@pytest.fixture(scope='module')
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('kill')
    data, work = str(tmp / 'data'), str(tmp / 'straight')
    os.makedirs(data)  # the synthetic videos are generated in it
    proc = train(data, work, '--test')
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(osp.join(work, 'metrics.json')) as f:
        metrics = f.read()
    return dict(data=data, weights=final_weights(work), metrics=metrics)


# (crash point, the checkpoint the resumed run starts from; None: from scratch)
KILLS = {
    'first_epoch': ('train_iter:2', None),
    'mid_epoch': ('train_iter:6', 'epoch_1.pth'),
    'checkpoint_write': ('checkpoint_write:2', 'epoch_1.pth'),
    'after_checkpoint': ('train_epoch_start:3', 'epoch_2.pth'),
    'mid_test': ('test_iter:1', f'epoch_{EPOCHS}.pth'),
}


@pytest.mark.parametrize('name', list(KILLS))
def test_killed_and_resumed_run_equals_uninterrupted(reference, name, tmp_path):
    crash_at, resumed_from = KILLS[name]
    work = str(tmp_path / name)
    test = ['--test'] if name == 'mid_test' else []
    killed = train(reference['data'], work, *test, crash_at=crash_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert_all_checkpoints_readable(work)
    if name == 'checkpoint_write':  # killed between the temporary file and its rename
        assert glob.glob(osp.join(work, '.tmp-*-epoch_2.pth'))
        assert not osp.exists(osp.join(work, 'epoch_2.pth'))

    resumed = train(reference['data'], work, '--resume', *test)
    out = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, out[-3000:]
    if resumed_from is None:
        assert f'resume: no checkpoint in {work}: training starts from scratch' in out
    else:
        assert ('resume: from the newest readable checkpoint, '
                f'{osp.join(work, resumed_from)}') in out
    assert_all_checkpoints_readable(work)
    assert not glob.glob(osp.join(work, '.tmp-*'))  # the killed writer's leftovers are gone
    weights = final_weights(work)
    assert weights.keys() == reference['weights'].keys()
    for key, value in reference['weights'].items():
        assert torch.equal(weights[key], value), key
    if test:
        with open(osp.join(work, 'metrics.json')) as f:
            assert f.read() == reference['metrics']
