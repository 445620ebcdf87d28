"""The configs that score VCR by its motion build, and report the paper's fusion beside
their own."""
import os.path as osp

import pytest

from vadkit.registry import METRICS, MODELS
from vadkit.utils.run_config import load_config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.mark.parametrize('name', ['luss-ae-motion-vcr_3dcae-w24_8x128x192_1e_cpu_ped2.py',
                                  'luss-ae-motion-vcr_3dcae-w8_8x64x64_synthetic.py'])
def test_motion_vcr_config_builds_with_its_comparisons(name):
    cfg = load_config(osp.join(REPO, 'configs', 'ablations', name))
    model = MODELS.build(cfg.model)
    vcr = model.tasks[0]
    assert type(vcr.measures['vcr']).__name__ == 'TemporalDifference'
    assert {'vcr.bpe', 'vcr.mse'} <= set(vcr.measures)
    metric = METRICS.build(cfg.test_evaluator)
    assert metric.compare_weights['paper'] == {'vcr.bpe': 0.1, 'ffp': 0.8, 'prp': 1.0}
