"""Registered score normalizers: per-video rescalings, statistics from normal data,
temporal smoothing, and chains of them."""
from typing import List, Optional, Sequence, Union

import numpy as np

from vadkit.registry import SCORE_NORMALIZERS

from .. import functional as VF  # noqa: N812
from .normal_stats import load_normal_stats


class BaseScoreNormalizer:
    """Rescales the raw scores of one video (1-D array) before tasks are combined.

    ``fit`` may take statistics from normal (training) scores; per-video normalizers ignore it.
    ``reapply_after_averaging``: whether an ensemble applies it again to the average of
    its members' normalized scores (see
    :func:`~vadkit.evaluation.normalizers.after_averaging_config`): true for rescalings
    that only shift and scale a video (min-max, robust), false for transforms.
    """

    reapply_after_averaging = False

    def fit(self, normal_scores: np.ndarray) -> 'BaseScoreNormalizer':
        return self

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v}' for k, v in vars(self).items())
        return f'{type(self).__name__}({args})'


@SCORE_NORMALIZERS.register_module()
class NoNormalizer(BaseScoreNormalizer):
    """Leave scores as they are."""

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return np.asarray(scores, dtype=np.float64)


@SCORE_NORMALIZERS.register_module()
class MinMaxNormalizer(BaseScoreNormalizer):
    """Per-video min-max rescaling to [0, 1] (the common VAD practice)."""

    reapply_after_averaging = True

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return VF.min_max(scores)


@SCORE_NORMALIZERS.register_module()
class RobustNormalizer(BaseScoreNormalizer):
    """Per-video robust rescaling (paper Eq. 16): median and the P1-P99 range."""

    reapply_after_averaging = True

    def __init__(self, low: float = 1.0, high: float = 99.0) -> None:
        self.low, self.high = low, high

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return VF.robust(scores, self.low, self.high)


@SCORE_NORMALIZERS.register_module()
class ZScoreNormalizer(BaseScoreNormalizer):
    """Standardise with the mean and std of *normal* scores, the same for every video.

    Unlike the per-video rescalings, the statistics come from elsewhere: given as ``mean``
    and ``std``, read from ``stats_file`` (the JSON that
    ``tools/analysis/fit_normal_stats.py`` writes from the training videos) under ``key``,
    or taken by :meth:`fit`. Without any of them it is the identity (mean 0, std 1).

    Args:
        mean, std: The statistics, given directly.
        stats_file: A normal-statistics JSON (``{"scores": {name: {"mean", "std"}}}``).
        key: The score name to read from ``stats_file`` (the metric fills in the name of
            the score it normalizes when ``key`` is left out).
    """

    def __init__(self, mean: Optional[float] = None, std: Optional[float] = None,
                 stats_file: Optional[str] = None, key: Optional[str] = None) -> None:
        if stats_file is not None:
            if mean is not None or std is not None:
                raise ValueError('ZScoreNormalizer: give either mean/std or stats_file, '
                                 'not both')
            if key is None:
                raise ValueError(f'ZScoreNormalizer: stats_file {stats_file!r} needs the '
                                 "score name to read, e.g. key='vcr'")
            mean, std = load_normal_stats(stats_file, key)
        self.mean = 0.0 if mean is None else float(mean)
        self.std = 1.0 if std is None else float(std)
        self.stats_file, self.key = stats_file, key

    def fit(self, normal_scores: np.ndarray) -> 'ZScoreNormalizer':
        s = np.asarray(normal_scores, dtype=np.float64)
        self.mean, self.std = float(s.mean()), float(s.std())
        return self

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return VF.z_score(scores, self.mean, self.std)


@SCORE_NORMALIZERS.register_module()
class GaussianSmoothing(BaseScoreNormalizer):
    """Temporal Gaussian smoothing of a video's scores, ``sigma`` in frames.

    Not in the paper; a common offline post-processing (anomalies last many frames, frame
    scores are noisy). Centred, so non-causal (see :func:`VF.gaussian_smooth`). Use it as a
    step of :class:`Chain`, e.g. after a rescaling.
    """

    def __init__(self, sigma: float = 3.0, truncate: float = 4.0) -> None:
        if sigma < 0:
            raise ValueError(f'GaussianSmoothing sigma must be >= 0 (frames), got {sigma}')
        self.sigma, self.truncate = float(sigma), float(truncate)

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return VF.gaussian_smooth(scores, self.sigma, self.truncate)


@SCORE_NORMALIZERS.register_module()
class LogTransform(BaseScoreNormalizer):
    """``log`` of a non-negative score (an error): the PSNR-style scale, on which one burst
    does not flatten a video's other frames. Use it as the first step of :class:`Chain`,
    before the per-video rescaling (see :func:`VF.log_transform`)."""

    def __init__(self, eps: float = 1e-12) -> None:
        self.eps = float(eps)

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return VF.log_transform(scores, self.eps)


@SCORE_NORMALIZERS.register_module()
class LogOdds(BaseScoreNormalizer):
    """Log-odds of a probability (e.g. PRP's accelerated class), whose softmax saturates
    near 0 and 1. Use it as the first step of :class:`Chain`, before the per-video
    rescaling (see :func:`VF.log_odds`)."""

    def __init__(self, eps: float = 1e-45) -> None:
        self.eps = float(eps)

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return VF.log_odds(scores, self.eps)


@SCORE_NORMALIZERS.register_module()
class Chain(BaseScoreNormalizer):
    """Several normalizers applied in order, so each score can have its own
    post-processing, e.g. ``Chain(steps=[dict(type='RobustNormalizer'),
    dict(type='GaussianSmoothing', sigma=3)])``.

    Args:
        steps: Normalizer configs (or built normalizers), applied first to last.
    """

    def __init__(self, steps: Sequence[Union[dict, BaseScoreNormalizer]]) -> None:
        if not steps:
            raise ValueError('Chain needs at least one step, e.g. '
                             "steps=[dict(type='RobustNormalizer')]")
        self.steps: List[BaseScoreNormalizer] = [
            SCORE_NORMALIZERS.build(s) if isinstance(s, dict) else s for s in steps]

    def fit(self, normal_scores: np.ndarray) -> 'Chain':
        """Fit each step on the normal scores as transformed by the steps before it."""
        x = np.asarray(normal_scores, dtype=np.float64)
        for step in self.steps:
            step.fit(x)
            x = step(x)
        return self

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        x = np.asarray(scores, dtype=np.float64)
        for step in self.steps:
            x = step(x)
        return x

    def __repr__(self) -> str:
        return f'Chain({" -> ".join(map(repr, self.steps))})'
