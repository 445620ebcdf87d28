"""BPE's border padding: 'reflect' (default) or 'zeros' (the reference code's)."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vadkit.models.measures import BPE
from vadkit.models.measures import functional as VF
from vadkit.registry import ERROR_MEASURES
from vadkit.utils import register_all_modules
from vadkit.utils.errors import VadkitError

register_all_modules()


def gaussian(sigma=1.0, k=5):
    ax = np.arange(k) - k // 2
    g = np.exp(-(ax[:, None]**2 + ax[None, :]**2) / (2 * sigma**2))
    return torch.tensor(g / g.sum(), dtype=torch.float64)[None, None]


def reference_bpe(pred, target, sigma=1.0, k=5, stride=2):
    """The reference code's formula: a blur pool (zero-padded filter evaluated every
    ``stride`` pixels) of the error image, squared, averaged over the pooled map."""
    err = (pred - target).double()
    c = err.shape[1]
    pooled = F.conv2d(err, gaussian(sigma, k).expand(c, 1, k, k), stride=stride,
                      padding=k // 2, groups=c)
    return pooled.pow(2).flatten(1).mean(1)


def pair(shape=(3, 2, 13, 18), seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(shape, generator=g, dtype=torch.float64) * 2 - 1,
            torch.rand(shape, generator=g, dtype=torch.float64) * 2 - 1)


@pytest.mark.parametrize('shape', [(3, 2, 13, 18), (2, 1, 16, 16), (1, 1, 7, 9)])
def test_zeros_is_the_reference_formula_up_to_its_normalisation(shape):
    pred, target = pair(shape)
    ours = BPE(padding='zeros')(pred, target)
    n, c, h, w = shape
    pooled_size = c * math.ceil(h / 2) * math.ceil(w / 2)
    # Eq. 11 divides by the full frame's C H W, the reference by the pooled map's size
    torch.testing.assert_close(ours * (c * h * w) / pooled_size, reference_bpe(pred, target))


def test_default_is_reflect_and_unchanged():
    pred, target = pair()
    assert BPE().padding == 'reflect'
    err = pred - target
    k = gaussian().expand(2, 1, 5, 5)
    blurred = F.conv2d(F.pad(err, (2, 2, 2, 2), mode='reflect'), k, groups=2)
    expected = blurred[..., ::2, ::2].pow(2).flatten(1).sum(1) / err[0].numel()
    torch.testing.assert_close(BPE()(pred, target), expected)
    torch.testing.assert_close(BPE(padding='reflect')(pred, target), expected)


def test_paddings_differ_only_near_the_border():
    pred, target = pair((2, 1, 20, 24))
    reflect = BPE().error_map(pred, target)
    zeros = BPE(padding='zeros').error_map(pred, target)
    assert reflect.shape == zeros.shape == (2, 1, 10, 12)
    rows = torch.arange(0, 20, 2)  # full-frame rows/columns of the pooled map
    cols = torch.arange(0, 24, 2)
    near = ((rows < 2) | (rows > 20 - 3))[:, None] | ((cols < 2) | (cols > 24 - 3))[None, :]
    diff = (reflect - zeros).abs()[:, 0]
    assert torch.all(diff[:, ~near] < 1e-12)
    assert torch.all(diff[:, near].amax(0) > 0)


def test_an_error_at_the_edge_counts_less_with_zeros():
    target = torch.zeros(1, 1, 32, 32)
    inside, edge = target.clone(), target.clone()
    inside[..., 14:18, 14:18] = 1
    edge[..., 14:18, 0:4] = 1
    reflect, zeros = BPE(), BPE(padding='zeros')
    assert torch.allclose(reflect(inside, target), zeros(inside, target))
    assert zeros(edge, target) < 0.8 * reflect(edge, target)


def test_tiny_frames_and_colour_clips_work_with_both():
    for padding in VF.PADDINGS:
        m = BPE(padding=padding)
        assert m(*pair((2, 1, 2, 3))).shape == (2, )
        assert m(*pair((2, 3, 4, 6, 8))).shape == (2, 4)  # clips: one value a frame


def test_padding_comes_from_the_config_and_is_checked():
    m = ERROR_MEASURES.build(dict(type='BPE', padding='zeros'))
    assert m.padding == 'zeros' and 'padding=zeros' in repr(m)
    with pytest.raises(VadkitError, match="'reflect', 'zeros'"):  # a user error, one line
        BPE(padding='circular')
