"""Local error measures (WorstRegion, TopK, RelativeToNormal): values a small anomaly would
give, their maps, their gradients as losses, and the normal-statistics file they read."""
import numpy as np
import pytest
import torch

from vadkit.models.losses import MeasureLoss
from vadkit.models.losses.measure_loss import UnsuitableLossError
from vadkit.models.measures import (
    MSE,
    PSE,
    NormalErrorMaps,
    NormalErrorMapsError,
    RelativeToNormal,
    TopK,
    WorstRegion,
)
from vadkit.models.measures.local_measures import MeasureConfigError
from vadkit.registry import ERROR_MEASURES
from vadkit.utils import register_all_modules
from vadkit.utils.errors import VadkitError

register_all_modules()


def spot(h=32, w=48, y=8, x=16, size=4, value=1.0, n=1):
    """A zero target and a prediction wrong by ``value`` on one ``size`` square."""
    target = torch.zeros(n, 1, h, w, dtype=torch.float64)
    pred = target.clone()
    pred[..., y:y + size, x:x + size] = value
    return pred, target


def test_worst_region_is_the_largest_block_mean_where_mse_dilutes():
    pred, target = spot(y=16, x=16, size=4)                  # inside block (1, 1) of 16 px
    worst = WorstRegion(block_size=16)
    assert worst(pred, target).item() == pytest.approx(16 / 256)
    assert MSE()(pred, target).item() == pytest.approx(16 / (32 * 48))
    emap = worst.error_map(pred, target)
    assert emap.shape == (1, 1, 32, 48)                      # aligned with the frame
    assert emap.max().item() == pytest.approx(worst(pred, target).item())
    assert emap[0, 0, 16:32, 16:32].unique().tolist() == [pytest.approx(16 / 256)]
    assert emap[0, 0, :16].abs().max() == 0


def test_worst_region_cut_block_averages_its_own_pixels():
    pred, target = spot(h=20, w=20, y=16, x=16, size=4)      # the 4x4 corner block of 20x20
    assert WorstRegion(block_size=16)(pred, target).item() == pytest.approx(1.0)


def test_top_k_means_the_largest_fraction_and_fraction_one_is_mse():
    pred, target = spot(size=4)                              # 16 of 1536 pixels wrong
    assert TopK(fraction=16 / 1536)(pred, target).item() == pytest.approx(1.0)
    assert TopK(fraction=32 / 1536)(pred, target).item() == pytest.approx(0.5)
    assert TopK(fraction=1e-9)(pred, target).item() == pytest.approx(1.0)    # at least one
    torch.manual_seed(0)
    p, t = torch.randn(3, 2, 16, 16), torch.randn(3, 2, 16, 16)
    assert torch.allclose(TopK(fraction=1.0)(p, t), MSE()(p, t), rtol=1e-5)
    assert torch.allclose(TopK(fraction=1.0, sigma=1.0)(p, t), PSE(1.0, 5)(p, t), rtol=1e-5)


def test_clips_give_one_value_a_frame_and_maps_per_frame():
    torch.manual_seed(0)
    p, t = torch.randn(2, 1, 3, 32, 32), torch.randn(2, 1, 3, 32, 32)
    for m in (WorstRegion(8), TopK(0.1), TopK(0.1, sigma=1.0)):
        v = m(p, t)
        assert v.shape == (2, 3)
        frame = m(p[:, :, 1], t[:, :, 1])
        assert torch.allclose(v[:, 1], frame)
        assert m.error_map(p, t).shape == (2, 1, 3, 32, 32)


def test_bad_parameters_are_user_errors():
    for cfg in (dict(type='WorstRegion', block_size=0), dict(type='TopK', fraction=0),
                dict(type='TopK', fraction=1.5), dict(type='TopK', sigma=-1),
                dict(type='WorstRegion', kernel_size=4),
                dict(type='RelativeToNormal', stats_file='x.npz', mode='diff'),
                dict(type='RelativeToNormal', stats_file='x.npz', reduction='median'),
                dict(type='RelativeToNormal')):
        with pytest.raises(MeasureConfigError):
            ERROR_MEASURES.build(cfg)


@pytest.mark.parametrize('measure', [dict(type='TopK', fraction=16 / 1024),
                                     dict(type='WorstRegion', block_size=8)])
def test_as_a_loss_the_gradient_reaches_the_worst_pixels_only(measure):
    pred, target = spot(h=32, w=32, y=8, x=8, size=4, value=1.0)
    pred = pred + 0.01 * torch.rand_like(pred)             # a little error everywhere
    pred.requires_grad_(True)
    MeasureLoss(measure)(pred, target).backward()
    grad = pred.grad[0, 0]
    assert grad[8:12, 8:12].abs().min() > 0                 # the anomaly learns
    assert grad[16:, 16:].abs().max() == 0                  # far away: no gradient


def test_relative_to_normal_refuses_to_be_a_loss(tmp_path):
    with pytest.raises(UnsuitableLossError, match='stale'):
        MeasureLoss(dict(type='RelativeToNormal', stats_file=str(tmp_path / 's.npz')))
    assert issubclass(UnsuitableLossError, VadkitError)


def write_stats(path, mean, std=None, task='ffp', sigma=None):
    std = np.ones_like(mean) if std is None else std
    return NormalErrorMaps({task: mean}, {task: std}, sigma, 5).save(str(path))


def test_relative_to_normal_discounts_where_normal_error_is_high(tmp_path):
    mean = np.full((1, 32, 48), 0.01)
    mean[:, 0:16, 0:16] = 1.0                               # the model always errs here
    path = write_stats(tmp_path / 's.npz', mean)
    rel = RelativeToNormal(stats_file=path, task='ffp')
    busy, _ = spot(y=4, x=4)
    quiet, target = spot(y=20, x=36)                        # inside one 16 px block
    assert MSE()(busy, target).item() == pytest.approx(MSE()(quiet, target).item())
    assert rel(quiet, target).item() > 20 * rel(busy, target).item()
    # constant normal error c: the map is e / (1 + floor), the value MSE / (1 + floor)
    flat = write_stats(tmp_path / 'flat.npz', np.full((1, 32, 48), 0.3))
    v = RelativeToNormal(stats_file=flat, floor=0.1)(quiet, target)
    assert v.item() == pytest.approx(MSE()(quiet, target).item() / 1.1)
    # z-score: (e - mu) / (sd + floor * mean(sd)) * mean(sd)
    z = write_stats(tmp_path / 'z.npz', np.full((1, 32, 48), 0.5), np.full((1, 32, 48), 2.0))
    zm = RelativeToNormal(stats_file=z, mode='zscore', floor=0.1)
    expected = ((quiet - target).pow(2) - 0.5) / 2.2 * 2.0
    assert torch.allclose(zm.error_map(quiet, target), expected)
    top = RelativeToNormal(stats_file=path, reduction='topk', fraction=16 / 1536)
    worst = RelativeToNormal(stats_file=path, reduction='worst_region', block_size=16)
    scale = mean.mean()
    assert top(quiet, target).item() == pytest.approx(scale / (0.01 + 0.1 * scale))
    assert worst(quiet, target).item() == pytest.approx(top(quiet, target).item() / 16)


def test_relative_to_normal_file_errors_name_the_file_and_the_command(tmp_path):
    pred, target = spot()
    missing = str(tmp_path / 'nope.npz')
    with pytest.raises(NormalErrorMapsError, match='nope.npz.*fit_normal_error_maps.py'):
        RelativeToNormal(stats_file=missing, task='ffp')(pred, target)
    wrong = write_stats(tmp_path / 'small.npz', np.ones((1, 16, 16)))
    with pytest.raises(NormalErrorMapsError, match=r'small.npz.*1x16x16.*1x32x48.*refit'):
        RelativeToNormal(stats_file=wrong, task='ffp')(pred, target)
    with pytest.raises(NormalErrorMapsError, match=r"no statistics of task 'vcr'.*\['ffp'\]"):
        RelativeToNormal(stats_file=wrong, task='vcr')(pred, target)
    blurred = write_stats(tmp_path / 'b.npz', np.ones((1, 32, 48)), sigma=1.0)
    with pytest.raises(NormalErrorMapsError, match='sigma=1.0.*sigma=None'):
        RelativeToNormal(stats_file=blurred)(pred, target)
    junk = tmp_path / 'junk.npz'
    np.savez(junk, x=np.zeros(3))
    with pytest.raises(NormalErrorMapsError, match='not a normal error-map statistics file'):
        RelativeToNormal(stats_file=str(junk))(pred, target)
    two = NormalErrorMaps({'vcr': np.ones((1, 32, 48)), 'ffp': np.ones((1, 32, 48))},
                          {'vcr': np.ones((1, 32, 48)), 'ffp': np.ones((1, 32, 48))})
    both = two.save(str(tmp_path / 'two.npz'))
    with pytest.raises(NormalErrorMapsError, match="give the measure task="):
        RelativeToNormal(stats_file=both)(pred, target)
    assert repr(RelativeToNormal(stats_file=both, task='vcr')).startswith(
        'RelativeToNormal(sigma=None')
