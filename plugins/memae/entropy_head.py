"""MemAE's sparsity task: the entropy of the memory attention as a training loss."""
from typing import Dict

from torch import Tensor

from vadkit.models.heads import BaseTaskHead, ClipFeatures
from vadkit.registry import TASK_HEADS

from .memory import attention_entropy


@TASK_HEADS.register_module()
class MemoryEntropyHead(BaseTaskHead):
    """Entropy of the memory attention (MemAE Eq. 10), averaged over code positions.

    A task without parameters: its output is the mean attention entropy of each clip
    ``(B,)``, its loss the batch mean (MemAE: weight ``alpha = 0.0002``). It needs
    features that carry the attention, i.e. the ``MemoryAutoEncoder`` model with a memory
    backbone.

    Args:
        name: Task name (loss ``loss_<name>``).
        loss_weight: MemAE's alpha.
        input_key: The clip whose attention is regularised (the reconstructed window).
        as_score: Also report the entropy as a test score named ``<name>`` (a clip whose
            codes match no few memory items spreads its attention: a possible anomaly cue).
            Off by default: MemAE scores by reconstruction error only.
    """

    def __init__(self,
                 name: str = 'mem_entropy',
                 loss_weight: float = 0.0002,
                 input_key: str = 'window',
                 as_score: bool = False,
                 **kwargs) -> None:
        super().__init__(name=name, loss_weight=loss_weight, input_key=input_key, **kwargs)
        self.as_score = as_score

    def forward(self, feats: ClipFeatures) -> Tensor:
        attention = getattr(feats, 'attention', None)
        if attention is None:
            raise TypeError(f"task '{self.name}' reads the memory attention but the model's "
                            f'features ({type(feats).__name__}) carry none: use '
                            "model type='MemoryAutoEncoder' with a memory backbone "
                            "(type='MemoryConv3DAutoEncoder')")
        return attention_entropy(attention).mean(1)

    def loss(self, output: Tensor, feats: ClipFeatures, data_samples: dict) -> Tensor:
        return output.mean()

    def score(self, output: Tensor, feats: ClipFeatures) -> Dict[str, Tensor]:
        return {self.name: output} if self.as_score else {}
