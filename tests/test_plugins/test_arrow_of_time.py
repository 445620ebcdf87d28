"""The arrow-of-time plugin: the temporal-order clip sampler and its head."""
import os.path as osp
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:  # `plugins` is imported from the repository root, as tools do
    sys.path.insert(0, REPO)

import plugins.arrow_of_time  # noqa: F401
import plugins.gradient_error  # noqa: F401
import plugins.memae  # noqa: F401
from plugins.arrow_of_time import ArrowOfTimeHead, SampleTemporalOrderClip
from vadkit.registry import TASK_HEADS, TRANSFORMS
from vadkit.utils import register_all_modules

register_all_modules()

T = 8


# ---------------------------------------------------------------------------------------
# Arrow of time
# ---------------------------------------------------------------------------------------
def fake_results(num_frames=30, start=3, window_length=T + 1):
    video = np.arange(num_frames, dtype=np.uint8)[:, None, None] * np.ones((1, 4, 4), np.uint8)
    return dict(start=start, num_frames=num_frames, window_length=window_length,
                video_name='v', read_frames=lambda idx: video[np.asarray(idx)])


def test_temporal_order_sampler(numpy_seed):
    fwd = TRANSFORMS.build(dict(type='SampleTemporalOrderClip', p_reverse=0.0))
    out = fwd(fake_results())
    assert out['aot_label'] == 0 and out['aot_clip'][:, 0, 0].tolist() == list(range(3, 11))
    rev = SampleTemporalOrderClip(p_reverse=1.0, strides=(2, ))
    out = rev(fake_results())
    assert out['aot_label'] == 1
    assert out['aot_clip'][:, 0, 0].tolist() == list(range(17, 2, -2))
    # near the end the clip moves back so that it stays inside the video
    out = rev(fake_results(num_frames=20, start=15))
    assert out['aot_clip'][:, 0, 0].tolist() == list(range(19, 4, -2))
    numpy_seed(0)
    labels = [SampleTemporalOrderClip()(fake_results())['aot_label'] for _ in range(200)]
    assert 60 < sum(labels) < 140
    with pytest.raises(ValueError, match='frames'):
        SampleTemporalOrderClip(length=8)(fake_results(num_frames=5, start=0))


def test_arrow_of_time_head():
    head = TASK_HEADS.build(dict(type='ArrowOfTimeHead'),
                            default_args=dict(code_channels=8, frame_channels=1, clip_len=T))
    from vadkit.models.heads import ClipFeatures
    code = torch.randn(4, 8, 1, 2, 2)
    feats = ClipFeatures(clip=None, inputs=None, code=code)
    logits = head(feats)
    assert logits.shape == (4, 2)
    labels = torch.tensor([0, 1, 1, 0])
    assert torch.allclose(head.loss(logits, feats, dict(aot_label=labels)),
                          F.cross_entropy(logits, labels))
    assert torch.allclose(head.score(logits, feats)['aot'], logits.softmax(1)[:, 1])
    with pytest.raises(KeyError, match='SampleTemporalOrderClip'):
        head.loss(logits, feats, {})
    with pytest.raises(ValueError, match='temporal_size'):
        head(ClipFeatures(clip=None, inputs=None, code=torch.randn(4, 8, 2, 2, 2)))
    assert isinstance(head, ArrowOfTimeHead)
