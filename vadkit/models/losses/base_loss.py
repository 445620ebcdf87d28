"""Base class of registered training losses."""
from torch import Tensor


class BaseLoss:
    """A task's unweighted training loss: ``loss(output, target)`` -> a scalar tensor.

    Losses are built from a head's ``loss`` config (``vadkit.registry.LOSSES``), so a config
    changes what a task is trained on without touching the head. They hold no parameters
    (a head's state dict does not depend on its loss).
    """

    def __call__(self, output: Tensor, target: Tensor) -> Tensor:
        raise NotImplementedError

    def measures(self) -> list:
        """The error measures this loss computes (checked against the head's output)."""
        measure = getattr(self, 'measure', None)
        return [measure] if measure is not None else []

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v}' for k, v in vars(self).items())
        return f'{type(self).__name__}({args})'
