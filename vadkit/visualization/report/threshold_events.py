"""The report's threshold on the fused score, and the events it makes.

A threshold is given, or picked from the saved scores: with labels of both classes, the
fused score at the ROC point closest to (FPR 0, TPR 1), pooled over all videos; without,
the 95th percentile of the frames labelled normal (all frames when none is labelled). The
events are runs of frames above it, with the semantics of
:func:`vadkit.apis.events.extract_events` (strictly above; short runs dropped; runs at most
``merge_gap`` normal frames apart merged), re-implemented here so that the report needs
neither torch nor the detector.
"""
import math
from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np

NORMAL_PERCENTILE = 95.0


@dataclass
class ThresholdChoice:
    """A threshold and, in words, how it was chosen."""
    value: float
    rule: str


@dataclass
class ScoreEvent:
    """A run of frames of one video whose fused score is above the threshold (inclusive)."""
    start_frame: int
    end_frame: int
    peak_frame: int
    peak_score: float
    mean_score: float
    anomalous_frames: int = 0  # labelled anomalous frames inside the event

    @property
    def num_frames(self) -> int:
        return self.end_frame - self.start_frame + 1


def roc_closest_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The score threshold whose (FPR, TPR) is closest to (0, 1)."""
    from sklearn.metrics import roc_curve
    fpr, tpr, thr = roc_curve(labels, scores)
    best = int(np.argmin(fpr ** 2 + (1 - tpr) ** 2))
    # roc_curve flags frames >= thr; events take frames > threshold: step just below it
    value = float(thr[best])
    if not math.isfinite(value):
        value = float(np.max(scores))
    return float(np.nextafter(value, -np.inf))


def choose_threshold(scores: Sequence[np.ndarray], labels: Sequence[np.ndarray],
                     given: Optional[float] = None) -> ThresholdChoice:
    """The given threshold, else the ROC point closest to (0, 1), else the normal frames'
    95th percentile."""
    if given is not None:
        return ThresholdChoice(float(given), 'given with --threshold')
    s = np.concatenate([np.asarray(x, dtype=np.float64) for x in scores])
    y = np.concatenate([np.asarray(x) for x in labels]).astype(np.int64)
    keep = np.isfinite(s)
    s, y = s[keep], y[keep]
    if s.size == 0:
        return ThresholdChoice(math.inf, 'no finite score: no event')
    if y.size and y.min() != y.max():
        return ThresholdChoice(
            roc_closest_threshold(s, y),
            'the fused score at the point of the pooled ROC curve closest to '
            '(false-positive rate 0, true-positive rate 1)')
    normal = s[y == 0] if (y == 0).any() else s
    which = 'normal-labelled frames' if (y == 0).any() else 'frames (no labels)'
    return ThresholdChoice(float(np.percentile(normal, NORMAL_PERCENTILE)),
                           f'the {NORMAL_PERCENTILE:g}th percentile of the fused score of the '
                           f'{which}')


def find_events(frames: np.ndarray, scores: np.ndarray, threshold: float,
                labels: Optional[np.ndarray] = None, min_frames: int = 1,
                merge_gap: int = 0) -> List[ScoreEvent]:
    """Events of one video from its scored frames (unscored frames count as normal)."""
    frames = np.asarray(frames, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    length = int(frames.max()) + 1 if frames.size else 0
    dense = np.full(length, np.nan)
    dense[frames] = scores
    truth = np.zeros(length, dtype=np.int64)
    if labels is not None:
        truth[frames] = np.asarray(labels, dtype=np.int64)
    above = np.nan_to_num(dense, nan=-np.inf) > threshold
    runs, start, gap = [], None, 0
    for i, hit in enumerate(above.tolist()):
        if hit:
            if start is None:
                start = i
            end, gap = i, 0
        elif start is not None:
            gap += 1
            if gap > merge_gap:
                runs.append((start, end))
                start = None
    if start is not None:
        runs.append((start, end))
    events = []
    for a, b in runs:
        if b - a + 1 < min_frames:
            continue
        span = dense[a:b + 1]
        hits = span[np.nan_to_num(span, nan=-np.inf) > threshold]
        peak = a + int(np.nanargmax(np.where(np.isnan(span), -np.inf, span)))
        events.append(ScoreEvent(a, b, peak, float(dense[peak]), float(hits.mean()),
                                 int(truth[a:b + 1].sum())))
    return events
