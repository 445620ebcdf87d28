"""Every plugin ships a synthetic and a Ped2 config; the synthetic ones train and test on
tiny data, the Ped2 ones build and take a step."""
import os.path as osp
import sys
import uuid
from glob import glob

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:  # `plugins` is imported from the repository root, as tools do
    sys.path.insert(0, REPO)

from sklearn.metrics import roc_auc_score

import plugins.arrow_of_time  # noqa: F401
import plugins.gradient_error  # noqa: F401
import plugins.memae  # noqa: F401
from vadkit.evaluation import FrameScores
from vadkit.registry import MODELS, TRANSFORMS
from vadkit.utils import register_all_modules
from vadkit.utils.plugins import import_plugins

register_all_modules()

PLUGIN_CONFIGS = sorted(glob(osp.join(REPO, 'plugins', '*', 'configs', '*.py')))


# ---------------------------------------------------------------------------------------
# The plugins' configs
# ---------------------------------------------------------------------------------------
def test_every_plugin_has_configs():
    names = {osp.basename(osp.dirname(osp.dirname(p))) for p in PLUGIN_CONFIGS}
    assert {'memae', 'gradient_error', 'arrow_of_time'} <= names
    for name in names:
        cfgs = [p for p in PLUGIN_CONFIGS if f'/{name}/configs/' in p]
        assert any('synthetic' in p for p in cfgs) and any('ped2' in p for p in cfgs), name


def tiny_data_cfg(cfg: Config, root: str, batch_size: int = 8) -> Config:
    """Point a config's dataloaders at tiny synthetic data, no cache, no workers."""
    layout = dict(type='SyntheticLayout', root=root, num_train=1, num_test=2, num_frames=24,
                  size=32)
    for key in ('train_dataloader', 'test_dataloader'):
        loader = cfg[key]
        loader.update(batch_size=batch_size, num_workers=0, persistent_workers=False,
                      pin_memory=False)
        loader.dataset.update(layout=layout, cache_dir=None)
    return cfg


def fake_results(num_frames=30, start=3, window_length=9):
    video = np.arange(num_frames, dtype=np.uint8)[:, None, None] * np.ones((1, 4, 4), np.uint8)
    return dict(start=start, num_frames=num_frames, window_length=window_length,
                video_name='v', read_frames=lambda idx: video[np.asarray(idx)])


@pytest.mark.parametrize('path', [p for p in PLUGIN_CONFIGS if 'synthetic' in p],
                         ids=osp.basename)
def test_plugin_config_trains_and_tests(path, tmp_path):
    from vadkit.engine.runner import build_runner
    cfg = Config.fromfile(path, import_custom_modules=False)
    assert import_plugins(cfg)
    cfg = tiny_data_cfg(cfg, str(tmp_path / 'data'))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.experiment_name = f'plugin-{uuid.uuid4().hex[:8]}'
    cfg.train_cfg.max_epochs = 1
    cfg.default_hooks.logger.interval = 1
    cfg.test_evaluator.output_dir = str(tmp_path / 'scores')
    runner = build_runner(cfg)  # as tools/train.py builds it
    runner.train()
    metrics = runner.test()
    # the reported AUROCs are those of the frame scores the metric saved
    saved = np.load(tmp_path / 'scores' / 'frame_scores.npz')
    assert metrics['micro_auroc'] == pytest.approx(roc_auc_score(saved['label'],
                                                                 saved['score']), abs=1e-6)
    scores = FrameScores.load(str(tmp_path / 'scores'))
    for name in cfg.test_evaluator.score_weights:
        alone = scores.evaluate({name: 1.0}).metrics['micro_auroc']
        assert metrics[f'{name}_micro_auroc'] == pytest.approx(alone, abs=1e-6), name


@pytest.mark.parametrize('path', [p for p in PLUGIN_CONFIGS if 'ped2' in p], ids=osp.basename)
def test_plugin_ped2_config_builds_and_steps(path):
    """The Ped2 configs' model and train pipeline, on one batch of random 128px clips."""
    cfg = Config.fromfile(path, import_custom_modules=False)
    import_plugins(cfg)
    assert cfg.train_dataloader.dataset.layout.type == 'AutoLayout'
    pipeline = [TRANSFORMS.build(t) for t in cfg.train_dataloader.dataset.pipeline]
    samples = []
    for start in (0, 5):
        results = fake_results(num_frames=40, start=start,
                               window_length=cfg.train_dataloader.dataset.window_length)
        for t in pipeline:
            results = t(results)
        samples.append(results)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    inputs = {k: F.interpolate(torch.stack([s['inputs'][k] for s in samples]).float(),
                               size=(samples[0]['inputs'][k].shape[1], 128, 128)).byte()
              for k in samples[0]['inputs']}
    data_samples = {k: torch.stack([s['data_samples'][k] for s in samples])
                    for k in samples[0]['data_samples']}
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=data_samples), True)
    losses = model(**data, mode='loss')
    assert {f'loss_{t.name}' for t in model.tasks} == set(losses)
    assert all(torch.isfinite(v) for v in losses.values())
