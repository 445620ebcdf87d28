"""Conv3DAutoEncoder's layer options (conv_cfg, deconv_cfg, act_cfg): the defaults build the
same network as before, other registered types build, train, fold BatchNorm at test time,
count and export; bad layer configs and the replaced ``negative_slope`` are refused clearly."""
import copy
import os.path as osp

import pytest
import torch
from conftest import trained_like_batchnorm
from mmcv.cnn.bricks import wrappers
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from torch import nn

from vadkit.engine import fold_batchnorm
from vadkit.models.backbones import Conv3DAutoEncoder
from vadkit.models.layers import GemmConv3d, GemmConvTranspose3d, LayerConfigError
from vadkit.registry import BACKBONES, MODELS
from vadkit.utils import register_all_modules
from vadkit.utils.complexity import count_macs
from vadkit.utils.config_validation import ConfigError, validate_config

register_all_modules()

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(ROOT, 'configs', 'demo', 'luss-ae_3dcae-w8_8x64x64_synthetic.py')
WIDTHS = (4, 8, 8, 8)
STRIDES = ((1, 2, 2), (2, 2, 2), (2, 2, 2), (1, 2, 2))
T, HW = 4, 32
PLAIN = dict(conv_cfg=dict(type='Conv3d'), deconv_cfg=dict(type='deconv3d'))
TASKS = [
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
]


def backbone(seed=0, **kwargs) -> Conv3DAutoEncoder:
    torch.manual_seed(seed)
    return BACKBONES.build(dict(type='Conv3DAutoEncoder', widths=WIDTHS, strides=STRIDES,
                                **kwargs))


def clip(b=2, seed=1) -> torch.Tensor:
    return torch.randn(b, 1, T, HW, HW, generator=torch.Generator().manual_seed(seed))


def tiny_model(channels_last=False, **backbone_kwargs) -> nn.Module:
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='MultiTaskAutoEncoder', clip_len=T,
        backbone=dict(type='Conv3DAutoEncoder', widths=WIDTHS, strides=STRIDES,
                      **backbone_kwargs),
        tasks=copy.deepcopy(TASKS),
        data_preprocessor=dict(type='ClipDataPreprocessor', channels_last=channels_last)))


def train_batch(b=2):
    g = torch.Generator().manual_seed(2)
    pixels = torch.randint(0, 256, (b, 1, T + 1, HW, HW), dtype=torch.uint8, generator=g)
    return dict(inputs=dict(window=pixels, prp_clip=pixels[:, :, :T].flip(2).contiguous()),
                data_samples=dict(prp_label=torch.tensor([0, 1] * (b // 2))))


def _layers(ae: nn.Module, cls) -> list:
    return [m for m in ae.modules() if isinstance(m, cls)]


# --- the defaults --------------------------------------------------------------------------
def test_explicit_default_configs_build_the_same_network():
    default = backbone()
    explicit = backbone(conv_cfg=dict(type='GemmConv3d'),
                        deconv_cfg=dict(type='GemmConvTranspose3d'),
                        act_cfg=dict(type='LeakyReLU', negative_slope=0.2, inplace=True))
    assert repr(default) == repr(explicit)
    sd, sd2 = default.state_dict(), explicit.state_dict()
    assert list(sd) == list(sd2) and all(torch.equal(sd[k], sd2[k]) for k in sd)
    assert [type(m) for m in default.encoder[0]] == [GemmConv3d, nn.BatchNorm3d,
                                                     nn.LeakyReLU]
    assert type(default.decoder[-1]) is GemmConvTranspose3d
    acts = _layers(default, nn.LeakyReLU)
    assert len(acts) == 7 and all(a.negative_slope == 0.2 and a.inplace for a in acts)
    x = clip()
    for ae in (default, explicit):
        ae.train()
    out, out2 = default(x), explicit(x)
    assert torch.equal(out[0], out2[0]) and torch.equal(out[1], out2[1])


def test_mmcv_convolutions_are_the_same_network_as_the_gemm_layers():
    """mmcv's 'Conv3d'/'deconv3d' are plain nn.Conv3d/nn.ConvTranspose3d: with one seed,
    the same weights, state-dict keys and outputs as the default Gemm layers."""
    gemm, plain = backbone(), backbone(**PLAIN)
    assert len(_layers(plain, wrappers.Conv3d)) == 4
    assert len(_layers(plain, wrappers.ConvTranspose3d)) == 4
    assert not _layers(plain, GemmConv3d) and not _layers(plain, GemmConvTranspose3d)
    sd, sd2 = gemm.state_dict(), plain.state_dict()
    assert list(sd) == list(sd2) and all(torch.equal(sd[k], sd2[k]) for k in sd)
    gemm.eval(), plain.eval()
    with torch.no_grad():
        assert torch.equal(gemm(clip())[1], plain(clip())[1])


# --- other types ---------------------------------------------------------------------------
@pytest.mark.parametrize('deconv', ['deconv3d', 'ConvTranspose3d'])
@pytest.mark.parametrize('act_cfg, act_type', [
    (dict(type='ReLU'), nn.ReLU), (dict(type='ELU', alpha=0.5), nn.ELU),
    (dict(type='GELU'), nn.GELU), (dict(type='SiLU'), nn.SiLU), (None, None)])
def test_other_conv_and_activation_types_build_and_run(deconv, act_cfg, act_type):
    ae = backbone(conv_cfg=dict(type='Conv3d', bias=False), deconv_cfg=dict(type=deconv),
                  act_cfg=act_cfg)
    assert all(c.bias is None for c in _layers(ae, wrappers.Conv3d))
    assert len(_layers(ae, wrappers.ConvTranspose3d)) == 4
    if act_type is None:
        assert [type(m) for m in ae.encoder[0]] == [wrappers.Conv3d, nn.BatchNorm3d]
    else:
        assert len(_layers(ae, act_type)) == 7 and not _layers(ae, nn.LeakyReLU)
    code, out = ae(clip())
    assert code.shape == (2, 8, 1, 2, 2) and out.shape == (2, 1, T, HW, HW)


def test_a_class_as_type_builds():
    ae = backbone(conv_cfg=dict(type=nn.Conv3d), deconv_cfg=dict(type=nn.ConvTranspose3d),
                  act_cfg=dict(type=nn.Tanh))
    assert type(ae.encoder[0][0]) is nn.Conv3d and len(_layers(ae, nn.Tanh)) == 7


@pytest.mark.parametrize('channels_last', [False, True])
def test_one_train_step_with_mmcv_conv_and_relu(channels_last):
    model = tiny_model(channels_last=channels_last, act_cfg=dict(type='ReLU', inplace=True),
                       **PLAIN)
    if channels_last:
        model.to('cpu')  # takes the training layout of its data preprocessor
        assert all(p.is_contiguous(memory_format=torch.channels_last_3d)
                   for p in model.parameters() if p.dim() == 5)
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    wrapper = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    losses = model.train_step(train_batch(), wrapper)
    assert set(losses) >= {'loss_vcr', 'loss_ffp', 'loss_prp'}
    assert all(torch.isfinite(v).all() for v in losses.values())
    after = model.state_dict()
    changed = [k for k, v in after.items() if k.startswith('backbone') and
               v.is_floating_point() and not torch.equal(v, before[k])]
    assert len(changed) == len([k for k in after if k.startswith('backbone') and
                                after[k].is_floating_point()])


# --- walking the model ---------------------------------------------------------------------
@pytest.mark.parametrize('channels_last', [False, True])
def test_fold_batchnorm_with_mmcv_convolutions_keeps_outputs(channels_last):
    ae = trained_like_batchnorm(backbone(act_cfg=dict(type='ReLU'), **PLAIN)).eval()
    x = clip()
    if channels_last:
        for p in ae.parameters():
            if p.dim() == 5:
                p.data = p.data.contiguous(memory_format=torch.channels_last_3d)
        x = x.contiguous(memory_format=torch.channels_last_3d)
    with torch.no_grad():
        ref = ae(x)
        with fold_batchnorm(ae) as n:
            assert n == 7
            assert not _layers(ae, nn.BatchNorm3d)
            folded = ae(x)
        assert len(_layers(ae, nn.BatchNorm3d)) == 7  # put back
        assert torch.equal(ae(x)[1], ref[1])
    for r, f in zip(ref, folded):
        torch.testing.assert_close(f, r, rtol=1e-5, atol=1e-5)


class _StandardisedConv3d(nn.Conv3d):
    """A convolution that standardises its weight when it runs: folding a BatchNorm scale
    into the weight would be undone, so it must not be folded."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight
        w = (w - w.mean(dim=(1, 2, 3, 4), keepdim=True)) / (
            w.std(dim=(1, 2, 3, 4), keepdim=True) + 1e-5)
        return self._conv_forward(x, w, self.bias)


def test_fold_batchnorm_leaves_weight_transforming_convolutions_alone():
    ae = trained_like_batchnorm(backbone(conv_cfg=dict(type=_StandardisedConv3d))).eval()
    x = clip()
    with torch.no_grad():
        ref = ae(x)[1]
        with fold_batchnorm(ae) as n:
            assert n == 3  # the decoder's, not the 4 of the encoder
            folded = ae(x)[1]
    torch.testing.assert_close(folded, ref, rtol=1e-5, atol=1e-5)


def test_fold_batchnorm_skips_weight_norm():
    ae = trained_like_batchnorm(backbone(**PLAIN)).eval()
    torch.nn.utils.parametrizations.weight_norm(ae.encoder[1][0])
    x = clip()
    with torch.no_grad():
        ref = ae(x)[1]
        with fold_batchnorm(ae) as n:
            assert n == 6
            folded = ae(x)[1]
    torch.testing.assert_close(folded, ref, rtol=1e-5, atol=1e-5)


def test_complexity_counts_mmcv_convolutions_like_the_gemm_layers():
    macs = []
    for kwargs in ({}, PLAIN):
        model = tiny_model(**kwargs).eval()
        macs.append(count_macs(model, torch.zeros(1, 1, T + 1, HW, HW)))
    assert macs[0] == macs[1] and macs[0]['all'] > 0


# --- weight_grad ---------------------------------------------------------------------------
def test_weight_grad_applies_to_gemm_layers_only():
    for impl in ('auto', 'native'):  # no Gemm layer: nothing to set, nothing refused
        ae = backbone(weight_grad=impl, **PLAIN)
        assert not hasattr(ae.encoder[0][0], 'weight_grad')
    mixed = backbone(weight_grad='gemm', deconv_cfg=dict(type='deconv3d'))
    assert [c.weight_grad for c in _layers(mixed, GemmConv3d)] == ['gemm'] * 4
    with pytest.raises(LayerConfigError, match=r"weight_grad='gemm' needs Gemm layers"):
        backbone(weight_grad='gemm', **PLAIN)
    with pytest.raises(ValueError, match='choose one of'):
        backbone(weight_grad='fast', **PLAIN)


# --- refusals ------------------------------------------------------------------------------
@pytest.mark.parametrize('kwargs, message', [
    (dict(conv_cfg=dict(type='Conv')), r"'Conv' builds Conv2d, a 2-D convolution; use a 3-D "
     r"one, e.g. conv_cfg=dict\(type='Conv3d'\)"),
    (dict(deconv_cfg=dict(type='deconv')), r"'deconv' builds ConvTranspose2d, a 2-D"),
    (dict(deconv_cfg=dict(type='Conv3d')), r"deconv_cfg: type 'Conv3d' builds Conv3d; the "
     r"backbone needs a transposed \(upsampling\) convolution here, e.g. "
     r"deconv_cfg=dict\(type='deconv3d'\)"),
    (dict(conv_cfg=dict(type='deconv3d')), r'needs an ordinary \(downsampling\) convolution'),
    (dict(conv_cfg=dict(type='Conv3dd')), r"conv_cfg: type 'Conv3dd' is not in vadkit's "
     r"'model' registry. Did you mean: .*Conv3d"),
    (dict(conv_cfg=dict(type='Conv3d', stride=2)), r'sets stride, which the backbone sets '
     r'itself'),
    (dict(conv_cfg=None), r'conv_cfg=None: expected a config dict\(type=\.\.\.\)'),
    (dict(act_cfg=dict(type='GELU', inplace=True)), r"act_cfg=.*GELU could not be built:.*"
     r"inplace"),
    (dict(act_cfg=dict(type='Relu')), r"act_cfg: type 'Relu' is not in .*Did you mean: .*ReLU"),
])
def test_bad_layer_configs_are_refused_clearly(kwargs, message):
    with pytest.raises(LayerConfigError, match=message):
        backbone(**kwargs)


def test_replaced_negative_slope_names_act_cfg():
    cfg = Config.fromfile(DEMO)
    cfg.merge_from_dict({'model.backbone.negative_slope': 0.1})
    with pytest.raises(ConfigError) as info:
        validate_config(cfg)
    assert ("model.backbone.negative_slope: Conv3DAutoEncoder no longer takes "
            "'negative_slope'; use act_cfg=dict(type='LeakyReLU', negative_slope=0.1, "
            "inplace=True) instead") in str(info.value)
    with pytest.raises(TypeError, match=r"'negative_slope' is no longer an argument; use "
                       r"act_cfg=dict\(type='LeakyReLU', negative_slope=0.1, inplace=True\)"):
        BACKBONES.build(dict(type='Conv3DAutoEncoder', negative_slope=0.1))


def test_layer_options_pass_the_config_checks():
    cfg = Config.fromfile(DEMO)
    cfg.merge_from_dict({'model.backbone.act_cfg': dict(type='ReLU'),
                         'model.backbone.conv_cfg': dict(type='Conv3d'),
                         'model.backbone.deconv_cfg': dict(type='deconv3d')})
    validate_config(cfg)


def test_onnx_export_with_mmcv_convolutions_and_relu(tmp_path):
    for name in ('onnx', 'onnxscript', 'onnxruntime'):
        pytest.importorskip(name)
    from vadkit.apis import AnomalyDetector, export_model
    cfg = Config.fromfile(DEMO)
    cfg.merge_from_dict({'model.backbone.act_cfg': dict(type='ReLU', inplace=True),
                         'model.backbone.conv_cfg': dict(type='Conv3d'),
                         'model.backbone.deconv_cfg': dict(type='deconv3d')})
    torch.manual_seed(0)
    model = trained_like_batchnorm(MODELS.build(cfg.model))
    ckpt = str(tmp_path / 'relu.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    detector = AnomalyDetector(cfg, ckpt, calibration=None)
    assert len(_layers(detector.model, wrappers.Conv3d)) == 4
    report = export_model(detector, str(tmp_path / 'relu.onnx'), 'onnx', (64, 64))
    assert report['max_relative_diff'] <= 1e-4
