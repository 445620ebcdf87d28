"""A multi-task autoencoder whose features also carry the memory attention of each clip."""
from dataclasses import dataclass, fields
from typing import Optional

from torch import Tensor

from vadkit.models.detectors import MultiTaskAutoEncoder
from vadkit.models.heads import ClipFeatures
from vadkit.registry import MODELS


@dataclass
class MemoryClipFeatures(ClipFeatures):
    """:class:`~vadkit.models.heads.ClipFeatures` plus the memory attention.

    Attributes:
        attention: Memory attention of the clip's code positions, ``(B, positions, N)``.
    """
    attention: Optional[Tensor] = None


@MODELS.register_module()
class MemoryAutoEncoder(MultiTaskAutoEncoder):
    """:class:`~vadkit.models.detectors.MultiTaskAutoEncoder` for a memory backbone.

    The core hands tasks a :class:`ClipFeatures` (clip, inputs, code, decoded) and has no
    slot for what a backbone computes besides its code. This model fills one: right after
    the backbone encodes a clip it takes the attention of that very ``encode`` call
    (``backbone.pop_attention()``) and passes :class:`MemoryClipFeatures` to the tasks.
    Each input clip of a training step (``window``, ``prp_clip``, ...) gets its own
    attention, so a task scores the attention of the clip it reads. Everything else
    (losses, scores, modes) is the parent's.

    Args:
        backbone: A backbone with ``pop_attention()``, e.g. ``MemoryConv3DAutoEncoder``.
        **kwargs: :class:`~vadkit.models.detectors.MultiTaskAutoEncoder` arguments.
    """

    def __init__(self, backbone: dict, **kwargs) -> None:
        super().__init__(backbone=backbone, **kwargs)
        if not callable(getattr(self.backbone, 'pop_attention', None)):
            raise TypeError(f'MemoryAutoEncoder needs a memory backbone with pop_attention() '
                            f"(e.g. type='MemoryConv3DAutoEncoder'), got "
                            f'{type(self.backbone).__name__}')

    def extract_features(self, clip: Tensor, decode: bool = True) -> MemoryClipFeatures:
        self.backbone.pop_attention()  # never hand over an attention from an earlier call
        feats = super().extract_features(clip, decode)
        attention = self.backbone.pop_attention()
        if attention is None:
            raise RuntimeError(f'{type(self.backbone).__name__}.encode did not record its '
                               'memory attention (last_attention)')
        return MemoryClipFeatures(**{f.name: getattr(feats, f.name) for f in fields(feats)},
                                  attention=attention)
