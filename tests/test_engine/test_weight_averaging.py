"""Weight averaging (WeightAveragingHook, the EMA ablation config): the test after training
scores with the averaged weights and says so; checkpoints hold them as state_dict and load
with weights_only=True; a killed and resumed run ends with the averaged state of an
uninterrupted one. The killed run is a process of its own; the others run in this process, on
one thread as the killed one."""
import glob
import os
import os.path as osp

import numpy as np
import pytest
import torch
from conftest import run_tool_in_process
from forked_tool import run_forked

from vadkit.evaluation import FrameScores

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(ROOT, 'configs', 'demo', 'luss-ae_3dcae-w8_8x64x64_synthetic.py')
EMA = osp.join(ROOT, 'configs', 'ablations', 'luss-ae-ema_3dcae-w8_8x64x64_synthetic.py')
EPOCHS = 2
# 2 training videos of 40 frames: 4 iterations an epoch; 2 test videos
LAYOUT = dict(num_train=2, num_test=2, num_frames=40)
OPTIONS = [f'{loader}.dataset.layout.{k}={v}' for loader in ('train_dataloader',
                                                              'test_dataloader')
           for k, v in LAYOUT.items()] + [f'train_cfg.max_epochs={EPOCHS}']


def run_tool(tool, *args, crash_at=None, options=OPTIONS):
    """tools/<tool>.py on one thread: killed at ``crash_at`` in a process of its own, else in
    this one."""
    args = [f'tools/{tool}.py', *args, '--cfg-options', *options]
    if not crash_at:
        return run_tool_in_process(args, threads=1)
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1', VADKIT_CRASH_AT=crash_at)
    return run_forked(args, env, ROOT)


def logs(folder):
    text = ''
    for path in glob.glob(osp.join(folder, '*', '*.log')):
        with open(path) as f:
            text += f.read()
    return text


@pytest.fixture(scope='module')
def straight(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('ema')
    data, work = str(tmp / 'data'), str(tmp / 'straight')
    os.makedirs(data)  # the synthetic videos are generated in it
    proc = run_tool('train', EMA, '--data-root', data, '--work-dir', work, '--test')
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dict(tmp=tmp, data=data, work=work)


def test_checkpoint_holds_averaged_weights_and_loads_weights_only(straight):
    ckpt = torch.load(osp.join(straight['work'], f'epoch_{EPOCHS}.pth'), weights_only=True)
    averaged, trained = ckpt['state_dict'], ckpt['ema_state_dict']
    assert int(trained['steps']) == 4 * EPOCHS
    assert ckpt['meta']['model_identity']['fingerprint']
    differ = [k for k, v in averaged.items()
              if v.is_floating_point() and not torch.equal(v, trained[f'module.{k}'])]
    assert any(k.endswith('running_mean') for k in differ)  # statistics averaged too
    assert any(k.endswith('weight') for k in differ)


def test_test_after_training_scores_with_the_averaged_weights(straight):
    work, tmp = straight['work'], straight['tmp']
    assert 'test: with the averaged weights (ExponentialMovingAverage over 8 updates' in \
        logs(work)
    in_run = FrameScores.load(work)

    # the checkpoint's state_dict, tested without the hook (the demo config): the same scores
    ckpt_path = osp.join(work, f'epoch_{EPOCHS}.pth')
    out = str(tmp / 'plain_test')
    proc = run_tool('test', DEMO, ckpt_path, '--data-root', straight['data'], '--work-dir',
                    str(tmp / 'w1'), '--out-dir', out, options=OPTIONS)
    assert proc.returncode == 0, proc.stderr[-3000:]
    averaged = FrameScores.load(out)

    # the last training step's weights give other scores
    ckpt = torch.load(ckpt_path, weights_only=True)
    trained = {k[len('module.'):]: v for k, v in ckpt['ema_state_dict'].items()
               if k.startswith('module.')}
    last_path = str(tmp / 'last_step.pth')
    torch.save(dict(state_dict=trained, meta=dict(ckpt['meta'])), last_path)
    out_last = str(tmp / 'last_test')
    proc = run_tool('test', DEMO, last_path, '--data-root', straight['data'], '--work-dir',
                    str(tmp / 'w2'), '--out-dir', out_last, options=OPTIONS)
    assert proc.returncode == 0, proc.stderr[-3000:]
    last = FrameScores.load(out_last)

    for name in in_run.score_names:
        got = np.concatenate([r[name] for r in in_run.raw])
        np.testing.assert_allclose(got, np.concatenate([r[name] for r in averaged.raw]),
                                   rtol=1e-5, atol=1e-7)
        assert not np.allclose(got, np.concatenate([r[name] for r in last.raw]),
                               rtol=1e-3, atol=1e-6)

    # with the hook, a test of the checkpoint says where its weights come from
    out_ema = str(tmp / 'ema_test')
    proc = run_tool('test', EMA, ckpt_path, '--data-root', straight['data'], '--work-dir',
                    str(tmp / 'w3'), '--out-dir', out_ema)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'the averaged weights the checkpoint holds as state_dict' in logs(out_ema)
    for name in in_run.score_names:
        np.testing.assert_allclose(
            np.concatenate([r[name] for r in FrameScores.load(out_ema).raw]),
            np.concatenate([r[name] for r in averaged.raw]), rtol=1e-5, atol=1e-7)


def test_killed_and_resumed_run_keeps_the_averaged_state(straight, tmp_path):
    work = str(tmp_path / 'resumed')
    killed = run_tool('train', EMA, '--data-root', straight['data'], '--work-dir', work,
                      crash_at='train_epoch_start:2')
    assert killed.returncode != 0
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
    resumed = run_tool('train', EMA, '--data-root', straight['data'], '--work-dir', work,
                       '--resume')
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    got = torch.load(osp.join(work, f'epoch_{EPOCHS}.pth'), weights_only=True)
    want = torch.load(osp.join(straight['work'], f'epoch_{EPOCHS}.pth'), weights_only=True)
    for key in ('state_dict', 'ema_state_dict'):
        assert got[key].keys() == want[key].keys()
        for name, value in want[key].items():
            assert torch.equal(got[key][name], value), f'{key}/{name}'
