"""What a backbone of a multi-task autoencoder promises its model and its task heads."""
from typing import Tuple

from mmengine.model import BaseModule
from torch import Tensor


class BaseBackbone(BaseModule):
    """An encoder and a decoder shared by every task.

    The model reads these to build its heads and check its clip length:

    - ``in_channels``: channels of the input frames (1 for grayscale);
    - :attr:`code_channels`: channels of the code that :meth:`encode` returns;
    - :meth:`total_stride`: ``(t, h, w)`` by which the encoder divides a clip, so that the
      model can check that ``clip_len`` decodes back to itself.

    Subclasses set ``in_channels`` and implement all of the methods below.
    """

    in_channels: int = 1

    @property
    def code_channels(self) -> int:
        raise NotImplementedError

    def total_stride(self) -> Tuple[int, int, int]:
        raise NotImplementedError

    def encode(self, x: Tensor) -> Tensor:
        """``(B, C, T, H, W)`` clip -> code ``(B, code_channels, T', H', W')``."""
        raise NotImplementedError

    def decode(self, code: Tensor) -> Tensor:
        """Code -> ``(B, C, T, H, W)`` pre-activation frames."""
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        code = self.encode(x)
        return code, self.decode(code)
