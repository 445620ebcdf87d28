"""Registered score fusions: how the rescaled scores of one video become one score a frame.

The paper sums the rescaled scores with the alphas (:class:`WeightedSum`, the default and
bit for bit :func:`~vadkit.evaluation.functional.weighted_sum`). When one score is much less
stable than the others across training runs (PRP on Ped2) and carries the largest alpha,
the fused score follows it; the other fusions here limit that, each in its own way:

- :class:`RankFusion`: each score replaced by its rank within the video, then weighted;
- :class:`MedianFusion`: the median of the weighted scores, frame by frame (unweighted);
- :class:`CappedWeightedSum`: no score weighs more than ``max_share`` of the alphas' total;
- :class:`StabilityWeightedSum`: each alpha divided by its score's coefficient of variation
  on the normal *training* windows (``tools/analysis/fit_normal_stats.py``): no test label.

A fusion is called once a video with ``{score name: rescaled scores}`` and the weights.
"""
from typing import Dict, Mapping, Optional

import numpy as np

from vadkit.registry import SCORE_FUSIONS

from ..functional.scoring import weighted_sum
from ..normalizers.normal_stats import load_normal_stats


class BaseScoreFusion:
    """Fuses one video's rescaled scores ``{name: (n_frames,)}`` with ``weights``."""

    def __call__(self, scores: Mapping[str, np.ndarray],
                 weights: Mapping[str, float]) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v}' for k, v in vars(self).items())
        return f'{type(self).__name__}({args})'


@SCORE_FUSIONS.register_module()
class WeightedSum(BaseScoreFusion):
    """``sum(alpha_k * score_k)`` (paper Eq. 15): the default."""

    def __call__(self, scores, weights):
        return weighted_sum(scores, weights)


def _ranks01(values: np.ndarray) -> np.ndarray:
    """Ranks in [0, 1] (ties share their mean rank); a single frame gets 0."""
    from scipy.stats import rankdata
    v = np.asarray(values, dtype=np.float64)
    if v.size < 2:
        return np.zeros_like(v)
    return (rankdata(v) - 1.0) / (v.size - 1.0)


@SCORE_FUSIONS.register_module()
class RankFusion(BaseScoreFusion):
    """The weighted sum of each score's ranks within the video, in [0, 1].

    A rank ignores how far a score rises: a score's spikes count no more than the order
    of its frames, so one noisy score cannot stretch the fused range alone.
    """

    def __call__(self, scores, weights):
        return weighted_sum({n: _ranks01(scores[n]) for n in weights}, weights)


@SCORE_FUSIONS.register_module()
class MedianFusion(BaseScoreFusion):
    """Frame by frame, the median of the scores that have a positive weight (the weights'
    values are not used): one score alone can neither raise nor lower it."""

    def __call__(self, scores, weights):
        names = [n for n, w in weights.items() if w > 0]
        if not names:
            raise ValueError(f'MedianFusion needs a score with a positive weight, got {weights}')
        return np.median(np.stack([np.asarray(scores[n], dtype=np.float64) for n in names]),
                         axis=0)


def capped_weights(weights: Mapping[str, float], max_share: float) -> Dict[str, float]:
    """Each weight limited to ``max_share`` of the weights' total (nothing redistributed)."""
    cap = max_share * float(sum(weights.values()))
    return {n: min(float(w), cap) for n, w in weights.items()}


@SCORE_FUSIONS.register_module()
class CappedWeightedSum(BaseScoreFusion):
    """The weighted sum with every weight limited to ``max_share`` of the alphas' total.

    With the Ped2 alphas (0.1, 0.8, 1) and ``max_share=0.4`` PRP and FFP both weigh 0.76.
    """

    def __init__(self, max_share: float = 0.4) -> None:
        if not 0 < max_share <= 1:
            raise ValueError(f'CappedWeightedSum max_share must be in (0, 1], got {max_share}')
        self.max_share = float(max_share)

    def __call__(self, scores, weights):
        return weighted_sum(scores, capped_weights(weights, self.max_share))


@SCORE_FUSIONS.register_module()
class StabilityWeightedSum(BaseScoreFusion):
    """The weighted sum with each alpha divided by its score's instability on normal
    training windows: the coefficient of variation ``std / |mean|``.

    A score that swings widely on normal frames relative to its level (PRP, a softmax
    probability near 0 with rare spikes) is trusted less. The weights are rescaled to the
    alphas' total. No test label is used.

    Args:
        stats_file: A normal-statistics JSON (``tools/analysis/fit_normal_stats.py``).
        instability: ``{score name: instability}`` given directly instead.
    """

    def __init__(self, stats_file: Optional[str] = None,
                 instability: Optional[Mapping[str, float]] = None) -> None:
        if (stats_file is None) == (instability is None):
            raise ValueError('StabilityWeightedSum needs stats_file (from '
                             'tools/analysis/fit_normal_stats.py) or instability, not both')
        if stats_file is not None:
            table = load_normal_stats(stats_file)
            instability = {n: float(s['std']) / max(abs(float(s['mean'])), 1e-12)
                           for n, s in table.items()}
        self.stats_file = stats_file
        self.instability = {n: float(v) for n, v in instability.items()}

    def weights_for(self, weights: Mapping[str, float]) -> Dict[str, float]:
        missing = [n for n in weights if n not in self.instability]
        if missing:
            raise KeyError(f'StabilityWeightedSum has no training statistics for {missing}; '
                           f'it has {sorted(self.instability)}')
        raw = {n: float(w) / max(self.instability[n], 1e-12) for n, w in weights.items()}
        scale = float(sum(weights.values())) / sum(raw.values())
        return {n: w * scale for n, w in raw.items()}

    def __call__(self, scores, weights):
        return weighted_sum(scores, self.weights_for(weights))


def build_score_fusion(cfg: Optional[Mapping]) -> BaseScoreFusion:
    """The fusion of ``cfg`` (``None``: :class:`WeightedSum`)."""
    if cfg is None:
        return WeightedSum()
    if isinstance(cfg, BaseScoreFusion):
        return cfg
    return SCORE_FUSIONS.build(dict(cfg))
