"""Frame-level ROC metrics for video anomaly detection.

scikit-learn is imported when a metric is computed, not with vadkit: building or running a
model (``register_all_modules``, ``MODELS.build``) does not load it.
"""
from typing import Dict, List, Sequence

import numpy as np


def roc_auc_score(y, s) -> float:
    """scikit-learn's ROC AUC (the reference implementation of the metric)."""
    from sklearn.metrics import roc_auc_score as sk_roc_auc_score
    return sk_roc_auc_score(y, s)


def micro_auroc(scores: Sequence[np.ndarray], labels: Sequence[np.ndarray]) -> float:
    """AUROC over the frames of all videos pooled (one set of thresholds)."""
    y = np.concatenate([np.asarray(x) for x in labels]).astype(np.int64)
    s = np.concatenate([np.asarray(x, dtype=np.float64) for x in scores])
    if np.unique(y).size < 2:
        raise ValueError(f'micro AUROC needs both normal and anomalous frames; the {y.size} '
                         'scored frames all have the same label. Check the test labels.')
    return float(roc_auc_score(y, s))


def macro_auroc(scores: Sequence[np.ndarray], labels: Sequence[np.ndarray]) -> Dict:
    """Mean of per-video AUROCs over the videos that have both classes.

    Returns a dict with ``auroc`` (nan if no video qualifies), ``per_video`` (nan for the
    single-class videos) and ``excluded`` (indices of single-class videos).
    """
    per_video: List[float] = []
    excluded: List[int] = []
    for i, (s, y) in enumerate(zip(scores, labels)):
        y = np.asarray(y)
        if y.size == 0 or y.min() == y.max():
            per_video.append(float('nan'))
            excluded.append(i)
        else:
            per_video.append(float(roc_auc_score(y, s)))
    valid = [v for v in per_video if not np.isnan(v)]
    return dict(auroc=float(np.mean(valid)) if valid else float('nan'), per_video=per_video,
                excluded=excluded)


def average_precision(scores: Sequence[np.ndarray], labels: Sequence[np.ndarray]) -> float:
    """Area under the precision-recall curve of the pooled frames (anomalous = positive)."""
    y = np.concatenate([np.asarray(x) for x in labels]).astype(np.int64)
    s = np.concatenate([np.asarray(x, dtype=np.float64) for x in scores])
    from sklearn.metrics import average_precision_score
    return float(average_precision_score(y, s))


def equal_error_rate(scores: Sequence[np.ndarray], labels: Sequence[np.ndarray]) -> float:
    """Rate where the false positive rate equals the false negative rate (pooled frames)."""
    y = np.concatenate([np.asarray(x) for x in labels]).astype(np.int64)
    s = np.concatenate([np.asarray(x, dtype=np.float64) for x in scores])
    from sklearn.metrics import roc_curve
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
    diff = (1 - tpr) - fpr  # decreasing from 1 to -1 along the curve
    i = int(np.argmax(diff <= 0))  # first point past the crossing
    if i == 0 or diff[i] == 0:
        return float(fpr[i])
    # interpolate linearly between the points on either side of fnr == fpr
    w = diff[i - 1] / (diff[i - 1] - diff[i])
    return float(fpr[i - 1] + w * (fpr[i] - fpr[i - 1]))
