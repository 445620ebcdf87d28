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



def test_a_head_with_a_class_per_rate_scores_acceleration_and_the_expected_rate():
    """``rates``: one class a playback rate, a clip's class from its stride; ``prp`` is the
    probability of any faster class, ``prp.rate`` the expected rate; the binary head's
    score is unchanged (bitwise)."""
    torch.manual_seed(0)
    head = TASK_HEADS.build(dict(type='PlaybackRateHead', rates=(1, 2, 3, 5)))
    assert head.fc[-1].out_features == 4
    assert 'class_of_stride' not in ''.join(head.state_dict())  # checkpoints unchanged
    assert PlaybackRateHead.score_names_of('prp', dict(rates=(1, 2))) == ['prp', 'prp.rate']
    assert PlaybackRateHead.score_names_of('prp', {}) == ['prp']
    logits = torch.randn(4, 4)
    p = logits.softmax(1)
    scores = head.score(logits, None)
    torch.testing.assert_close(scores['prp'], 1 - p[:, 0])
    torch.testing.assert_close(scores['prp.rate'], (p * torch.tensor([1., 2, 3, 5])).sum(1))
    binary = TASK_HEADS.build(dict(type='PlaybackRateHead'))
    two = torch.randn(6, 2) * 20
    assert torch.equal(binary.score(two, None)['prp'], two.softmax(1)[:, -1])
    # the class of each clip is the place of its stride in rates (the binary label unused)
    samples = {'prp_label': torch.tensor([0, 1, 1, 1]), 'prp_stride': torch.tensor([1, 5, 2, 3])}
    torch.testing.assert_close(head.loss(logits, None, samples),
                               F.cross_entropy(logits, torch.tensor([0, 3, 1, 2])))
    with pytest.raises(ValueError, match=r'strides \[1, 4\] but rates=\(1, 2, 3, 5\)'):
        head.loss(logits, None, {'prp_stride': torch.tensor([1, 4, 1, 1])})
    with pytest.raises(ValueError, match='strides'):
        head.loss(logits, None, {'prp_stride': torch.tensor([1, 9, 1, 1])})
    with pytest.raises(KeyError, match="add 'prp_stride' to the meta_keys"):
        head.loss(logits, None, {'prp_label': torch.tensor([0, 1, 1, 1])})
    for rates in ((2, 3), (1, 2, 2), (1, )):
        with pytest.raises(ValueError, match='the original rate 1 first'):
            TASK_HEADS.build(dict(type='PlaybackRateHead', rates=rates))
