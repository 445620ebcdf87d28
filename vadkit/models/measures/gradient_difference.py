"""The gradient difference: how unlike the target's edges a predicted frame's edges are."""
from torch import Tensor

from vadkit.registry import ERROR_MEASURES

from .base_measure import BaseErrorMeasure


@ERROR_MEASURES.register_module()
class GradientDifference(BaseErrorMeasure):
    """``| |d pred| - |d target| |`` of the vertical and horizontal pixel differences,
    summed, averaged over the frame (Mathieu et al., ICLR 2016; the gradient loss of Liu et
    al., CVPR 2018). As a training loss beside the MSE it keeps a predicted frame sharp:
    the MSE alone is lowest for a blurred average of the possible futures.
    """

    def frame_error_map(self, pred: Tensor, target: Tensor) -> Tensor:
        """``(N, C, H-1, W-1)``: at each pixel, the vertical and horizontal terms."""
        if pred.shape != target.shape:
            raise ValueError(f'GradientDifference: pred {tuple(pred.shape)} and target '
                             f'{tuple(target.shape)} differ in shape')

        def grads(x: Tensor):
            return ((x[..., 1:, :-1] - x[..., :-1, :-1]).abs(),
                    (x[..., :-1, 1:] - x[..., :-1, :-1]).abs())

        (py, px), (ty, tx) = grads(pred), grads(target)
        return (py - ty).abs() + (px - tx).abs()

    def frame_error(self, pred: Tensor, target: Tensor) -> Tensor:
        return self.frame_error_map(pred, target).flatten(1).mean(1)
