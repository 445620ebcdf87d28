"""The gradient-difference error plugin by hand, on clips and as a core task's measure."""
import os.path as osp
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:  # `plugins` is imported from the repository root, as tools do
    sys.path.insert(0, REPO)

import plugins.arrow_of_time  # noqa: F401
import plugins.gradient_error  # noqa: F401
import plugins.memae  # noqa: F401
from plugins.gradient_error import GradientDifferenceError, gradient_difference
from vadkit.registry import ERROR_MEASURES, TASK_HEADS
from vadkit.utils import register_all_modules

register_all_modules()

T = 8


# ---------------------------------------------------------------------------------------
# Gradient difference error
# ---------------------------------------------------------------------------------------
def test_gradient_difference_by_hand():
    pred = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    target = torch.zeros_like(pred)
    # |d_x pred| = 1, 1 -> mean 1; |d_y pred| = 2, 2 -> mean 2; target has no gradient
    assert torch.allclose(gradient_difference(pred, target), torch.tensor([3.0]))
    assert torch.allclose(gradient_difference(pred, target, alpha=2.0), torch.tensor([5.0]))
    # 3x3, edges in both: pred has a vertical edge, target a horizontal one
    pred = torch.tensor([[[[0.0, 0.0, 1.0]] * 3]])  # |d_x| = (0, 1) per row, |d_y| = 0
    target = pred.transpose(2, 3).contiguous()      # |d_x| = 0, |d_y| = (0, 1) per column
    # x term: |(0,1)-(0,0)| over 3 rows -> 3/6; y term: the same by symmetry -> 1/2 + 1/2
    assert torch.allclose(gradient_difference(pred, target), torch.tensor([1.0]))


def test_gradient_difference_ignores_brightness_and_handles_clips():
    torch.manual_seed(0)
    frames = torch.rand(3, 1, 8, 8)
    assert torch.allclose(gradient_difference(frames + 0.3, frames), torch.zeros(3),
                          atol=1e-6)
    measure = ERROR_MEASURES.build(dict(type='GradientDifferenceError'))
    assert isinstance(measure, GradientDifferenceError)
    clip_a, clip_b = torch.rand(2, 1, 4, 8, 8), torch.rand(2, 1, 4, 8, 8)
    per_frame = measure(clip_a, clip_b)
    assert per_frame.shape == (2, 4)
    assert torch.allclose(per_frame[1, 2], gradient_difference(clip_a[1:2, :, 2],
                                                               clip_b[1:2, :, 2])[0])
    with pytest.raises(ValueError, match='alpha'):
        GradientDifferenceError(alpha=0)


def test_gradient_difference_scores_a_core_task():
    head = TASK_HEADS.build(dict(type='ClipReconstructionHead',
                                 measure=dict(type='GradientDifferenceError'),
                                 extra_measures=dict(mse=dict(type='MSE'))),
                            default_args=dict(clip_len=T))
    from vadkit.models.heads import ClipFeatures
    x = torch.rand(2, 1, T, 16, 16) * 2 - 1
    decoded = torch.randn(2, 1, T, 16, 16)
    feats = ClipFeatures(clip=x, inputs=x, code=torch.zeros(1), decoded=decoded)
    scores = head.score(head(feats), feats)
    assert set(scores) == {'vcr', 'vcr.mse'}
    assert torch.allclose(scores['vcr'],
                          GradientDifferenceError()(torch.tanh(decoded), x).mean(1))
