"""Y-ranges of score plots that no single score can flatten.

Causally normalized scores are z-scores: an anomaly can reach hundreds while the threshold
sits near 3, so a plain autoscaled axis shows the threshold and the normal frames as a flat
line at the bottom. :func:`robust_ylim` cuts the axis at a high percentile and keeps the
threshold at least a quarter of the way up; :func:`display_scaled` puts each task's curve on
its own 0-1 scale for a panel that compares their shapes.
"""
from typing import Optional, Tuple

import numpy as np


def robust_ylim(values, threshold: Optional[float] = None, percentile: float = 99.0,
                threshold_height: float = 0.25, margin: float = 0.05) -> Tuple[float, float]:
    """``(bottom, top)`` of an axis showing ``values`` (NaNs ignored) and ``threshold``.

    The top is the largest value, unless the values above the ``percentile``-th stretch the
    axis by more than a quarter: then it is that percentile, and it is lowered further until
    the threshold stands at least ``threshold_height`` of the way up. Values above the top
    are clipped by the plot (the caller says so).
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        v = np.zeros(1)
    lo, hi = min(float(v.min()), 0.0), float(v.max())
    p = float(np.percentile(v, percentile))
    if hi - lo > 1.25 * (p - lo):
        hi = p
    if threshold is not None and np.isfinite(threshold):
        lo = min(lo, float(threshold))
        if threshold > lo and threshold_height > 0:
            hi = min(hi, lo + (float(threshold) - lo) / threshold_height)
        hi = max(hi, float(threshold))
    if hi <= lo:
        hi = lo + 1.0
    pad = margin * (hi - lo)
    return lo - pad, hi + pad


def display_scaled(values, percentile: float = 99.0) -> np.ndarray:
    """``values`` rescaled for display: the ``100 - percentile``-th percentile to 0, the
    ``percentile``-th to 1, clipped to [-0.05, 1.05] (NaNs kept)."""
    v = np.asarray(values, dtype=np.float64)
    ok = v[np.isfinite(v)]
    if ok.size == 0:
        return v
    lo, hi = np.percentile(ok, [100 - percentile, percentile])
    if hi <= lo:
        return np.where(np.isfinite(v), 0.0, np.nan)
    return np.clip((v - lo) / (hi - lo), -0.05, 1.05)
