"""Adaptive max pooling written with slices, for exporters that lack the adaptive op.

``nn.AdaptiveMaxPool2d`` maps an ``(H, W)`` input to ``(h, w)`` by taking, for output row
``i``, the max over input rows ``[floor(i H / h), ceil((i + 1) H / h))`` (likewise for
columns). torch.onnx converts it only in some cases (its ONNX translation has no general
form). The windows depend on the input's frame size alone, which is fixed in an export, so
they can be spelled out as slices: a max over row windows, then over column windows (a
max over a rectangle is the max over its rows of the max over its columns). The result is
exactly that of ``nn.AdaptiveMaxPool2d``, including outputs larger than the input.
"""
from typing import List, Optional, Tuple, Union

import torch
from torch import Tensor, nn

Size = Union[int, None, Tuple[Optional[int], Optional[int]]]


def adaptive_windows(size: int, out: int) -> List[Tuple[int, int]]:
    """``[start, stop)`` of each of the ``out`` windows adaptive pooling takes over ``size``."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


class StaticAdaptiveMaxPool2d(nn.Module):
    """``nn.AdaptiveMaxPool2d(output_size)`` (without indices) as slices and reductions."""

    def __init__(self, output_size: Size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        size = self.output_size
        oh, ow = (size, size) if not isinstance(size, (tuple, list)) else size
        h, w = int(x.shape[-2]), int(x.shape[-1])
        oh, ow = h if oh is None else int(oh), w if ow is None else int(ow)
        x = torch.cat([x[..., a:b, :].amax(-2, keepdim=True)
                       for a, b in adaptive_windows(h, oh)], -2)
        return torch.cat([x[..., a:b].amax(-1, keepdim=True)
                          for a, b in adaptive_windows(w, ow)], -1)

    @classmethod
    def from_module(cls, pool: nn.AdaptiveMaxPool2d) -> 'StaticAdaptiveMaxPool2d':
        if pool.return_indices:
            raise ValueError('StaticAdaptiveMaxPool2d does not return indices')
        return cls(pool.output_size)
