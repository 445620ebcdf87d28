"""The 3D convolutional autoencoder of Gong et al. (MemAE without its memory)."""
from typing import Optional, Sequence, Tuple, Union

from mmcv.cnn import build_norm_layer
from torch import Tensor, nn

from vadkit.registry import BACKBONES

from ..layers import LayerConfigError, build_activation, build_conv3d, set_weight_grad
from .base_backbone import BaseBackbone

Stride = Union[int, Sequence[int]]


def _triple(s: Stride) -> Tuple[int, int, int]:
    return (s, s, s) if isinstance(s, int) else tuple(s)  # type: ignore[return-value]


@BACKBONES.register_module()
class Conv3DAutoEncoder(BaseBackbone):
    """Encoder of strided 3D convolution blocks and a mirrored transposed-convolution decoder.

    Each block is conv (kernel 3, padding 1) + normalisation (BatchNorm3d by default) +
    activation (LeakyReLU 0.2 by default). The defaults are the paper's: widths
    (96, 128, 256, 256), strides (1,2,2) then (2,2,2) three times, so a 1x16x256x256 clip
    becomes a 256x2x16x16 code and is decoded back to 1x16x256x256.

    Layers are OpenMMLab-style configs: the backbone gives each convolution its channels,
    kernel 3, stride, padding 1 (and ``output_padding`` in the decoder), the config the
    rest (e.g. ``bias=False``). Names: :mod:`vadkit.models.layers.layer_configs`.

    Args:
        in_channels: Channels of the input frames (1 for grayscale).
        widths: Output channels of each encoder block; the decoder mirrors them.
        strides: Stride of each encoder block (int or (t, h, w)).
        conv_cfg: Encoder convolution: ``dict(type='GemmConv3d')`` (the default,
            ``nn.Conv3d`` with the weight gradient below), ``dict(type='Conv3d')``
            (mmcv's ``nn.Conv3d``), or any registered 3D convolution.
        deconv_cfg: Decoder transposed convolution: ``dict(type='GemmConvTranspose3d')``
            (the default), ``dict(type='deconv3d')`` / ``dict(type='ConvTranspose3d')``
            (mmcv's ``nn.ConvTranspose3d``), ...
        act_cfg: Activation after each block, as mmcv's ``build_activation_layer`` config
            (``dict(type='ReLU')``, ``dict(type='ELU')``, ``dict(type='GELU')``,
            ``dict(type='SiLU')``, ...), or ``None`` for none. It replaces the former
            ``negative_slope``: ``act_cfg=dict(type='LeakyReLU', negative_slope=s,
            inplace=True)``.
        norm_cfg: Normalisation after each convolution but the last, as mmcv's
            ``build_norm_layer`` config (``dict(type='BN3d')``, the paper's;
            ``dict(type='GN', num_groups=8)``, ...), or ``None`` for none.
        weight_grad: How the weight gradients of the Gemm layers (the default
            ``conv_cfg``/``deconv_cfg``) are computed on channels-last CPU tensors in
            training (``vadkit.models.layers``): ``'auto'`` measures oneDNN's kernel
            against matrix multiplies once per layer shape and keeps the faster (up to 1.7x
            on the largest layers at 256x256); ``'gemm'`` or ``'native'`` force one. Other
            devices and layouts always use PyTorch's kernels, and so do other layer types:
            for them ``'auto'`` and ``'native'`` change nothing, and ``'gemm'`` with no Gemm
            layer is refused. Parameters and state dict do not depend on it.
    """

    #: Arguments it no longer takes, with their replacement (config checks name it).
    REPLACED_ARGUMENTS = {
        'negative_slope': "act_cfg=dict(type='LeakyReLU', negative_slope={value!r}, "
                          'inplace=True)',
    }

    def __init__(self,
                 in_channels: int = 1,
                 widths: Sequence[int] = (96, 128, 256, 256),
                 strides: Sequence[Stride] = ((1, 2, 2), (2, 2, 2), (2, 2, 2), (2, 2, 2)),
                 conv_cfg: dict = dict(type='GemmConv3d'),
                 deconv_cfg: dict = dict(type='GemmConvTranspose3d'),
                 act_cfg: Optional[dict] = dict(type='LeakyReLU', negative_slope=0.2,
                                                inplace=True),
                 norm_cfg: Optional[dict] = dict(type='BN3d'),
                 weight_grad: str = 'auto',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(widths) != len(strides):
            raise ValueError(f'Conv3DAutoEncoder: widths {tuple(widths)} and strides '
                             f'{tuple(strides)} must have the same length (one per block)')
        self.in_channels = in_channels
        self.widths = tuple(widths)
        self.strides = tuple(_triple(s) for s in strides)

        def block(conv: nn.Module, channels: int) -> nn.Sequential:
            norm = [build_norm_layer(norm_cfg, channels)[1]] if norm_cfg else []
            act = build_activation(act_cfg)
            return nn.Sequential(conv, *norm, *([act] if act is not None else []))

        chans = (in_channels, ) + self.widths
        self.encoder = nn.Sequential(*[
            block(build_conv3d(conv_cfg, 'conv_cfg', False, in_channels=chans[i],
                               out_channels=chans[i + 1], kernel_size=3,
                               stride=self.strides[i], padding=1), chans[i + 1])
            for i in range(len(self.widths))
        ])
        layers = []
        for i in reversed(range(len(self.widths))):
            stride = self.strides[i]
            conv = build_conv3d(deconv_cfg, 'deconv_cfg', True, in_channels=chans[i + 1],
                                out_channels=chans[i], kernel_size=3, stride=stride,
                                padding=1, output_padding=tuple(s - 1 for s in stride))
            # the last layer outputs the (pre-tanh) frames: no normalisation or activation
            layers.append(conv if i == 0 else block(conv, chans[i]))
        self.decoder = nn.Sequential(*layers)
        if set_weight_grad(self, weight_grad) == 0 and weight_grad == 'gemm':
            raise LayerConfigError(
                f"weight_grad='gemm' needs Gemm layers (conv_cfg=dict(type='GemmConv3d') or "
                f"deconv_cfg=dict(type='GemmConvTranspose3d')); conv_cfg={conv_cfg!r} and "
                f"deconv_cfg={deconv_cfg!r} always use PyTorch's kernels: set "
                "weight_grad='auto' or 'native'")

    @property
    def code_channels(self) -> int:
        return self.widths[-1]

    def total_stride(self) -> Tuple[int, int, int]:
        t = h = w = 1
        for st, sh, sw in self.strides:
            t, h, w = t * st, h * sh, w * sw
        return t, h, w

    def encode(self, x: Tensor) -> Tensor:
        """(B, C, T, H, W) clip -> (B, widths[-1], T', H', W') code."""
        return self.encoder(x)

    def decode(self, code: Tensor) -> Tensor:
        """Code -> (B, C, T, H, W) pre-activation reconstruction."""
        return self.decoder(code)
