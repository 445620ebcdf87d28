"""End to end: train, resume, test, through the command-line tools (run in this process as
the ``vadkit`` command runs them, but for one process of its own in the deterministic
runs' pair). The two-process test is in tests/test_engine/test_score_curves_two_processes.py."""
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import torch
from conftest import run_tool_in_process
from forked_tool import run_forked
from tiny_detector import TINY_SYNTHETIC_CONFIG

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = TINY_SYNTHETIC_CONFIG


def run(args, own_process=False):
    """``python <args>`` on one thread: in this process, or in one of its own."""
    if own_process:
        env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
        proc = run_forked(args, env, ROOT)
    else:
        proc = run_tool_in_process(args, threads=1)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.fixture(scope='module')
def trained(tiny_trained_run):
    """The shared tiny run (2 epochs); tests write into their own folders."""
    return dict(data=tiny_trained_run.data, work=tiny_trained_run.work,
                log=tiny_trained_run.log)


def test_train_saves_checkpoint_loadable_with_weights_only(trained):
    ckpt = osp.join(trained['work'], 'epoch_1.pth')
    assert osp.isfile(ckpt)
    state = torch.load(ckpt, map_location='cpu', weights_only=True)  # never runs code
    assert state['meta']['epoch'] == 1
    assert 'backbone.encoder.0.0.weight' in state['state_dict']
    hub = state['message_hub']['log_scalars']
    assert hub and all(isinstance(v, dict) for v in hub.values())  # plain, no classes


def test_resume_continues_from_last_epoch(trained, tmp_path):
    work = tmp_path / 'work'
    work.mkdir()
    first = work / 'epoch_1.pth'
    shutil.copyfile(osp.join(trained['work'], 'epoch_1.pth'), first)
    (work / 'last_checkpoint').write_text(str(first))
    saved = first.read_bytes()
    out = run(['tools/train.py', CONFIG, '--data-root', trained['data'],
               '--work-dir', str(work), '--resume', '--cfg-options',
               'train_cfg.max_epochs=2'])
    assert f'resume: from the newest readable checkpoint, {first}' in out
    assert 'is not HistoryBuffer' not in out  # the message hub came back whole
    assert first.read_bytes() == saved  # epoch 1 was not trained again
    state = torch.load(work / 'epoch_2.pth', weights_only=True)
    # 2 training videos of 40 frames: 72 windows of 5, 9 batches an epoch
    assert state['meta']['epoch'] == 2 and state['meta']['iter'] == 18


def test_test_writes_metrics_and_frame_scores(trained, tmp_path):
    out_dir = str(tmp_path / 'test1')
    ckpt = osp.join(trained['work'], 'epoch_1.pth')
    out = run(['tools/test.py', CONFIG, ckpt, '--data-root', trained['data'],
               '--work-dir', str(tmp_path / 'work'), '--out-dir', out_dir, '--report'])
    assert 'micro AUROC' in out
    assert osp.isfile(osp.join(out_dir, 'metrics.json'))
    # --report: the page of this run, with its checkpoint and the frames of its data
    with open(osp.join(out_dir, 'report.html')) as f:
        page = f.read()
    assert f'report: {osp.join(out_dir, "report.html")}' in out
    assert ckpt in page and 'data:image/jpeg;base64,' in page
    with open(osp.join(out_dir, 'machine.json')) as f:
        machine = json.load(f)
    # the figures name the kernels' instruction set they are exact for
    assert machine['cpu_capability'] == torch.backends.cpu.get_cpu_capability()
    assert f"{machine['cpu_capability']} kernels" in out
    scores = np.load(osp.join(out_dir, 'frame_scores.npz'))
    # 2 test videos of 40 frames; the first T = 4 frames of each have no score
    assert len(scores['score']) == 2 * (40 - 4)
    assert scores['frame_idx'].min() == 4


def test_train_with_test_writes_metrics_and_frame_scores_to_work_dir(trained, tmp_path):
    work = str(tmp_path / 'with_test')
    out = run(['tools/train.py', CONFIG, '--data-root', trained['data'],
               '--work-dir', work, '--test', '--cfg-options', 'train_cfg.max_epochs=1'])
    assert 'micro AUROC' in out
    assert osp.isfile(osp.join(work, 'metrics.json'))
    scores = np.load(osp.join(work, 'frame_scores.npz'))
    assert len(scores['score']) == 2 * (40 - 4)


def test_deterministic_runs_are_bitwise_equal(trained, tmp_path):
    """randomness.deterministic=True: the same seed gives the same weights, run after run
    (no kernel chosen by timing): here, one run in this process and one in a process of its own."""
    states = []
    for i in range(2):
        work = str(tmp_path / f'det{i}')
        run(['tools/train.py', CONFIG, '--data-root', trained['data'],
             '--work-dir', work, '--cfg-options', 'train_cfg.max_epochs=1',
             'randomness.deterministic=True'], own_process=i == 1)
        states.append(torch.load(osp.join(work, 'epoch_1.pth'), weights_only=True)['state_dict'])
    assert states[0].keys() == states[1].keys()
    for k in states[0]:
        assert torch.equal(states[0][k], states[1][k]), k
