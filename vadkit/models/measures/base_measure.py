"""Base class of registered error measures."""
from torch import Tensor

from . import functional as VF  # noqa: N812


class BaseErrorMeasure:
    """An error between a prediction and its target, one value a frame.

    Subclasses implement :meth:`frame_error` on ``(N, C, H, W)`` frames. Calling the measure
    also accepts clips ``(B, C, T, H, W)`` and then returns ``(B, T)`` (one value a frame).
    Larger means more anomalous.
    """

    #: Whether :class:`~vadkit.models.losses.MeasureLoss` may train with it (if not,
    #: ``not_a_loss_because`` says why).
    usable_as_loss: bool = True
    not_a_loss_because: str = ''

    def frame_error(self, pred: Tensor, target: Tensor) -> Tensor:
        raise NotImplementedError

    def frame_error_map(self, pred: Tensor, target: Tensor) -> Tensor:
        """The image the measure reduces, ``(N, C, h, w)``; see :meth:`error_map`."""
        raise NotImplementedError(f'{type(self).__name__} has no error map')

    def error_map(self, pred: Tensor, target: Tensor) -> Tensor:
        """Where the error is: the per-pixel image this measure reduces to one value.

        Frames ``(N, C, H, W)`` give ``(N, C, h, w)``; clips ``(B, C, T, H, W)`` give
        ``(B, C, T, h, w)``. ``h, w`` are ``H, W`` except for subsampling measures (BPE).
        Used for figures (the paper's Figure 5).
        """
        if pred.dim() == 5:
            b, c, t, h, w = pred.shape
            frames = lambda x: x.transpose(1, 2).reshape(b * t, c, h, w)  # noqa: E731
            maps = self.frame_error_map(frames(pred), frames(target))
            return maps.view(b, t, *maps.shape[1:]).transpose(1, 2)
        return self.frame_error_map(pred, target)

    def __call__(self, pred: Tensor, target: Tensor) -> Tensor:
        if pred.dim() == 5:
            b, c, t, h, w = pred.shape
            frames = lambda x: x.transpose(1, 2).reshape(b * t, c, h, w)  # noqa: E731
            return self.frame_error(frames(pred), frames(target)).view(b, t)
        return self.frame_error(pred, target)

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v}' for k, v in vars(self).items() if not k.startswith('_'))
        return f'{type(self).__name__}({args})'


__all__ = ['BaseErrorMeasure', 'VF']
