"""Error measures against an independent numpy reference and by hand: the Gaussian kernel
and blur, MSE, PSE, BPE, PSNR, and the registered measure classes on clips."""
import math

import numpy as np
import pytest
import torch

from vadkit.models.measures import functional as MF  # noqa: N812
from vadkit.registry import ERROR_MEASURES
from vadkit.utils import register_all_modules

register_all_modules()


# ---------------------------------------------------------------------------------------
# Independent numpy reference of the paper's Gaussian filtering (Eq. 10) and measures.
# ---------------------------------------------------------------------------------------
def np_gaussian(sigma=1.0, k=5):
    r = k // 2
    g = np.array([[math.exp(-(i * i + j * j) / (2 * sigma * sigma)) for j in range(-r, r + 1)]
                  for i in range(-r, r + 1)])
    return g / g.sum()


def np_blur(img, sigma=1.0, k=5, mode='reflect'):
    """2-D correlation of one (H, W) image with the normalised Gaussian, padded like
    numpy.pad(mode=...)."""
    g = np_gaussian(sigma, k)
    r = k // 2
    p = np.pad(img.astype(np.float64), r, mode=mode)
    h, w = img.shape
    out = np.zeros((h, w))
    for y in range(h):
        for x in range(w):
            out[y, x] = (p[y:y + k, x:x + k] * g).sum()
    return out


def np_pse(err_chw, **kw):
    c, h, w = err_chw.shape
    return sum((np_blur(e, **kw)**2).sum() for e in err_chw) / (c * h * w)


def np_bpe(err_chw, stride=2, **kw):
    c, h, w = err_chw.shape
    return sum((np_blur(e, **kw)[::stride, ::stride]**2).sum() for e in err_chw) / (c * h * w)


def one_pixel(y, x, value=2.0, h=4, w=4, dtype=torch.float64):
    """(pred, target) 1x1xHxW whose error is ``value`` at (y, x) and zero elsewhere."""
    target = torch.zeros(1, 1, h, w, dtype=dtype)
    pred = target.clone()
    pred[0, 0, y, x] = value
    return pred, target


# ---------------------------------------------------------------------------------------
# Gaussian kernel and blur
# ---------------------------------------------------------------------------------------
def test_gaussian_kernel_matches_numpy_and_has_unit_sum():
    k = MF.gaussian_kernel(1.0, 5, dtype=torch.float64)
    assert k.shape == (5, 5)
    np.testing.assert_allclose(k.numpy(), np_gaussian(1.0, 5), rtol=1e-12, atol=0)
    assert k.sum().item() == pytest.approx(1.0, abs=1e-12)
    # centre / neighbour ratio of an unnormalised Gaussian sigma=1 is e^(1/2)
    assert (k[2, 2] / k[2, 3]).item() == pytest.approx(math.exp(0.5), rel=1e-12)


@pytest.mark.parametrize('sigma,k', [(1.0, 4), (1.0, 0), (0.0, 5), (-1.0, 5)])
def test_gaussian_kernel_rejects_bad_parameters(sigma, k):
    with pytest.raises(ValueError):
        MF.gaussian_kernel(sigma, k)


@pytest.mark.parametrize('y,x', [(0, 0), (1, 2), (3, 1), (2, 2)])
def test_blur_matches_numpy_reflect(y, x):
    pred, target = one_pixel(y, x, 1.0)
    out = MF.blur(pred - target, 1.0, 5)[0, 0].numpy()
    np.testing.assert_allclose(out, np_blur((pred - target)[0, 0].numpy()), rtol=1e-10,
                               atol=1e-14)


def test_blur_keeps_a_flat_image_flat():
    err = torch.full((1, 2, 6, 5), 0.3, dtype=torch.float64)
    torch.testing.assert_close(MF.blur(err, 1.0, 5), err)


def test_blur_small_frames_fall_back_to_edge_padding():
    # a 2x2 frame cannot be reflect-padded by 2 pixels; the code replicates the border
    img = np.array([[1.0, 0.0], [0.0, -0.5]])
    out = MF.blur(torch.from_numpy(img)[None, None], 1.0, 5)[0, 0].numpy()
    np.testing.assert_allclose(out, np_blur(img, mode='edge'), rtol=1e-10)


# ---------------------------------------------------------------------------------------
# MSE, PSE, BPE, PSNR on tiny frames
# ---------------------------------------------------------------------------------------
def test_mse_single_pixel_by_hand():
    pred, target = one_pixel(1, 2, 2.0)
    # one squared error of 4 over 16 pixels
    assert MF.mse(pred, target).tolist() == [0.25]
    assert MF.mse(target, pred).tolist() == [0.25]
    assert MF.mse(target, target).tolist() == [0.0]


def test_mse_per_frame_and_per_channel_by_hand():
    target = torch.zeros(3, 2, 2, 2, dtype=torch.float64)
    pred = target.clone()
    pred[0, 0, 0, 0] = 1.0  # 1 / 8
    pred[1] = 0.5  # 0.25 everywhere
    pred[2, 1, 1, 1] = -4.0  # 16 / 8
    torch.testing.assert_close(MF.mse(pred, target),
                               torch.tensor([0.125, 0.25, 2.0], dtype=torch.float64))


def test_mse_rejects_mismatched_or_non_4d():
    with pytest.raises(ValueError):
        MF.mse(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 4, 5))
    with pytest.raises(ValueError):
        MF.mse(torch.zeros(1, 4, 4), torch.zeros(1, 4, 4))


@pytest.mark.parametrize('y,x', [(0, 0), (1, 1), (1, 2), (3, 3), (2, 0)])
def test_pse_single_pixel_against_numpy(y, x):
    pred, target = one_pixel(y, x, 2.0)
    expected = np_pse((pred - target)[0].numpy())
    assert MF.pse(pred, target).item() == pytest.approx(expected, rel=1e-10)
    # blurring spreads the error: less energy than the raw MSE
    assert MF.pse(pred, target).item() < MF.mse(pred, target).item()


@pytest.mark.parametrize('y,x', [(0, 0), (1, 1), (1, 2), (3, 3), (2, 0)])
def test_bpe_single_pixel_against_numpy(y, x):
    pred, target = one_pixel(y, x, 2.0)
    err = (pred - target)[0, 0].numpy()
    pooled = np_blur(err)[::2, ::2]  # rows 0, 2 and columns 0, 2
    expected = (pooled**2).sum() / 16  # divided by C*H*W of the full frame
    assert expected == pytest.approx(np_bpe((pred - target)[0].numpy()), rel=1e-12)
    assert MF.bpe(pred, target).item() == pytest.approx(expected, rel=1e-10)


def test_pse_and_bpe_of_a_flat_error_by_hand():
    # unit-sum kernel: a flat error c stays flat, so PSE = MSE = c^2 and BPE keeps a
    # quarter of the 4x4 pixels (2x2 of them), divided by all 16: c^2 / 4.
    target = torch.zeros(1, 1, 4, 4, dtype=torch.float64)
    pred = torch.full_like(target, 0.5)
    assert MF.mse(pred, target).item() == pytest.approx(0.25)
    assert MF.pse(pred, target).item() == pytest.approx(0.25, rel=1e-12)
    assert MF.bpe(pred, target).item() == pytest.approx(0.0625, rel=1e-12)
    # odd size: 5x5 keeps 3x3 = 9 of 25 pixels
    pred5 = torch.full((1, 1, 5, 5), 0.5, dtype=torch.float64)
    assert MF.bpe(pred5, torch.zeros_like(pred5)).item() == pytest.approx(0.25 * 9 / 25)


def test_bpe_divides_by_channels_and_blurs_channels_independently():
    torch.manual_seed(0)
    err = torch.randn(1, 3, 6, 6, dtype=torch.float64)
    zeros = torch.zeros_like(err)
    np_err = err[0].numpy()
    assert MF.pse(err, zeros).item() == pytest.approx(np_pse(np_err), rel=1e-10)
    assert MF.bpe(err, zeros).item() == pytest.approx(np_bpe(np_err), rel=1e-10)
    # an error in one channel of two halves the measure of that channel alone
    pred, target = one_pixel(1, 2, 2.0)
    two_pred = torch.cat([pred, torch.zeros_like(pred)], 1)
    two_target = torch.zeros_like(two_pred)
    assert MF.bpe(two_pred, two_target).item() == pytest.approx(MF.bpe(pred, target).item() / 2)
    assert MF.pse(two_pred, two_target).item() == pytest.approx(MF.pse(pred, target).item() / 2)


def test_pse_bpe_other_sigma_kernel_stride():
    torch.manual_seed(1)
    err = torch.randn(2, 1, 8, 8, dtype=torch.float64)
    zeros = torch.zeros_like(err)
    got_pse = MF.pse(err, zeros, sigma=2.0, kernel_size=3)
    got_bpe = MF.bpe(err, zeros, sigma=0.7, kernel_size=7, stride=3)
    for i in range(2):
        assert got_pse[i].item() == pytest.approx(np_pse(err[i].numpy(), sigma=2.0, k=3),
                                                  rel=1e-10)
        assert got_bpe[i].item() == pytest.approx(
            np_bpe(err[i].numpy(), stride=3, sigma=0.7, k=7), rel=1e-10)


def test_measures_float32():
    pred, target = one_pixel(1, 2, 2.0, dtype=torch.float32)
    err = (pred - target)[0].double().numpy()
    assert MF.pse(pred, target).dtype == torch.float32
    assert MF.pse(pred, target).item() == pytest.approx(np_pse(err), rel=1e-5)
    assert MF.bpe(pred, target).item() == pytest.approx(np_bpe(err), rel=1e-5)


def test_psnr_by_hand():
    pred, target = one_pixel(1, 2, 2.0)
    # MSE 0.25, range 2: 10 log10(4 / 0.25) = 10 log10(16)
    assert MF.psnr(pred, target).item() == pytest.approx(10 * math.log10(16), rel=1e-12)
    # range 1: 10 log10(1 / 0.25) = 10 log10(4)
    assert MF.psnr(pred, target, data_range=1.0).item() == pytest.approx(10 * math.log10(4))
    # identical frames: finite, clamped at MSE 1e-10
    same = MF.psnr(target, target)
    assert torch.isfinite(same).all()
    assert same.item() == pytest.approx(10 * math.log10(4 / 1e-10))


# ---------------------------------------------------------------------------------------
# Registered measure classes
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('cfg,fn', [
    (dict(type='MSE'), MF.mse),
    (dict(type='PSE'), MF.pse),
    (dict(type='BPE'), MF.bpe),
    (dict(type='NegativePSNR'), lambda p, t: -MF.psnr(p, t)),
])
def test_registered_measures_on_clips_return_b_by_t(cfg, fn):
    torch.manual_seed(0)
    b, c, t, h, w = 2, 1, 3, 6, 6
    pred = torch.rand(b, c, t, h, w, dtype=torch.float64) * 2 - 1
    target = torch.rand(b, c, t, h, w, dtype=torch.float64) * 2 - 1
    measure = ERROR_MEASURES.build(cfg)
    out = measure(pred, target)
    assert out.shape == (b, t)
    for i in range(b):
        for j in range(t):
            frame_value = fn(pred[i:i + 1, :, j], target[i:i + 1, :, j]).item()
            assert out[i, j].item() == pytest.approx(frame_value, rel=1e-10)
    # frames (N, C, H, W) pass straight through
    assert measure(pred[:, :, 0], target[:, :, 0]).shape == (b, )


def test_registered_measures_on_multichannel_clip_keep_frames_apart():
    # frame j of clip i must be scored against frame j of the same clip only
    b, c, t, h, w = 2, 2, 3, 4, 4
    target = torch.zeros(b, c, t, h, w, dtype=torch.float64)
    pred = target.clone()
    pred[1, 0, 2, 1, 2] = 2.0  # clip 1, frame 2, channel 0
    out = ERROR_MEASURES.build(dict(type='BPE'))(pred, target)
    single = np_bpe(np.stack([(pred - target)[1, 0, 2].numpy(), np.zeros((h, w))]))
    expected = torch.zeros(b, t, dtype=torch.float64)
    expected[1, 2] = single
    torch.testing.assert_close(out, expected)
    mse = ERROR_MEASURES.build(dict(type='MSE'))(pred, target)
    assert mse[1, 2].item() == pytest.approx(4.0 / (c * h * w))
    assert mse.sum().item() == pytest.approx(4.0 / (c * h * w))


def test_registered_measure_parameters_are_used():
    pred, target = one_pixel(2, 1, 2.0, h=6, w=6)
    m = ERROR_MEASURES.build(dict(type='BPE', sigma=2.0, kernel_size=3, stride=3))
    assert m(pred, target).item() == pytest.approx(
        np_bpe((pred - target)[0].numpy(), stride=3, sigma=2.0, k=3), rel=1e-10)
    m = ERROR_MEASURES.build(dict(type='PSE', sigma=0.5, kernel_size=3))
    assert m(pred, target).item() == pytest.approx(
        np_pse((pred - target)[0].numpy(), sigma=0.5, k=3), rel=1e-10)
    m = ERROR_MEASURES.build(dict(type='NegativePSNR', data_range=1.0))
    assert m(pred, target).item() == pytest.approx(-10 * math.log10(1 / (4 / 36)))
