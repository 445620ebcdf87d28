"""A training loss made of several losses: e.g. a clip's frames and its motion at once."""
import math
from typing import Dict, List, Sequence

from torch import Tensor

from vadkit.registry import LOSSES
from vadkit.utils.errors import VadkitError

from .base_loss import BaseLoss


class LossTermError(VadkitError, ValueError):
    """A weighted sum of losses written wrong."""


@LOSSES.register_module()
class WeightedSumLoss(BaseLoss):
    """``sum_i weight_i * loss_i(output, target)``.

    A measure that sees only part of the error trains only that part: ``TemporalDifference``
    alone leaves a constant offset in every frame free, which the frame's MSE pins down. So
    ``terms=[dict(type='MSELoss'), dict(type='MeasureLoss', weight=1.0,
    measure=dict(type='TemporalDifference', measure=dict(type='MSE')))]`` trains a clip's
    frames and its frame-to-frame changes together.

    Args:
        terms: Loss configs (``vadkit.registry.LOSSES``), each with an optional ``weight``
            (default 1, finite and >= 0).
    """

    def __init__(self, terms: Sequence[dict] = ()) -> None:
        if not terms or isinstance(terms, dict):
            raise LossTermError(
                'WeightedSumLoss needs a list of loss configs, e.g. terms=[dict(type='
                "'MSELoss'), dict(type='MeasureLoss', measure=dict(type='BPE'), weight=0.5)]")
        self.terms: List[BaseLoss] = []
        self.weights: List[float] = []
        self.names: List[str] = []
        for i, term in enumerate(terms):
            term = dict(term)
            weight = term.pop('weight', 1.0)
            if not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight < 0:
                raise LossTermError(f'WeightedSumLoss term {i} ({term.get("type")}): weight='
                                    f'{weight!r} must be a finite number >= 0')
            self.terms.append(LOSSES.build(term))
            self.weights.append(float(weight))
            self.names.append(_term_name(self.terms[-1], self.names))
        #: each weighted term of the last call, detached: the training log shows them
        self.last_terms: Dict[str, Tensor] = {}

    def measures(self) -> list:
        return [m for term in self.terms for m in term.measures()]

    def __call__(self, output: Tensor, target: Tensor) -> Tensor:
        total = None
        self.last_terms = {}
        for name, weight, term in zip(self.names, self.weights, self.terms):
            value = weight * term(output, target)
            self.last_terms[name] = value.detach()
            total = value if total is None else total + value
        return total

    def __repr__(self) -> str:
        terms = ', '.join(f'{w} * {t!r}' for w, t in zip(self.weights, self.terms))
        return f'{type(self).__name__}({terms})'


def _term_name(term: BaseLoss, taken: List[str]) -> str:
    """``mse`` for ``MSELoss``, the measure's name for ``MeasureLoss`` (``bpe``,
    ``temporaldifference``); ``_2``, ``_3``... when a name repeats."""
    measures = term.measures()
    base = (type(measures[0]).__name__ if len(measures) == 1 else
            type(term).__name__.removesuffix('Loss')).lower()
    base = base or f'term{len(taken)}'
    name, i = base, 1
    while name in taken:
        i += 1
        name = f'{base}_{i}'
    return name
