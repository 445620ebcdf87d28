"""TemporalDifference: the error of a clip's frame-to-frame change."""
import pytest
import torch

import vadkit.models  # noqa: F401  (registers the measures, heads and losses)
from vadkit.models.measures import ClipMeasureError, TemporalDifference
from vadkit.registry import ERROR_MEASURES, LOSSES, TASK_HEADS


def _moving_square_clip(t: int = 6, size: int = 24, seed: int = 0) -> torch.Tensor:
    """A textured static background with a bright square moving 2 px a frame."""
    g = torch.Generator().manual_seed(seed)
    background = torch.rand(1, 1, 1, size, size, generator=g) * 0.5 - 0.25
    clip = background.repeat(1, 1, t, 1, 1).clone()
    for i in range(t):
        clip[0, 0, i, 8:14, 2 + 2 * i:8 + 2 * i] = 0.9
    return clip


def test_a_static_error_cancels_and_missed_motion_does_not():
    target = _moving_square_clip()
    # the model's usual failure: every frame drawn with the same wrong background
    blurred = target + 0.3 * torch.sin(torch.arange(24.0)).view(1, 1, 1, 1, 24)
    measure = TemporalDifference(measure=dict(type='MSE'))
    mse = ERROR_MEASURES.build(dict(type='MSE'))
    assert mse(blurred, target).min() > 1e-2
    assert measure(blurred, target).abs().max() < 1e-12
    # a model that does not reproduce the motion: the square stays where it was
    frozen = target[:, :, :1].repeat(1, 1, target.shape[2], 1, 1)
    assert measure(frozen, target).min() > 1e-2


def test_a_prediction_constant_in_time_scores_the_targets_frame_difference():
    target = _moving_square_clip()
    constant = torch.zeros_like(target)
    measure = TemporalDifference(measure=dict(type='MSE'))
    frame_difference = TASK_HEADS.build(dict(type='FrameDifferenceHead', clip_len=1))
    for t in range(1, target.shape[2]):
        pair = type('Feats', (), {'clip': target[:, :, t - 1:t + 1]})()
        expected = frame_difference.score(frame_difference.forward(pair), pair)['motion']
        torch.testing.assert_close(measure(constant, target)[:, t - 1], expected)


def test_one_value_per_pair_of_frames_and_a_map_per_pair():
    pred, target = torch.rand(3, 1, 5, 16, 16), torch.rand(3, 1, 5, 16, 16)
    measure = ERROR_MEASURES.build(dict(type='TemporalDifference'))  # BPE by default
    assert measure(pred, target).shape == (3, 4)
    assert measure.error_map(pred, target).shape == (3, 1, 4, 8, 8)  # BPE subsamples by 2


def test_single_frames_and_clip_inner_measures_are_refused():
    measure = TemporalDifference()
    with pytest.raises(ClipMeasureError, match='needs clips'):
        measure(torch.rand(2, 1, 16, 16), torch.rand(2, 1, 16, 16))
    with pytest.raises(ClipMeasureError, match='must compare frames'):
        TemporalDifference(measure=dict(type='TemporalDifference'))


@pytest.mark.parametrize('where', ['measure', 'extra_measures', 'loss'])
def test_a_one_frame_task_with_it_fails_when_built_naming_the_task(where):
    td = dict(type='TemporalDifference')
    cfg = dict(type='FuturePredictionHead', name='ffp', clip_len=4)
    cfg.update(dict(measure=dict(measure=td), extra_measures=dict(extra_measures=dict(td=td)),
                    loss=dict(loss=dict(type='MeasureLoss', measure=td)))[where])
    with pytest.raises(ClipMeasureError, match=r"task 'ffp' \(FuturePredictionHead\) outputs one"):
        TASK_HEADS.build(cfg)


def test_it_trains_vcr_as_a_loss():
    head = TASK_HEADS.build(dict(type='ClipReconstructionHead', clip_len=4,
                                 loss=dict(type='MeasureLoss',
                                           measure=dict(type='TemporalDifference'))))
    target = _moving_square_clip(t=4)
    output = torch.zeros_like(target, requires_grad=True)
    feats = type('Feats', (), {'inputs': target})()
    loss = head.loss(output, feats, {})
    loss.backward()
    assert loss > 0 and output.grad.abs().sum() > 0
    assert LOSSES.build(dict(type='MeasureLoss', measure=dict(type='TemporalDifference')))
