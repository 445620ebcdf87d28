"""Local error measures through the model: fit_normal_error_maps.py on the training clips,
tools/test.py scoring with WorstRegion, TopK and RelativeToNormal, the window scorer's error
maps, and the missing statistics file as a one-line error."""
import os.path as osp
import sys

import numpy as np
import pytest
import torch
from conftest import run_tool_in_process
from mmengine.config import Config
from tool_modules import load_tool

from vadkit.engine import WindowScorer
from vadkit.engine.offline_scoring import build_window_dataset, load_model, score_windows
from vadkit.evaluation import FrameScores
from vadkit.models.measures import NormalErrorMaps
from vadkit.registry import MODELS
from vadkit.utils import register_all_modules

register_all_modules()
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CLIP_LEN = 4


def write_config(tmp, stats_file, headline=dict(type='BPE')):
    """The demo config shrunk to 32 px videos, VCR and FFP scored with every local measure."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'demo',
                                   'luss-ae_3dcae-w8_8x64x64_synthetic.py'))
    layout = dict(type='SyntheticLayout', root=osp.join(tmp, 'syn'), num_train=2, num_test=2,
                  num_frames=24, size=32)

    def measures(task):
        return dict(worst=dict(type='WorstRegion', block_size=8),
                    top=dict(type='TopK', fraction=0.05, sigma=1.0),
                    rel=dict(type='RelativeToNormal', stats_file=stats_file, task=task),
                    relz=dict(type='RelativeToNormal', stats_file=stats_file, task=task,
                              mode='zscore'))
    cfg.model.update(clip_len=CLIP_LEN, backbone=dict(
        widths=(4, 8, 8, 8), strides=((1, 2, 2), (2, 2, 2), (2, 2, 2), (1, 2, 2))))
    cfg.model.tasks = [
        dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=headline,
             extra_measures=measures('vcr')),
        dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=headline,
             extra_measures=measures('ffp')),
        dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
    ]
    for key in ('train_dataloader', 'test_dataloader'):
        cfg[key].batch_size = 8
        cfg[key].dataset.update(layout=layout, window_length=CLIP_LEN + 1, cache_dir=None)
    path = osp.join(tmp, f'local_{headline["type"]}.py')
    cfg.dump(path)
    return path


@pytest.fixture(scope='module')
def fitted(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp('local'))
    stats = osp.join(tmp, 'normal_error_maps.npz')
    config = write_config(tmp, stats)
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(config).model)
    ckpt = osp.join(tmp, 'random.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    load_tool('analysis/fit_normal_error_maps').main([config, ckpt, '--out', stats,
                                                     '--device', 'cpu'])
    return tmp, config, ckpt, stats


def test_fitted_statistics_are_the_training_errors_per_location(fitted):
    tmp, config, ckpt, stats = fitted
    maps = NormalErrorMaps.load(stats)
    assert sorted(maps.mean) == ['ffp', 'vcr']
    assert maps.mean['ffp'].shape == (1, 32, 32) and maps.meta['split'] == 'train'
    assert maps.meta['frames'] == dict(vcr=2 * (24 - CLIP_LEN) * CLIP_LEN, ffp=2 * (24 - CLIP_LEN))
    # z-scored with its own statistics, the training error averages zero at every location,
    # so the training windows' relz scores average zero; the ratio scores do not
    cfg = Config.fromfile(config)
    model = load_model(cfg, ckpt)
    scores = score_windows(model, build_window_dataset(cfg, 'train'))
    for task in ('vcr', 'ffp'):
        scale = np.abs(scores[f'{task}.rel']).mean()
        assert abs(scores[f'{task}.relz'].mean()) < 1e-4 * scale
        assert scores[f'{task}.rel'].mean() > 0.1 * scale


def test_test_run_scores_with_local_measures(fitted, tmp_path):
    tmp, config, ckpt, stats = fitted
    argv = sys.argv
    sys.argv = ['test.py', config, ckpt, '--work-dir', str(tmp_path / 'w'),
                '--out-dir', str(tmp_path / 'test')]
    try:
        load_tool('test').main()
    finally:
        sys.argv = argv
    scores = FrameScores.load(str(tmp_path / 'test'))
    for task in ('vcr', 'ffp'):
        for m in ('worst', 'top', 'rel', 'relz'):
            values = np.concatenate([r[f'{task}.{m}'] for r in scores.raw])
            assert np.isfinite(values).all() and values.std() > 0


def test_window_scorer_error_map_is_the_measures_map(fitted):
    tmp, _, ckpt, stats = fitted
    config = write_config(tmp, stats, headline=dict(type='WorstRegion', block_size=8))
    model = load_model(Config.fromfile(config), ckpt)
    rng = np.random.default_rng(0)
    windows = [rng.integers(0, 255, (CLIP_LEN + 1, 32, 32), dtype=np.uint8) for _ in range(3)]
    scores, maps = WindowScorer(model).score_windows(windows, error_maps=True)
    assert maps.shape == (3, 32, 32)                        # FFP's map, at frame size
    assert np.allclose(maps.flatten(1).amax(1).double().numpy(), scores['ffp'], rtol=1e-5)
    blocks = maps[0].reshape(4, 8, 4, 8)
    assert torch.allclose(blocks, blocks[:, :1, :, :1].expand_as(blocks))   # 8 px blocks


def test_missing_statistics_file_is_a_one_line_error(fitted, tmp_path):
    tmp, _, ckpt, _ = fitted
    missing = str(tmp_path / 'absent.npz')
    config = write_config(str(tmp_path), missing)
    proc = run_tool_in_process(['tools/test.py', config, ckpt, '--work-dir', tmp_path / 'w',
                                '--out-dir', tmp_path / 'out'])
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'absent.npz' in proc.stderr and 'fit_normal_error_maps.py' in proc.stderr
    assert 'Traceback' not in proc.stderr
