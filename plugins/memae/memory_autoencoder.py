"""MemAE's backbone: the 3D conv autoencoder with a memory between encoder and decoder."""
from typing import Optional

from torch import Tensor

from vadkit.models.backbones import Conv3DAutoEncoder
from vadkit.registry import BACKBONES

from .memory import MemoryModule


@BACKBONES.register_module()
class MemoryConv3DAutoEncoder(Conv3DAutoEncoder):
    """:class:`~vadkit.models.backbones.Conv3DAutoEncoder` whose ``encode`` returns the
    memory-read code ``z_hat`` (Gong et al. 2019), so every task (reconstruction, future
    prediction, classifiers on the code) works through the memory unchanged.

    The attention weights of the latest ``encode`` call are kept in ``last_attention``
    (``(B, positions, N)``) until :meth:`pop_attention` takes them: the
    :class:`~plugins.memae.memory_model.MemoryAutoEncoder` model takes them right after
    encoding each clip and hands them to the tasks (the entropy loss) with the features.

    Args:
        num_items, shrink_thres, similarity, temperature: See
            :class:`~plugins.memae.memory.MemoryModule`.
        **kwargs: :class:`~vadkit.models.backbones.Conv3DAutoEncoder` arguments (widths,
            strides, ...); the memory items have ``widths[-1]`` channels.
    """

    def __init__(self,
                 num_items: int = 2000,
                 shrink_thres: float = 0.0025,
                 similarity: str = 'cosine',
                 temperature: float = 0.05,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.memory = MemoryModule(num_items=num_items, channels=self.code_channels,
                                   shrink_thres=shrink_thres, similarity=similarity,
                                   temperature=temperature)
        self.last_attention: Optional[Tensor] = None

    def encode_raw(self, x: Tensor) -> Tensor:
        """The encoder output before the memory (the queries)."""
        return super().encode(x)

    def encode(self, x: Tensor) -> Tensor:
        """(B, C, T, H, W) clip -> memory-read code ``z_hat`` (B, widths[-1], T', H', W')."""
        code, self.last_attention = self.memory(self.encode_raw(x))
        return code

    def pop_attention(self) -> Optional[Tensor]:
        """The attention of the latest ``encode`` (``None`` if already taken)."""
        attention, self.last_attention = self.last_attention, None
        return attention
