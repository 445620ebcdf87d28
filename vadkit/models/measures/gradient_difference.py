"""The gradient difference: how unlike the target's edges a predicted frame's edges are."""
import torch.nn.functional as F
from torch import Tensor

from vadkit.registry import ERROR_MEASURES

from .base_measure import VF, BaseErrorMeasure


@ERROR_MEASURES.register_module()
class GradientDifference(BaseErrorMeasure):
    """Gradient difference of a prediction and its target, one value a frame
    (:func:`~vadkit.models.measures.functional.gradient_difference`; Mathieu et al., ICLR
    2016). As a training loss beside the MSE it keeps a predicted frame sharp (the gradient
    loss of Liu et al., CVPR 2018): the MSE alone is lowest for a blurred average of the
    possible futures. Larger means more anomalous, like MSE/PSE/BPE.

    Args:
        alpha: Exponent of the gradient differences (1 as in Liu et al. 2018; 2 squares
            them like an MSE of the edges).
    """

    def __init__(self, alpha: float = 1.0) -> None:
        if not alpha > 0:
            raise ValueError(f'{type(self).__name__}: alpha must be > 0, got {alpha}')
        self.alpha = float(alpha)

    def frame_error(self, pred: Tensor, target: Tensor) -> Tensor:
        return VF.gradient_difference(pred, target, self.alpha)

    def frame_error_map(self, pred: Tensor, target: Tensor) -> Tensor:
        """``(N, C, H, W)``: at each pixel, its horizontal and vertical terms (zero past the
        last column and row); its mean is the measure up to the factors ``W / (W-1)`` and
        ``H / (H-1)`` of those borders."""
        ex, ey = VF.gradient_difference_terms(pred, target, self.alpha)
        return F.pad(ex, (0, 1)) + F.pad(ey, (0, 0, 0, 1))
