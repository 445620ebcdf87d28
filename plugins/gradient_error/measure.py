"""Gradient difference error: compares the edges of a prediction and its target."""
from torch import Tensor

from vadkit.models.measures import BaseErrorMeasure
from vadkit.registry import ERROR_MEASURES


def gradient_difference(pred: Tensor, target: Tensor, alpha: float = 1.0) -> Tensor:
    """Per-frame gradient difference of ``(N, C, H, W)`` frames -> ``(N,)``.

    With ``|d_x I|`` the absolute difference of horizontally adjacent pixels (and ``d_y``
    vertically)::

        E = mean | |d_x pred| - |d_x target| |^alpha + mean | |d_y pred| - |d_y target| |^alpha

    each mean over the channels and the ``H x (W-1)`` (resp. ``(H-1) x W``) pixel pairs.
    This is the gradient difference loss of Mathieu et al. (ICLR 2016) used by future-frame
    predictors (Liu et al., CVPR 2018), averaged instead of summed so that it does not grow
    with the frame size. It ignores a uniform brightness offset and penalises blurred or
    missing edges, where an MSE mostly sees the smooth background.
    """
    if pred.shape != target.shape or pred.dim() != 4:
        raise ValueError(f'gradient_difference expects two (N, C, H, W) tensors of one shape, '
                         f'got {tuple(pred.shape)} and {tuple(target.shape)}')
    if pred.shape[-1] < 2 or pred.shape[-2] < 2:
        raise ValueError(f'gradient_difference needs frames of at least 2x2 pixels, got '
                         f'{tuple(pred.shape[-2:])}')
    pred, target = pred.float(), target.float()

    def grad_x(x: Tensor) -> Tensor:
        return (x[..., :, 1:] - x[..., :, :-1]).abs()

    def grad_y(x: Tensor) -> Tensor:
        return (x[..., 1:, :] - x[..., :-1, :]).abs()

    ex = (grad_x(pred) - grad_x(target)).abs().pow(alpha).flatten(1).mean(1)
    ey = (grad_y(pred) - grad_y(target)).abs().pow(alpha).flatten(1).mean(1)
    return ex + ey


@ERROR_MEASURES.register_module()
class GradientDifferenceError(BaseErrorMeasure):
    """Gradient difference of a prediction and its target, one value a frame (see
    :func:`gradient_difference`); larger means more anomalous, like MSE/PSE/BPE.

    Args:
        alpha: Exponent of the gradient differences (1 as in Liu et al. 2018; 2 squares
            them like an MSE of the edges).
    """

    def __init__(self, alpha: float = 1.0) -> None:
        if alpha <= 0:
            raise ValueError(f'GradientDifferenceError: alpha must be > 0, got {alpha}')
        self.alpha = float(alpha)

    def frame_error(self, pred: Tensor, target: Tensor) -> Tensor:
        return gradient_difference(pred, target, self.alpha)


__all__ = ['GradientDifferenceError', 'gradient_difference']
