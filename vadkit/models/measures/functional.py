"""Pure error-measure functions on frames ``(N, C, H, W)``; each returns one value a frame.

MSE (paper Eq. 8), PSE (Eq. 9-10, Gudi et al. 2022) and BPE (Eq. 11, blur pooled error).
"""
import math
from functools import lru_cache
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from vadkit.utils.errors import VadkitError


class MeasureParameterError(VadkitError, ValueError):
    """An error measure configured with an impossible parameter value."""


@lru_cache(maxsize=32)
def _gaussian_kernel_cpu(sigma: float, kernel_size: int) -> Tensor:
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f'Gaussian kernel size must be a positive odd number, got {kernel_size}')
    if sigma <= 0:
        raise ValueError(f'Gaussian sigma must be positive, got {sigma}')
    r = kernel_size // 2
    ax = torch.arange(-r, r + 1, dtype=torch.float64)
    g = torch.exp(-(ax[:, None]**2 + ax[None, :]**2) / (2 * sigma**2)) / (2 * math.pi * sigma**2)
    return g / g.sum()


def gaussian_kernel(sigma: float, kernel_size: int, device=None, dtype=torch.float32) -> Tensor:
    """A 2-D Gaussian ``G(sigma, k)`` (Eq. 10), normalised to unit sum.

    The paper's Eq. 10 leaves it unnormalised; the two differ by a constant factor that
    per-video rescaling cancels, and unit sum keeps a flat error image unchanged.
    """
    return _gaussian_kernel_cpu(float(sigma), int(kernel_size)).to(device=device, dtype=dtype)


def _check(pred: Tensor, target: Tensor) -> None:
    if pred.shape != target.shape or pred.dim() != 4:
        raise ValueError('error measures take two (N, C, H, W) tensors of the same shape, got '
                         f'{tuple(pred.shape)} and {tuple(target.shape)}')


#: Border paddings of the low-pass filters: ``'reflect'`` (vadkit's default; ``'replicate'``
#: on frames too small to reflect) or ``'zeros'`` (the LUSS-AE reference code's, from
#: kornia's blur pool).
PADDINGS = ('reflect', 'zeros')


def check_padding(padding: str) -> str:
    if padding not in PADDINGS:
        raise MeasureParameterError(f'BPE padding must be one of {PADDINGS} (reflect: '
                                    f"vadkit's default; zeros: the reference code's), got "
                                    f'{padding!r}')
    return padding


def blur(error: Tensor, sigma: float, kernel_size: int, padding: str = 'reflect') -> Tensor:
    """Depthwise Gaussian filtering of ``(N, C, H, W)``, same size out. ``padding``:
    ``'reflect'`` mirrors the border pixels (an error at the edge weighs as much as one
    inside); ``'zeros'`` pads with zero error (with sigma 1, k 5, a uniform error comes out
    at 0.70 of itself on the frame's edge, 0.49 in a corner)."""
    c = error.shape[1]
    k = gaussian_kernel(sigma, kernel_size, error.device, error.dtype)
    weight = k.expand(c, 1, kernel_size, kernel_size)
    pad = kernel_size // 2
    if check_padding(padding) == 'zeros':
        return F.conv2d(error, weight, padding=pad, groups=c)
    mode = 'reflect' if min(error.shape[-2:]) > pad else 'replicate'
    return F.conv2d(F.pad(error, (pad, pad, pad, pad), mode=mode), weight, groups=c)


def mse_map(pred: Tensor, target: Tensor) -> Tensor:
    """Squared error image ``(pred - target)^2``, shape ``(N, C, H, W)``: what MSE averages."""
    _check(pred, target)
    return (pred - target).pow(2)


def pse_map(pred: Tensor, target: Tensor, sigma: float = 1.0, kernel_size: int = 5) -> Tensor:
    """Squared Gaussian-filtered error image ``((pred - target) * G)^2``, ``(N, C, H, W)``:
    what PSE averages (it shows the error with incoherent noise smoothed away)."""
    _check(pred, target)
    return blur(pred - target, sigma, kernel_size).pow(2)


def bpe_map(pred: Tensor, target: Tensor, sigma: float = 1.0, kernel_size: int = 5,
            stride: int = 2, padding: str = 'reflect') -> Tensor:
    """Squared blur-pooled error image, ``(N, C, ceil(H / stride), ceil(W / stride))``:
    the low-pass filtered error (borders padded by ``padding``, see :func:`blur`)
    subsampled with ``stride`` (what BPE sums, Eq. 11)."""
    _check(pred, target)
    if stride < 1:
        raise MeasureParameterError(f'BPE stride must be a positive integer, got {stride}')
    return blur(pred - target, sigma, kernel_size, padding)[..., ::stride, ::stride].pow(2)


def mse(pred: Tensor, target: Tensor) -> Tensor:
    """Mean squared error a frame: ``||pred - target||^2 / (C H W)``."""
    return mse_map(pred, target).flatten(1).mean(1)


def pse(pred: Tensor, target: Tensor, sigma: float = 1.0, kernel_size: int = 5) -> Tensor:
    """Proximally sensitive error: MSE of the Gaussian-filtered error image."""
    return pse_map(pred, target, sigma, kernel_size).flatten(1).mean(1)


def bpe(pred: Tensor, target: Tensor, sigma: float = 1.0, kernel_size: int = 5,
        stride: int = 2, padding: str = 'reflect') -> Tensor:
    """Blur pooled error: the low-pass filtered error image subsampled with ``stride``;
    squared norm divided by ``C H W`` of the full frame, as in Eq. 11. (The reference
    code averages over the subsampled map instead: ``stride**2`` times larger for even
    frame sizes, a constant that per-video rescaling removes.)"""
    pooled = bpe_map(pred, target, sigma, kernel_size, stride, padding)
    return pooled.flatten(1).sum(1) / pred[0].numel()


def psnr(pred: Tensor, target: Tensor, data_range: float = 2.0) -> Tensor:
    """Peak signal-to-noise ratio a frame, in dB (``data_range`` 2 for [-1, 1] pixels)."""
    err = mse(pred, target).clamp_min(1e-10)
    return 10 * torch.log10(data_range**2 / err)


def gradient_difference(pred: Tensor, target: Tensor, alpha: float = 1.0) -> Tensor:
    """Per-frame gradient difference of ``(N, C, H, W)`` frames -> ``(N,)``.

    With ``|d_x I|`` the absolute difference of horizontally adjacent pixels (and ``d_y``
    vertically)::

        E = mean | |d_x pred| - |d_x target| |^alpha + mean | |d_y pred| - |d_y target| |^alpha

    each mean over the channels and the ``H x (W-1)`` (resp. ``(H-1) x W``) pixel pairs: the
    gradient difference loss of Mathieu et al. (ICLR 2016) used by future-frame predictors
    (Liu et al., CVPR 2018), averaged instead of summed so that it does not grow with the
    frame size. It ignores a uniform brightness offset and penalises blurred or missing
    edges, where an MSE mostly sees the smooth background.
    """
    if pred.shape != target.shape or pred.dim() != 4:
        raise ValueError(f'gradient_difference expects two (N, C, H, W) tensors of one shape, '
                         f'got {tuple(pred.shape)} and {tuple(target.shape)}')
    if pred.shape[-1] < 2 or pred.shape[-2] < 2:
        raise ValueError(f'gradient_difference needs frames of at least 2x2 pixels, got '
                         f'{tuple(pred.shape[-2:])}')
    ex, ey = gradient_difference_terms(pred, target, alpha)
    return ex.flatten(1).mean(1) + ey.flatten(1).mean(1)


def gradient_difference_terms(pred: Tensor, target: Tensor,
                              alpha: float = 1.0) -> Tuple[Tensor, Tensor]:
    """The horizontal ``(N, C, H, W-1)`` and vertical ``(N, C, H-1, W)`` terms of
    :func:`gradient_difference` before their means."""
    pred, target = pred.float(), target.float()

    def grad_x(x: Tensor) -> Tensor:
        return (x[..., :, 1:] - x[..., :, :-1]).abs()

    def grad_y(x: Tensor) -> Tensor:
        return (x[..., 1:, :] - x[..., :-1, :]).abs()

    return ((grad_x(pred) - grad_x(target)).abs().pow(alpha),
            (grad_y(pred) - grad_y(target)).abs().pow(alpha))


# ---------------------------------------------------------------------- local measures
def error_image(pred: Tensor, target: Tensor, sigma: Optional[float] = None,
                kernel_size: int = 5) -> Tensor:
    """The per-pixel squared error ``(N, C, H, W)`` local measures reduce: the plain squared
    error (``sigma`` None, MSE's map) or that of the Gaussian-filtered error image (BPE's and
    PSE's blur, without subsampling)."""
    if sigma is None:
        return mse_map(pred, target)
    return pse_map(pred, target, sigma, kernel_size)


def block_means(error_map: Tensor, block_size: int) -> Tensor:
    """Means of non-overlapping ``block_size`` squares of ``(N, C, H, W)``, averaged over
    channels: ``(N, ceil(H / b), ceil(W / b))``; a block cut by the border averages the
    pixels it holds."""
    if int(block_size) != block_size or block_size < 1:
        raise ValueError(f'block size must be a positive integer, got {block_size}')
    b = int(block_size)
    return F.avg_pool2d(error_map.mean(1, keepdim=True), b, b, ceil_mode=True)[:, 0]


def worst_block(error_map: Tensor, block_size: int) -> Tensor:
    """The largest block mean of each frame (see :func:`block_means`), ``(N,)``."""
    return block_means(error_map, block_size).flatten(1).amax(1)


def top_fraction_mean(error_map: Tensor, fraction: float) -> Tensor:
    """Mean of the largest ``fraction`` of each frame's values (at least one), ``(N,)``."""
    if not 0 < fraction <= 1:
        raise ValueError(f'top fraction must be in (0, 1], got {fraction}')
    flat = error_map.flatten(1)
    k = max(1, int(math.ceil(fraction * flat.shape[1] - 1e-9)))
    return flat.topk(k, dim=1, sorted=False).values.mean(1)
