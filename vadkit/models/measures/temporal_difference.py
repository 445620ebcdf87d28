"""An error measure of a clip's motion rather than its appearance."""
from torch import Tensor

from vadkit.registry import ERROR_MEASURES
from vadkit.utils.errors import VadkitError

from .base_measure import BaseErrorMeasure

__all__ = ['TemporalDifference', 'ClipMeasureError']


class ClipMeasureError(VadkitError, ValueError):
    """A clip measure given single frames, or a measure that cannot serve inside it."""


@ERROR_MEASURES.register_module()
class TemporalDifference(BaseErrorMeasure):
    """``measure`` between the frame-to-frame changes of the output and of the target.

    A small decoder blurs the static background and fine textures in every frame it draws;
    that blur is nearly the same from one frame to the next, so it cancels in the
    differences ``x_t - x_{t-1}``, and what is left is the motion the model did not
    reproduce. A model that drew the same frame ``T`` times would score the target's own
    frame difference (``FrameDifferenceHead``'s score); a model that reproduces normal
    motion scores only what it could not. Clips only (VCR's output ``(B, C, T, H, W)``),
    one value per pair of consecutive frames, ``(B, T - 1)``; as a training loss
    (``MeasureLoss``) it trains a clip's motion.

    Args:
        measure: The measure applied to the two difference clips (BPE by default; any
            frame measure of ``vadkit.registry.ERROR_MEASURES``).
    """

    #: Reads consecutive frames: a head whose output is one frame cannot use it.
    needs_clips = True

    def __init__(self, measure: dict = dict(type='BPE', sigma=1.0, kernel_size=5,
                                            stride=2)) -> None:
        self.measure = ERROR_MEASURES.build(measure)
        if getattr(self.measure, 'needs_clips', False):
            raise ClipMeasureError(
                f'TemporalDifference(measure={measure}): the inner measure must compare '
                'frames, not clips')

    @property
    def usable_as_loss(self) -> bool:  # as its inner measure
        return getattr(self.measure, 'usable_as_loss', True)

    @property
    def not_a_loss_because(self) -> str:
        return getattr(self.measure, 'not_a_loss_because', '')

    @staticmethod
    def _differences(pred: Tensor, target: Tensor):
        if pred.dim() != 5 or pred.shape[2] < 2:
            raise ClipMeasureError(
                f'TemporalDifference compares frame-to-frame changes and needs clips '
                f'(B, C, T >= 2, H, W); got shape {tuple(pred.shape)}. Use it for a task whose '
                'output is a clip (VCR), not one frame (FFP)')
        return pred[:, :, 1:] - pred[:, :, :-1], target[:, :, 1:] - target[:, :, :-1]

    def frame_error(self, pred: Tensor, target: Tensor) -> Tensor:
        self._differences(pred, target)  # frames alone: the error that says so

    def __call__(self, pred: Tensor, target: Tensor) -> Tensor:
        return self.measure(*self._differences(pred, target))

    def error_map(self, pred: Tensor, target: Tensor) -> Tensor:
        """The inner measure's map of the differences, ``(B, C, T - 1, h, w)``."""
        return self.measure.error_map(*self._differences(pred, target))
