"""The ablation configs exist, load, build and (without the PRP clip) train a step."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from vadkit.registry import MODELS
from vadkit.utils import register_all_modules

register_all_modules()

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


# ---------------------------------------------------------------------------------------
# Ablation configs
# ---------------------------------------------------------------------------------------
ABLATIONS = sorted(glob.glob(osp.join(REPO, 'configs', 'ablations', '*.py')))


def test_ablation_configs_exist():
    names = [osp.basename(p) for p in ABLATIONS]
    for ds in ('avenue', 'shanghaitech', 'ped2'):
        for variant in ('vcr', 'vcr-ffp', 'vcr-prp', 'luss-ae-test-vcr', 'luss-ae-measures',
                        'luss-ae-minmax', 'luss-ae-refscaling'):
            assert f'{variant}_3dcae_16x256x256_60e_{ds}.py' in names


@pytest.mark.parametrize('path', ABLATIONS, ids=[osp.basename(p) for p in ABLATIONS])
def test_ablation_config_loads_and_builds(path):
    # inheritance depth is checked for every config in tests/test_configs.py
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    names = [h.name for h in model.tasks]
    weights = cfg.test_evaluator.score_weights
    assert set(weights) <= set(model.task_names)
    base = osp.basename(path)
    variant = base.split('_')[0]
    expected = dict(vcr=['vcr'], **{'vcr-ffp': ['vcr', 'ffp'], 'vcr-prp': ['vcr', 'prp'],
                                    'luss-ae-motion-baseline': ['vcr', 'ffp', 'prp', 'motion'],
                                    'luss-ae-motion-vcr': ['vcr', 'ffp', 'prp', 'motion'],
                                    'luss-ae-unet-ffp': ['vcr', 'ffp', 'prp', 'motion']})
    assert names == expected.get(variant, ['vcr', 'ffp', 'prp'])
    if variant == 'luss-ae-test-vcr':
        assert dict(weights) == dict(vcr=1.0)
    if variant == 'luss-ae-minmax':
        assert cfg.test_evaluator.normalizer.type == 'MinMaxNormalizer'
    if variant == 'luss-ae-refscaling':
        assert cfg.test_evaluator.normalizer.type == 'RobustNormalizer'
        assert cfg.test_evaluator.normalizers.prp.type == 'MinMaxNormalizer'
    if variant == 'luss-ae-motion-baseline':  # the paper's fusion; the baseline alone
        assert dict(weights) == dict(vcr=0.1, ffp=0.8, prp=1.0)
        assert sum(p.numel() for p in model.tasks[-1].parameters()) == 0
    if variant in ('luss-ae-motion-vcr', 'luss-ae-unet-ffp'):  # the frame difference is
        assert set(weights) == {'vcr', 'ffp', 'prp'}  # reported, not fused
        assert sum(p.numel() for p in model.tasks[-1].parameters()) == 0
    if variant == 'luss-ae-motion-vcr':
        assert dict(weights) == dict(vcr=1.0, ffp=1.0, prp=1.0)
    if variant == 'luss-ae-unet-ffp':  # each score's reliability across seeds 0-3
        assert dict(weights) == dict(vcr=0.99, ffp=0.98, prp=0.38)
        assert dict(cfg.test_evaluator.compare_weights.equal) == dict(vcr=1.0, ffp=1.0,
                                                                       prp=1.0)
        assert type(model.tasks[1]).__name__ == 'UNetFuturePredictionHead'
    if variant == 'luss-ae-measures':
        x = torch.zeros(1, 1, model.clip_len + 1, 32, 32)
        with torch.no_grad():
            assert set(model.predict_scores(x)) == {
                'vcr', 'ffp', 'prp', 'vcr.mse', 'vcr.pse', 'vcr.bpe', 'ffp.mse', 'ffp.pse',
                'ffp.bpe'}


@pytest.mark.parametrize('variant', ['vcr', 'vcr-ffp'])
def test_ablation_train_pipeline_without_prp_clip_trains(tmp_path, variant):
    """The VCR and VCR+FFP configs drop the PRP clip; their samples still train."""
    from mmengine.dataset import default_collate

    from vadkit.registry import DATASETS
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'ablations',
                                   f'{variant}_3dcae_16x256x256_60e_ped2.py'))
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.update(layout=dict(type='SyntheticLayout', root=str(tmp_path / 'syn'), num_train=1,
                              num_test=1, num_frames=12, size=32),
                  window_length=9, decode_pipeline=[dict(type='Grayscale')], cache_dir=None)
    dataset = DATASETS.build(ds_cfg)
    batch = default_collate([dataset[0], dataset[1]])
    assert set(batch['inputs']) == {'window'}
    model_cfg = cfg.model
    model_cfg.update(clip_len=8, backbone=dict(widths=(4, 8, 8, 8)))
    model = MODELS.build(model_cfg)
    data = model.data_preprocessor(batch, True)
    losses = model(**data, mode='loss')
    assert set(losses) == {f'loss_{n}' for n in variant.split('-')}
    assert all(torch.isfinite(v) for v in losses.values())
