"""A training loss made of a registered error measure (the paper's future work: BPE as the
loss of the frame tasks)."""
from typing import Optional

from torch import Tensor

from vadkit.registry import ERROR_MEASURES, LOSSES

from .base_loss import BaseLoss


@LOSSES.register_module()
class MeasureLoss(BaseLoss):
    """The batch mean of an error measure's per-frame values.

    ``MeasureLoss(measure=dict(type='MSE'))`` equals ``MSELoss`` (to float rounding);
    ``dict(type='BPE')`` or ``dict(type='PSE')`` train a task on the error it is scored with.

    Args:
        measure: Config of a registered error measure (``vadkit.registry.ERROR_MEASURES``).
    """

    def __init__(self, measure: Optional[dict] = None) -> None:
        if measure is None:
            raise ValueError("MeasureLoss needs a measure, e.g. measure=dict(type='BPE')")
        self.measure = ERROR_MEASURES.build(measure)

    def __call__(self, output: Tensor, target: Tensor) -> Tensor:
        return self.measure(output, target).mean()
