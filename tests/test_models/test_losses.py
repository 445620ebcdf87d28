"""Training losses as registered components, and the backbone contract."""
import re
import sys

import pytest
import torch
import torch.nn.functional as F

from vadkit.models.backbones import BaseBackbone
from vadkit.models.heads import ClipFeatures
from vadkit.registry import BACKBONES, LOSSES, MODELS, TASK_HEADS
from vadkit.utils import register_all_modules

register_all_modules()


def test_default_losses_are_the_papers():
    pred, target = torch.randn(3, 1, 4, 8, 8), torch.randn(3, 1, 4, 8, 8)
    assert torch.equal(LOSSES.build(dict(type='MSELoss'))(pred, target),
                       F.mse_loss(pred, target))
    logits, labels = torch.randn(5, 2), torch.tensor([0, 1, 1, 0, 1])
    assert torch.equal(LOSSES.build(dict(type='CrossEntropyLoss'))(logits, labels),
                       F.cross_entropy(logits, labels))


def test_measure_loss_of_mse_equals_the_mse_loss():
    pred, target = torch.randn(2, 1, 4, 8, 8), torch.randn(2, 1, 4, 8, 8)
    loss = LOSSES.build(dict(type='MeasureLoss', measure=dict(type='MSE')))
    torch.testing.assert_close(loss(pred, target), F.mse_loss(pred, target))


def test_bpe_loss_is_differentiable_and_ignores_fine_noise_more_than_mse():
    target = torch.zeros(1, 1, 16, 16)
    checker = (torch.arange(16)[:, None] + torch.arange(16)[None]) % 2 * 2 - 1.0
    pred = (0.5 * checker)[None, None].clone().requires_grad_(True)
    bpe = LOSSES.build(dict(type='MeasureLoss', measure=dict(type='BPE')))
    value = bpe(pred, target)
    value.backward()
    assert pred.grad is not None and pred.grad.abs().sum() > 0
    # blur pooling removes most of a one-pixel checkerboard; MSE sees all of it
    assert value.item() < 0.2 * F.mse_loss(pred, target).item()


def test_a_head_trains_on_the_loss_its_config_names():
    head = TASK_HEADS.build(dict(type='ClipReconstructionHead',
                                 loss=dict(type='MeasureLoss', measure=dict(type='PSE'))))
    clip = torch.randn(2, 1, 4, 8, 8)
    out = torch.zeros_like(clip)
    feats = ClipFeatures(clip=clip, inputs=clip, code=torch.zeros(1))
    expected = LOSSES.build(dict(type='MeasureLoss', measure=dict(type='PSE')))(out, clip)
    assert torch.equal(head.loss(out, feats, {}), expected)
    assert not torch.equal(expected, F.mse_loss(out, clip))


def test_unknown_loss_type_names_the_loss_registry():
    with pytest.raises(KeyError, match="'loss' registry"):
        TASK_HEADS.build(dict(type='ClipReconstructionHead', loss=dict(type='L2Loss')))


def test_losses_hold_no_weights():
    """A head's state dict does not depend on its loss (checkpoints stay interchangeable)."""
    a = TASK_HEADS.build(dict(type='FuturePredictionHead', clip_len=4))
    b = TASK_HEADS.build(dict(type='FuturePredictionHead', clip_len=4,
                              loss=dict(type='MeasureLoss', measure=dict(type='BPE'))))
    assert a.state_dict().keys() == b.state_dict().keys()


def test_backbones_state_their_contract():
    backbone = BACKBONES.build(dict(type='Conv3DAutoEncoder', widths=(4, 8), strides=(
        (1, 2, 2), (2, 2, 2))))
    assert isinstance(backbone, BaseBackbone)
    assert backbone.code_channels == 8 and backbone.total_stride() == (2, 4, 4)
    code, decoded = backbone(torch.zeros(1, 1, 4, 8, 8))
    assert code.shape[1] == backbone.code_channels and decoded.shape == (1, 1, 4, 8, 8)


def test_a_backbone_without_the_contract_is_refused_by_name():
    @BACKBONES.register_module(force=True)
    class PlainNet(torch.nn.Module):
        def __init__(self):
            super().__init__()

    with pytest.raises(TypeError, match='PlainNet must subclass'):
        MODELS.build(dict(type='MultiTaskAutoEncoder', clip_len=4,
                          backbone=dict(type='PlainNet'),
                          tasks=[dict(type='ClipReconstructionHead')]))


def test_building_a_model_does_not_load_scikit_learn():
    import subprocess
    code = ('import sys; from vadkit.utils import register_all_modules; '
            'register_all_modules(); from vadkit.registry import MODELS; '
            'from mmengine.config import Config; '
            "MODELS.build(Config.fromfile('configs/luss_ae/"
            "luss-ae_3dcae_16x256x256_60e_ped2.py').model); "
            "assert 'sklearn' not in sys.modules")
    import os.path as osp
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    out = subprocess.run([sys.executable, '-c', code], cwd=root, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-2000:]


def test_weighted_sum_loss_adds_its_weighted_terms():
    pred, target = torch.randn(2, 1, 4, 8, 8), torch.randn(2, 1, 4, 8, 8)
    motion = dict(type='TemporalDifference', measure=dict(type='MSE'))
    loss = LOSSES.build(dict(type='WeightedSumLoss', terms=[
        dict(type='MSELoss'), dict(type='MeasureLoss', measure=motion, weight=0.5)]))
    expected = F.mse_loss(pred, target) + 0.5 * LOSSES.build(
        dict(type='MeasureLoss', measure=motion))(pred, target)
    torch.testing.assert_close(loss(pred, target), expected)
    assert [type(m).__name__ for m in loss.measures()] == ['TemporalDifference']
    assert list(loss.last_terms) == ['mse', 'temporaldifference']
    torch.testing.assert_close(sum(loss.last_terms.values()), expected)
    twice = LOSSES.build(dict(type='WeightedSumLoss', terms=[dict(type='MSELoss')] * 2))
    assert twice.names == ['mse', 'mse_2']
    # the motion term alone is blind to an offset common to all frames; the sum is not
    offset = target + 0.3
    assert LOSSES.build(dict(type='MeasureLoss', measure=motion))(offset, target) < 1e-6
    assert loss(offset, target) > 0.08


@pytest.mark.parametrize('terms, words', [
    ([], 'needs a list of loss configs'),
    (dict(type='MSELoss'), 'needs a list of loss configs'),
    ([dict(type='MSELoss', weight=-1)], "term 0 (MSELoss): weight=-1 must be a finite"),
    ([dict(type='MSELoss'), dict(type='MSELoss', weight=float('nan'))], 'term 1'),
])
def test_a_wrong_weighted_sum_says_what_to_write(terms, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        LOSSES.build(dict(type='WeightedSumLoss', terms=terms))


def test_a_motion_term_in_a_sum_is_refused_for_a_one_frame_task():
    from vadkit.models.measures.temporal_difference import ClipMeasureError
    loss = dict(type='WeightedSumLoss', terms=[dict(type='MSELoss'), dict(
        type='MeasureLoss', measure=dict(type='TemporalDifference'))])
    TASK_HEADS.build(dict(type='ClipReconstructionHead', loss=loss))
    with pytest.raises(ClipMeasureError, match="task 'ffp'.*loss TemporalDifference"):
        TASK_HEADS.build(dict(type='FuturePredictionHead', name='ffp', loss=loss))
