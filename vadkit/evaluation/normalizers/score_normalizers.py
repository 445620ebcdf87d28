"""Registered per-video score normalizers."""
import numpy as np

from vadkit.registry import SCORE_NORMALIZERS

from .. import functional as VF  # noqa: N812


class BaseScoreNormalizer:
    """Rescales the raw scores of one video (1-D array) before tasks are combined.

    ``fit`` may take statistics from normal (training) scores; per-video normalizers ignore it.
    """

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

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return VF.min_max(scores)


@SCORE_NORMALIZERS.register_module()
class RobustNormalizer(BaseScoreNormalizer):
    """Per-video robust rescaling (paper Eq. 16): median and the P1-P99 range."""

    def __init__(self, low: float = 1.0, high: float = 99.0) -> None:
        self.low, self.high = low, high

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return VF.robust(scores, self.low, self.high)


@SCORE_NORMALIZERS.register_module()
class ZScoreNormalizer(BaseScoreNormalizer):
    """Standardise with mean and std of normal scores, given or taken by :meth:`fit`."""

    def __init__(self, mean: float = 0.0, std: float = 1.0) -> None:
        self.mean, self.std = mean, std

    def fit(self, normal_scores: np.ndarray) -> 'ZScoreNormalizer':
        s = np.asarray(normal_scores, dtype=np.float64)
        self.mean, self.std = float(s.mean()), float(s.std())
        return self

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return VF.z_score(scores, self.mean, self.std)
