"""Gradient difference error: compares the edges of a prediction and its target.

The measure is the core's ``GradientDifference`` (the U-Net FFP head trains with it);
this plugin registers it under its own name, ``GradientDifferenceError``, for its configs,
as the smallest example of a measure registered from outside the core.
"""
from vadkit.models.measures import GradientDifference
from vadkit.models.measures.functional import gradient_difference
from vadkit.registry import ERROR_MEASURES


@ERROR_MEASURES.register_module()
class GradientDifferenceError(GradientDifference):
    """Gradient difference of a prediction and its target, one value a frame (see
    :func:`gradient_difference`); larger means more anomalous, like MSE/PSE/BPE.

    Args:
        alpha: Exponent of the gradient differences (1 as in Liu et al. 2018; 2 squares
            them like an MSE of the edges).
    """


__all__ = ['GradientDifferenceError', 'gradient_difference']
