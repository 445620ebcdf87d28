"""The 3D convolutional autoencoder of Gong et al. (MemAE without its memory)."""
from typing import Optional, Sequence, Tuple, Union

from mmcv.cnn import build_norm_layer
from torch import Tensor, nn

from vadkit.registry import BACKBONES

from ..layers import GemmConv3d, GemmConvTranspose3d, set_weight_grad
from .base_backbone import BaseBackbone

Stride = Union[int, Sequence[int]]


def _triple(s: Stride) -> Tuple[int, int, int]:
    return (s, s, s) if isinstance(s, int) else tuple(s)  # type: ignore[return-value]


@BACKBONES.register_module()
class Conv3DAutoEncoder(BaseBackbone):
    """Encoder of strided Conv3d blocks and a mirrored ConvTranspose3d decoder.

    Each block is conv (kernel 3, padding 1) + normalisation (BatchNorm3d by default) +
    LeakyReLU. The defaults are the paper's: widths (96, 128, 256, 256), strides (1,2,2)
    then (2,2,2) three times, so a 1x16x256x256 clip becomes a 256x2x16x16 code and is
    decoded back to 1x16x256x256.

    Args:
        in_channels: Channels of the input frames (1 for grayscale).
        widths: Output channels of each encoder block; the decoder mirrors them.
        strides: Stride of each encoder block (int or (t, h, w)).
        negative_slope: Slope of the LeakyReLU activations.
        norm_cfg: Normalisation after each convolution but the last, as mmcv's
            ``build_norm_layer`` config (``dict(type='BN3d')``, the paper's;
            ``dict(type='GN', num_groups=8)``, ...), or ``None`` for none.
        weight_grad: How the convolutions' weight gradients are computed on channels-last
            CPU tensors in training (``vadkit.models.layers``): ``'auto'`` measures
            oneDNN's kernel against matrix multiplies once per layer shape and keeps the
            faster (up to 1.7x on the largest layers at 256x256); ``'gemm'`` or
            ``'native'`` force one. Other devices and layouts always use PyTorch's
            kernels. Parameters and state dict do not depend on it.
    """

    def __init__(self,
                 in_channels: int = 1,
                 widths: Sequence[int] = (96, 128, 256, 256),
                 strides: Sequence[Stride] = ((1, 2, 2), (2, 2, 2), (2, 2, 2), (2, 2, 2)),
                 negative_slope: float = 0.2,
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
            return nn.Sequential(conv, *norm, nn.LeakyReLU(negative_slope, inplace=True))

        chans = (in_channels, ) + self.widths
        self.encoder = nn.Sequential(*[
            block(GemmConv3d(chans[i], chans[i + 1], 3, stride=self.strides[i], padding=1),
                  chans[i + 1]) for i in range(len(self.widths))
        ])
        layers = []
        for i in reversed(range(len(self.widths))):
            stride = self.strides[i]
            conv = GemmConvTranspose3d(chans[i + 1], chans[i], 3, stride=stride, padding=1,
                                      output_padding=tuple(s - 1 for s in stride))
            # the last layer outputs the (pre-tanh) frames: no normalisation or activation
            layers.append(conv if i == 0 else block(conv, chans[i]))
        self.decoder = nn.Sequential(*layers)
        set_weight_grad(self, weight_grad)

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
