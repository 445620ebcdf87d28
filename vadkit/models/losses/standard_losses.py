"""The paper's losses: MSE for the frame tasks (Eq. 3-4), cross-entropy for PRP (Eq. 7)."""
import torch.nn.functional as F
from torch import Tensor

from vadkit.registry import LOSSES

from .base_loss import BaseLoss


@LOSSES.register_module()
class MSELoss(BaseLoss):
    """Mean squared error over every element."""

    def __call__(self, output: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(output, target)


@LOSSES.register_module()
class CrossEntropyLoss(BaseLoss):
    """Cross-entropy of logits against class indices.

    Args:
        label_smoothing: Softens the targets (0, the paper's loss, keeps them hard); it keeps
            a classifier from saturating on an easy training set.
    """

    def __init__(self, label_smoothing: float = 0.0) -> None:
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f'CrossEntropyLoss: label_smoothing={label_smoothing} must be in '
                             '[0, 1)')
        self.label_smoothing = float(label_smoothing)

    def __call__(self, output: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(output, target.long(), label_smoothing=self.label_smoothing)
