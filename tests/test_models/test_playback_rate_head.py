"""The playback-rate prediction head: the reference code's layout and label smoothing."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vadkit.models.heads import ClipFeatures, PlaybackRateHead
from vadkit.registry import TASK_HEADS
from vadkit.utils import register_all_modules

register_all_modules()


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_prp_head_on_paper_code_matches_reference_layout():
    torch.manual_seed(0)
    head = TASK_HEADS.build(dict(type='PlaybackRateHead'))
    assert isinstance(head, PlaybackRateHead)
    assert n_params(head) == 143_618
    linears = [m for m in head.fc if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(512, 128), (128, 32), (32, 2)]
    code = torch.randn(3, 256, 2, 16, 16)
    logits = head(ClipFeatures(clip=None, inputs=None, code=code))
    assert logits.shape == (3, 2)
    # reference: MaxPool3d(2) -> Conv2d 256->32 k3 -> MaxPool2d(2) -> FC 512-128-32-2 (logits)
    ref = head.fc(F.max_pool2d(head.conv(F.max_pool3d(code, 2).squeeze(2)), 2).flatten(1))
    torch.testing.assert_close(logits, ref)
    score = head.score(logits, None)['prp']
    torch.testing.assert_close(score, logits.softmax(1)[:, 1])


def test_prp_label_smoothing():
    """0 (default) is the paper's cross-entropy; eps mixes eps/2 of each class in."""
    logits = torch.tensor([[2.0, -1.0], [0.5, 1.5]])
    labels = {'prp_label': torch.tensor([0, 1])}
    plain = TASK_HEADS.build(dict(type='PlaybackRateHead'))
    smooth = TASK_HEADS.build(dict(type='PlaybackRateHead',
                                   loss=dict(type='CrossEntropyLoss', label_smoothing=0.2)))
    logp = logits.log_softmax(1)
    hard = -(logp[0, 0] + logp[1, 1]) / 2
    soft = -((0.9 * logp[0, 0] + 0.1 * logp[0, 1]) + (0.1 * logp[1, 0] + 0.9 * logp[1, 1])) / 2
    torch.testing.assert_close(plain.loss(logits, None, labels), hard)
    torch.testing.assert_close(smooth.loss(logits, None, labels), soft)
    with pytest.raises(ValueError, match='label_smoothing'):
        TASK_HEADS.build(dict(type='PlaybackRateHead',
                              loss=dict(type='CrossEntropyLoss', label_smoothing=1.0)))
