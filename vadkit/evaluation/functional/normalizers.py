"""Per-video score rescaling functions (numpy, one 1-D array of scores a video)."""
import numpy as np


def _as_scores(scores) -> np.ndarray:
    arr = np.asarray(scores, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f'a video\'s scores must be 1-D, got shape {arr.shape}')
    return arr


def min_max(scores) -> np.ndarray:
    """Rescale to [0, 1]; a constant video maps to zeros (it carries no ranking)."""
    s = _as_scores(scores)
    if s.size == 0:
        return s
    lo, hi = s.min(), s.max()
    return (s - lo) / (hi - lo) if hi > lo else np.zeros_like(s)


def robust(scores, low: float = 1.0, high: float = 99.0) -> np.ndarray:
    """Paper Eq. 16: ``(s - median) / (P_high - P_low)``; constant video maps to zeros."""
    s = _as_scores(scores)
    if s.size == 0:
        return s
    p_lo, med, p_hi = np.percentile(s, [low, 50.0, high])
    spread = p_hi - p_lo
    return (s - med) / spread if spread > 0 else np.zeros_like(s)


def z_score(scores, mean: float, std: float) -> np.ndarray:
    """Standardise with statistics taken elsewhere (e.g. from normal training videos)."""
    s = _as_scores(scores)
    return (s - mean) / std if std > 0 else s - mean


def gaussian_smooth(scores, sigma: float, truncate: float = 4.0) -> np.ndarray:
    """Temporal Gaussian smoothing of one video's frame scores.

    Anomalies last many frames while per-frame scores are noisy, so many VAD evaluations
    smooth scores along time. The filter is centred, so it is *non-causal*: frame ``t``
    sees scores up to ``truncate * sigma`` frames ahead (fine for offline evaluation, not for
    an online detector). It is ``scipy.ndimage.gaussian_filter1d``: a unit-sum kernel of
    radius ``int(truncate * sigma + 0.5)``, the ends repeating the first/last score
    (``mode='nearest'``). ``sigma == 0`` returns the scores unchanged.
    """
    from scipy.ndimage import gaussian_filter1d
    s = _as_scores(scores)
    if sigma < 0:
        raise ValueError(f'smoothing sigma must be >= 0 (frames), got {sigma}')
    if sigma == 0 or s.size == 0:
        return s.copy()
    return gaussian_filter1d(s, sigma, mode='nearest', truncate=truncate)


def log_transform(scores, eps: float = 1e-12) -> np.ndarray:
    """``log(max(s, eps))`` of non-negative scores (errors, distances).

    Errors are heavy-tailed: on a linear scale one burst sets a video's min-max range and
    flattens the rest. ``-10 log10`` of an MSE is the PSNR that future-frame prediction
    scores with (Liu et al., CVPR 2018); per-video min-max makes the base and sign moot
    (``log`` here keeps "higher is more anomalous").
    """
    s = _as_scores(scores)
    if s.size and s.min() < 0:
        raise ValueError(f'log_transform needs non-negative scores, got a minimum of {s.min()}: '
                         'apply it to errors, not to already rescaled scores')
    return np.log(np.maximum(s, eps))


def log_odds(scores, eps: float = 1e-45) -> np.ndarray:
    """``log(p / (1 - p))`` of probabilities: a classifier's own score before the softmax
    squashed it.

    A softmax probability saturates: most frames' scores sit within 1e-6 of 0, where their
    order is set by tiny differences and one confident frame sets the video's whole min-max
    range. Probabilities are clipped to ``[eps, 1 - 2**-24]`` (float32 softmax cannot tell
    closer to 1 apart), so the result is finite.
    """
    s = _as_scores(scores)
    if s.size and (s.min() < 0 or s.max() > 1):
        raise ValueError('log_odds needs probabilities in [0, 1], got a range of '
                         f'[{s.min()}, {s.max()}]')
    p = np.clip(s, eps, 1.0 - 2.0**-24)
    return np.log(p) - np.log1p(-p)
