"""A small 2-D U-Net: frames in, a frame out, with skip connections at every scale."""
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ['UNet2d']


def _double_conv(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True), nn.Conv2d(out_channels, out_channels, 3, padding=1),
        nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


class UNet2d(nn.Module):
    """The generator of future-frame prediction (Liu et al., CVPR 2018), narrower.

    ``len(widths)`` scales: two 3x3 conv-BN-ReLU a scale, 2x2 max-pooling down,
    2x2 transposed convolutions up, and the encoder's features of each scale concatenated
    to the decoder's. The skips carry the last frames' detail, so the network only has to
    learn how normal content moves: its error is on what moved unlike the training videos,
    not on textures a bottleneck blurs. Frames whose sides are not multiples of
    ``2 ** (len(widths) - 1)`` are padded by replication and the output cropped back.

    Args:
        in_channels: Input channels (frames x channels a frame).
        out_channels: Output channels (one frame's).
        widths: Channels of each scale, finest first.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 widths: Sequence[int] = (16, 32, 64, 128)) -> None:
        super().__init__()
        widths = tuple(int(w) for w in widths)
        if len(widths) < 2 or min(widths) < 1:
            raise ValueError(f'UNet2d widths={widths!r}: give at least two positive widths, '
                             'finest scale first, e.g. (16, 32, 64, 128)')
        self.widths = widths
        self.down = nn.ModuleList(
            _double_conv(c_in, c_out) for c_in, c_out in zip((in_channels, ) + widths, widths))
        self.up = nn.ModuleList(
            nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2)
            for i in range(len(widths) - 1))
        self.merge = nn.ModuleList(
            _double_conv(2 * widths[i], widths[i]) for i in range(len(widths) - 1))
        self.out = nn.Conv2d(widths[0], out_channels, 3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        h, w = x.shape[-2:]
        m = 2**(len(self.widths) - 1)
        pad_h, pad_w = (-h) % m, (-w) % m
        if pad_h or pad_w:
            x = F.pad(x, (0, pad_w, 0, pad_h), mode='replicate')
        weight = self.down[0][0].weight  # inputs in the weights' layout (channels-last on CPU)
        if not weight.is_contiguous() and weight.is_contiguous(
                memory_format=torch.channels_last):
            x = x.contiguous(memory_format=torch.channels_last)
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        for i in reversed(range(len(self.widths) - 1)):
            x = self.merge[i](torch.cat([skips[i], self.up[i](x)], dim=1))
        return self.out(x)[..., :h, :w]
