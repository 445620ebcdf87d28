"""A training loss made of a registered error measure (the paper's future work: BPE as the
loss of the frame tasks)."""
from typing import Optional

from torch import Tensor

from vadkit.registry import ERROR_MEASURES, LOSSES
from vadkit.utils.errors import VadkitError

from .base_loss import BaseLoss


class UnsuitableLossError(VadkitError, ValueError):
    """An error measure that cannot serve as a training loss."""


@LOSSES.register_module()
class MeasureLoss(BaseLoss):
    """The batch mean of an error measure's per-frame values.

    ``MeasureLoss(measure=dict(type='MSE'))`` equals ``MSELoss`` (to float rounding);
    ``dict(type='BPE')`` or ``dict(type='PSE')`` train a task on the error it is scored with;
    ``dict(type='TopK')`` or ``dict(type='WorstRegion')`` on its largest errors only (their
    gradient reaches only the selected pixels or block). Measures with ``usable_as_loss``
    False (``RelativeToNormal``) are refused.

    Args:
        measure: Config of a registered error measure (``vadkit.registry.ERROR_MEASURES``).
    """

    def __init__(self, measure: Optional[dict] = None) -> None:
        if measure is None:
            raise ValueError("MeasureLoss needs a measure, e.g. measure=dict(type='BPE')")
        self.measure = ERROR_MEASURES.build(measure)
        if not getattr(self.measure, 'usable_as_loss', True):
            raise UnsuitableLossError(
                f'{type(self.measure).__name__} cannot be a training loss: '
                f'{self.measure.not_a_loss_because}. Score with it (the head\'s measure) and '
                'train with MSE or another measure')

    def __call__(self, output: Tensor, target: Tensor) -> Tensor:
        return self.measure(output, target).mean()
