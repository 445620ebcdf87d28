"""A two-process test (gloo on CPU, tools/dist_test.sh): every window scored once, the
scores of a one-process test, the score curves of every video sent to the local vis backend
once, and both processes leave their process group cleanly. One two-process run is shared."""
import glob
import json
import os
import os.path as osp
import subprocess
from collections import Counter

import numpy as np
import pytest
import torch
from conftest import free_port, run_tool_in_process
from tiny_detector import REPO, TINY_SYNTHETIC_CONFIG

from vadkit.engine.hooks.score_curves_hook import epochs_trained
from vadkit.visualization.vad_visualizer import tag_name


def test_epochs_trained_of_a_test_on_its_own_builds_no_train_loop():
    class TestOnlyRunner:
        _train_loop = dict(type='EpochBasedTrainLoop', max_epochs=2)  # not built yet

        @property
        def train_loop(self):
            raise AssertionError('the train loop (and its dataset) was built')

        epoch = train_loop

    assert epochs_trained(TestOnlyRunner()) == 0


@pytest.fixture(scope='module')
def two_process_test(tiny_trained_run, tmp_path_factory):
    """tools/dist_test.sh of the shared tiny run's checkpoint on 2 processes, with the
    local vis backend: (out dir, its terminal)."""
    if not torch.distributed.is_available():
        pytest.skip('no torch.distributed')
    tmp = tmp_path_factory.mktemp('two')
    out, config = str(tmp / 'two'), tmp / 'local_vis.py'
    config.write_text(f'_base_ = [{TINY_SYNTHETIC_CONFIG!r}]\n'
                      "visualizer = dict(type='VADVisualizer', "
                      "vis_backends=[dict(type='LocalVisBackend')])\n"
                      "default_hooks = dict(score_curves=dict(images=True))\n")
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1',
               PORT=str(free_port()))
    proc = subprocess.run(
        ['bash', 'tools/dist_test.sh', str(config), tiny_trained_run.epoch_2, '2',
         '--data-root', tiny_trained_run.data, '--work-dir', str(tmp / 'work'),
         '--out-dir', out],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]  # torchrun: 0 only when both processes exit 0
    return out, log


def test_two_processes_score_every_window_once(two_process_test, tiny_trained_run,
                                               tmp_path):
    one = str(tmp_path / 'one')
    proc = run_tool_in_process(['tools/test.py', TINY_SYNTHETIC_CONFIG,
                                tiny_trained_run.epoch_2, '--data-root', tiny_trained_run.data,
                                '--work-dir', tmp_path / 'work_one', '--out-dir', one],
                               threads=1)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    a = np.load(osp.join(one, 'frame_scores.npz'))
    b = np.load(osp.join(two_process_test[0], 'frame_scores.npz'))
    np.testing.assert_array_equal(a['frame_idx'], b['frame_idx'])
    np.testing.assert_allclose(a['score'], b['score'], rtol=1e-5, atol=1e-6)


def test_two_process_test_sends_every_video_curve_once(two_process_test):
    out, log = two_process_test
    assert 'Traceback' not in log, log[-3000:]
    assert 'score curves of 2 video(s) sent to the visualizer (LocalVisBackend)' in log

    scores = np.load(osp.join(out, 'frame_scores.npz'))
    videos = [tag_name(v) for v in scores['video_names']]
    vis_dirs = glob.glob(osp.join(out, '*', 'vis_data'))
    assert len(vis_dirs) == 1, vis_dirs  # written by the main process only
    with open(osp.join(vis_dirs[0], 'scalars.json')) as f:
        records = [json.loads(line) for line in f if line.strip()]
    for i, video in enumerate(videos):
        frames = scores['frame_idx'][scores['video_idx'] == i].tolist()
        sent = Counter(r['step'] for r in records if f'scores_{video}/fused' in r)
        assert sorted(sent) == sorted(frames), video  # every scored frame of the video ...
        assert set(sent.values()) == {1}, video  # ... once
    aurocs = [r for r in records if any(k.startswith('per_video_auroc/') for k in r)]
    assert len(aurocs) == 1
    assert {k for k in aurocs[0] if k != 'step'} == {f'per_video_auroc/{v}' for v in videos}
    images = sorted(osp.basename(p) for p in glob.glob(osp.join(vis_dirs[0], 'vis_image', '*')))
    assert images == sorted(f'score_curve_{v}_0.png' for v in videos)
