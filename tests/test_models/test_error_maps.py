"""Per-pixel error maps (MSE, PSE, BPE) by hand and against an independent numpy blur; the
maps of clips and PSNR."""

import numpy as np
import pytest
import torch

from vadkit.models.measures import functional as MF  # noqa: N812
from vadkit.registry import ERROR_MEASURES
from vadkit.utils import register_all_modules

register_all_modules()


def np_gauss2d(sigma=1.0, k=5):
    r = k // 2
    ax = np.arange(-r, r + 1)
    g = np.exp(-(ax[:, None]**2 + ax[None, :]**2) / (2 * sigma**2))
    return g / g.sum()


def one_pixel(y, x, value=2.0, h=6, w=6):
    target = torch.zeros(1, 1, h, w, dtype=torch.float64)
    pred = target.clone()
    pred[0, 0, y, x] = value
    return pred, target


# ---------------------------------------------------------------------------------------
# Error maps
# ---------------------------------------------------------------------------------------
def test_mse_map_by_hand():
    pred, target = one_pixel(2, 3, 2.0)
    m = ERROR_MEASURES.build(dict(type='MSE')).error_map(pred, target)
    expected = np.zeros((6, 6))
    expected[2, 3] = 4.0
    np.testing.assert_array_equal(m[0, 0].numpy(), expected)
    assert m.mean().item() == MF.mse(pred, target).item()


def test_pse_map_by_hand_interior_pixel():
    # an impulse 3+ pixels from the border (no reflection reaches it): value * G around it
    pred, target = one_pixel(4, 5, 2.0, h=9, w=10)
    m = ERROR_MEASURES.build(dict(type='PSE', sigma=1.0, kernel_size=5)).error_map(
        pred, target)[0, 0].numpy()
    expected = np.zeros((9, 10))
    expected[2:7, 3:8] = (2.0 * np_gauss2d())**2
    np.testing.assert_allclose(m, expected, rtol=1e-12, atol=1e-15)
    assert m.mean() == pytest.approx(MF.pse(pred, target).item(), rel=1e-12)


def test_bpe_map_is_the_subsampled_pse_map_and_sums_to_bpe():
    torch.manual_seed(0)
    pred = torch.randn(2, 1, 9, 8, dtype=torch.float64)
    target = torch.zeros_like(pred)
    bpe = ERROR_MEASURES.build(dict(type='BPE', sigma=1.0, kernel_size=5, stride=2))
    pse = ERROR_MEASURES.build(dict(type='PSE', sigma=1.0, kernel_size=5))
    bmap = bpe.error_map(pred, target)
    assert bmap.shape == (2, 1, 5, 4)  # ceil(9 / 2) x ceil(8 / 2)
    torch.testing.assert_close(bmap, pse.error_map(pred, target)[..., ::2, ::2])
    # Eq. 11: the sum of the subsampled map over C H W of the *full* frame
    torch.testing.assert_close(bmap.flatten(1).sum(1) / (1 * 9 * 8), bpe(pred, target))
    bmap3 = ERROR_MEASURES.build(dict(type='BPE', stride=3)).error_map(pred, target)
    assert bmap3.shape == (2, 1, 3, 3)


def test_bpe_map_one_pixel_by_hand():
    # impulse 2 at (4, 4) of 10x10: blurred = 2 G over rows/cols 2..6; stride 2 keeps
    # rows/cols 0, 2, 4, 6, 8, i.e. G's rows/cols 0, 2, 4 at map positions 1, 2, 3
    pred, target = one_pixel(4, 4, 2.0, h=10, w=10)
    m = ERROR_MEASURES.build(dict(type='BPE')).error_map(pred, target)[0, 0].numpy()
    g = 2.0 * np_gauss2d()
    expected = np.zeros((5, 5))
    expected[1:4, 1:4] = g[::2, ::2]**2
    np.testing.assert_allclose(m, expected, rtol=1e-12, atol=1e-15)


def test_error_map_of_clips_and_psnr():
    torch.manual_seed(1)
    pred = torch.rand(2, 1, 3, 8, 8, dtype=torch.float64)
    target = torch.rand_like(pred)
    for cfg in (dict(type='MSE'), dict(type='PSE'), dict(type='BPE'), dict(type='NegativePSNR')):
        m = ERROR_MEASURES.build(cfg)
        clip_maps = m.error_map(pred, target)
        assert clip_maps.shape[:3] == (2, 1, 3)
        for t in range(3):
            torch.testing.assert_close(clip_maps[:, :, t],
                                       m.error_map(pred[:, :, t], target[:, :, t]))
    # PSNR's map is the squared error (PSNR is a function of its mean)
    torch.testing.assert_close(
        ERROR_MEASURES.build(dict(type='NegativePSNR')).error_map(pred[:, :, 0],
                                                                 target[:, :, 0]),
        (pred[:, :, 0] - target[:, :, 0])**2)
