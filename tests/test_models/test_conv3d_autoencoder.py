"""The 3D convolutional autoencoder backbone: the paper's sizes and layers, configurable
widths, strides and norms."""
import pytest
import torch
from torch import nn

from vadkit.models.backbones import Conv3DAutoEncoder
from vadkit.registry import BACKBONES
from vadkit.utils import register_all_modules

register_all_modules()

T = 8  # clip_len of the tiny model


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# ---------------------------------------------------------------------------------------
# Backbone
# ---------------------------------------------------------------------------------------
def _expected_ae_params(in_ch, widths):
    chans = (in_ch, ) + tuple(widths)
    total = 0
    for i in range(len(widths)):
        a, b = chans[i], chans[i + 1]
        total += a * b * 27 + b + 2 * b  # encoder conv + BN
        total += b * a * 27 + a + (2 * a if i > 0 else 0)  # decoder conv-T (+ BN but last)
    return total


# ---------------------------------------------------------------------------------------
# Backbone
# ---------------------------------------------------------------------------------------
def _expected_ae_params(in_ch, widths):
    chans = (in_ch, ) + tuple(widths)
    total = 0
    for i in range(len(widths)):
        a, b = chans[i], chans[i + 1]
        total += a * b * 27 + b + 2 * b  # encoder conv + BN
        total += b * a * 27 + a + (2 * a if i > 0 else 0)  # decoder conv-T (+ BN but last)
    return total


def test_paper_backbone_size_and_shapes():
    torch.manual_seed(0)
    ae = Conv3DAutoEncoder()
    assert n_params(ae) == 5_980_801 == _expected_ae_params(1, (96, 128, 256, 256))
    assert ae.code_channels == 256
    assert ae.total_stride() == (8, 16, 16)
    ae.eval()
    with torch.no_grad():
        code, out = ae(torch.randn(1, 1, 16, 64, 64))
    assert code.shape == (1, 256, 2, 4, 4)
    assert out.shape == (1, 1, 16, 64, 64)


def test_paper_backbone_layers_match_spec():
    ae = Conv3DAutoEncoder()
    convs = [m for m in ae.encoder.modules() if isinstance(m, nn.Conv3d)]
    assert [(c.in_channels, c.out_channels) for c in convs] == [(1, 96), (96, 128), (128, 256),
                                                                (256, 256)]
    assert [c.stride for c in convs] == [(1, 2, 2), (2, 2, 2), (2, 2, 2), (2, 2, 2)]
    assert all(c.kernel_size == (3, 3, 3) and c.padding == (1, 1, 1) for c in convs)
    deconvs = [m for m in ae.decoder.modules() if isinstance(m, nn.ConvTranspose3d)]
    assert [(c.in_channels, c.out_channels) for c in deconvs] == [(256, 256), (256, 128),
                                                                  (128, 96), (96, 1)]
    assert [c.output_padding for c in deconvs] == [(1, 1, 1)] * 3 + [(0, 1, 1)]
    assert deconvs[-1].stride == (1, 2, 2)
    slopes = [m.negative_slope for m in ae.modules() if isinstance(m, nn.LeakyReLU)]
    assert slopes == [0.2] * 7
    assert sum(isinstance(m, nn.BatchNorm3d) for m in ae.modules()) == 7
    # the last layer outputs pre-tanh frames: nothing after the final ConvTranspose3d
    assert ae.decoder[-1] is deconvs[-1]


def test_backbone_configurable_widths_and_strides():
    torch.manual_seed(0)
    ae = BACKBONES.build(dict(type='Conv3DAutoEncoder', widths=(8, 16, 16),
                              strides=((1, 2, 2), (2, 2, 2), (2, 2, 2))))
    assert n_params(ae) == _expected_ae_params(1, (8, 16, 16))
    assert ae.total_stride() == (4, 8, 8)
    x = torch.randn(1, 1, 8, 32, 32)
    code, out = ae(x)
    assert code.shape == (1, 16, 2, 4, 4)
    assert out.shape == x.shape
    assert ae.encode(x).shape == code.shape


def test_backbone_int_strides_and_channels():
    ae = Conv3DAutoEncoder(in_channels=3, widths=(4, 8), strides=(2, (1, 2, 2)))
    assert ae.strides == ((2, 2, 2), (1, 2, 2))
    code, out = ae(torch.randn(1, 3, 4, 16, 16))
    assert code.shape == (1, 8, 2, 4, 4)
    assert out.shape == (1, 3, 4, 16, 16)


@pytest.mark.parametrize('norm_cfg,norm_type', [(None, None),
                                                 (dict(type='GN', num_groups=4), nn.GroupNorm)])
def test_backbone_norm_cfg(norm_cfg, norm_type):
    widths = (8, 16, 16)
    ae = Conv3DAutoEncoder(widths=widths, strides=((1, 2, 2), (2, 2, 2), (2, 2, 2)),
                           norm_cfg=norm_cfg)
    assert not any(isinstance(m, nn.BatchNorm3d) for m in ae.modules())
    norms = [m for m in ae.modules() if norm_type and isinstance(m, norm_type)]
    # one norm after every convolution but the last: 3 in the encoder, 2 in the decoder
    assert len(norms) == (2 * len(widths) - 1 if norm_type else 0)
    bn_params = 2 * (2 * sum(widths) - widths[-1])  # what the BatchNorm default would add
    expected = _expected_ae_params(1, widths) - bn_params + (bn_params if norm_type else 0)
    assert n_params(ae) == expected
    x = torch.randn(2, 1, 8, 32, 32)
    code, out = ae(x)
    assert out.shape == x.shape


@pytest.mark.parametrize('widths,strides', [((8, 16), ((1, 2, 2), (2, 2, 2), (2, 2, 2))),
                                            ((8, 16, 16), (2, ))])
def test_backbone_mismatched_lengths_raise(widths, strides):
    with pytest.raises(ValueError, match='same length'):
        Conv3DAutoEncoder(widths=widths, strides=strides)
