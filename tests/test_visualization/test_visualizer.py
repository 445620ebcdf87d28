"""A test run's score curves reach the vis backends: scalars a frame, AUROCs, figures; and a
training + test through tools/train.py writes TensorBoard event files TensorBoard reads."""
import argparse
import glob
import json
import os
import os.path as osp
import uuid

import numpy as np
import pytest
from forked_tool import run_forked
from mmengine.config import Config, DictAction
from tiny_detector import TINY_SYNTHETIC_CONFIG

from vadkit.evaluation import FrameScores
from vadkit.registry import VISUALIZERS
from vadkit.utils import register_all_modules
from vadkit.utils.cfg_option_values import config_literal
from vadkit.utils.config_validation import ConfigError
from vadkit.utils.run_config import load_config
from vadkit.visualization import VADVisualizer
from vadkit.visualization.vad_visualizer import score_curve_scalars

register_all_modules()

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = TINY_SYNTHETIC_CONFIG
WEIGHTS = dict(vcr=0.1, ffp=0.8, prp=1.0)
BACKENDS = ("visualizer.vis_backends=[dict(type='LocalVisBackend'),"
            "dict(type='TensorboardVisBackend')]")


def frame_scores() -> FrameScores:
    rng = np.random.default_rng(0)
    records = []
    for vid in range(2):
        for f in range(4, 30):
            label = int(vid == 0 and 12 <= f < 20)
            records.append((vid, f, label, {n: float(rng.random() + 2 * label)
                                            for n in WEIGHTS}))
    return FrameScores.from_records(records, video_names=['01', 'b/2'], num_frames=[30, 30],
                                    settings=dict(score_weights=WEIGHTS))


def test_score_curve_scalars_one_group_a_video():
    scores = frame_scores()
    ev = scores.evaluate()
    curves = score_curve_scalars(scores, ev, list(WEIGHTS))
    assert list(curves) == ['01', 'b/2']
    first = curves['01'][4]
    assert sorted(first) == sorted(f'scores_01/{n}' for n in ['fused', *WEIGHTS])
    assert first['scores_01/fused'] == pytest.approx(ev.combined[0][0])
    assert first['scores_01/prp'] == pytest.approx(ev.normalized[0]['prp'][0])
    assert sorted(curves['b/2']) == list(range(4, 30))
    assert all(k.startswith('scores_b_2/') for k in curves['b/2'][4])  # no '/' of the name


def test_visualizer_writes_scalars_aurocs_and_images_locally(tmp_path):
    vis = VISUALIZERS.build(dict(type='VADVisualizer', name=f'v{uuid.uuid4().hex}',
                                 vis_backends=[dict(type='LocalVisBackend')],
                                 save_dir=str(tmp_path)))
    assert isinstance(vis, VADVisualizer)
    scores = frame_scores()
    sent = vis.add_score_curves(scores, scores.evaluate(), step=3)
    assert sent == dict(scalars=52, aurocs=1, images=2)  # video b/2 is single-class
    with open(tmp_path / 'vis_data' / 'scalars.json') as f:
        rows = [json.loads(line) for line in f]
    per_frame = [r for r in rows if 'scores_01/fused' in r]
    assert [r['step'] for r in per_frame] == list(range(4, 30))
    auroc = [r for r in rows if 'per_video_auroc/01' in r]
    assert len(auroc) == 1 and auroc[0]['step'] == 3 and auroc[0]['per_video_auroc/01'] > 0.9
    images = sorted(os.listdir(tmp_path / 'vis_data' / 'vis_image'))
    assert images == ['score_curve_01_3.png', 'score_curve_b_2_3.png']


def test_default_runtime_uses_vad_visualizer_and_score_curves_hook():
    cfg = Config.fromfile(CONFIG)
    assert cfg.visualizer.type == 'VADVisualizer'
    assert cfg.default_hooks.score_curves.type == 'ScoreCurvesHook'


def test_cfg_options_dict_values_become_dicts(tmp_path):
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(['--cfg-options', BACKENDS])
    cfg = load_config(CONFIG, args.cfg_options, work_dir=str(tmp_path))
    assert cfg.visualizer.vis_backends == [dict(type='LocalVisBackend'),
                                           dict(type='TensorboardVisBackend')]
    assert config_literal(["dict(a=dict(b=[1,'x']),c=(2,))", 'dict', 3]) == [
        dict(a=dict(b=[1, 'x']), c=(2, )), 'dict', 3]
    with pytest.raises(ConfigError, match="visualizer: cannot read 'dict\\(type=Foo\\)'"):
        load_config(CONFIG, dict(visualizer='dict(type=Foo)'))


def test_train_and_test_write_tensorboard_events(tmp_path):
    pytest.importorskip('tensorboard', reason='TensorBoard is not installed '
                        '(pip install tensorboard)')
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    work = str(tmp_path / 'work')
    (tmp_path / 'data').mkdir()  # the synthetic videos are generated in it
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    proc = run_forked(
        ['tools/train.py', CONFIG, '--data-root', str(tmp_path / 'data'),
         '--work-dir', work, '--test', '--cfg-options', 'train_cfg.max_epochs=1', BACKENDS,
         'default_hooks.score_curves.images=True'],
        env, ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    events = glob.glob(osp.join(work, '*', 'vis_data', 'events.out.tfevents.*'))
    assert events, os.listdir(work)
    acc = EventAccumulator(osp.dirname(events[0]), size_guidance={'scalars': 0, 'images': 0})
    acc.Reload()
    tags = acc.Tags()
    assert 'loss' in tags['scalars']  # training, through the logger hook
    fused = [t for t in tags['scalars'] if t.startswith('scores_') and t.endswith('/fused')]
    assert len(fused) == 2, tags['scalars']  # one group a test video
    steps = [e.step for e in acc.Scalars(fused[0])]
    assert steps == sorted(steps) and len(steps) == 36  # 40 frames, the first 4 unscored
    assert any(t.endswith('/prp') for t in tags['scalars'])
    assert any(t.startswith('per_video_auroc/') for t in tags['scalars'])
    assert len(tags['images']) == 2
    image = acc.Images(tags['images'][0])[0]
    assert image.width > 400 and image.height > 200
