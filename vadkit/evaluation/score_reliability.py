"""How much of each score a training run reproduces: fusion weights without any label.

Train the same config with several seeds and test every model on the same videos. Where a
score measures something about the videos, the models agree on it: within each video, the
runs' rescaled scores rise and fall together. Where it is mostly the run's own noise, they
do not. The *reliability* of a score is the Pearson correlation of its rescaled scores
between two runs within one video, averaged over the videos and over every pair of runs
(test-retest reliability). It reads the scores only, never the labels, so it can be measured
on a site's unlabelled footage.

Weighting each score by its reliability keeps a score that is mostly seed noise from
counting as much as the others in the fused score. On Ped2 with the recommended CPU config,
VCR and FFP reach 0.95-0.97 and PRP 0.24-0.26 (docs/evaluation.md, "Weights from each
score's reliability").

Reliability is not accuracy: a score every run computes alike is reliable however well it
detects anomalies (the model-free frame difference scores 1.0), and smoothing raises any
score's reliability. Compare it among learned scores under one normalizer.
"""
import itertools
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np

from .frame_scores import FrameScores

__all__ = ['score_reliability', 'reliability_weights', 'video_correlation']


def video_correlation(a: np.ndarray, b: np.ndarray) -> Optional[float]:
    """Pearson correlation of two score curves of one video; ``None`` where either is
    constant (no variation to agree on) or there are fewer than 3 frames."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def score_reliability(runs: Sequence[FrameScores], names: Optional[Sequence[str]] = None,
                      normalizer: Optional[Mapping] = None,
                      normalizers: Optional[Mapping] = None) -> Dict[str, dict]:
    """``{score name: {'mean', 'min', 'pairs', 'videos'}}`` over test runs of one test set.

    Each score is rescaled per video by each run's normalizer (``None`` arguments: the
    run's saved settings), then correlated between every pair of runs within every video.
    ``pairs`` holds one value a pair of runs (the mean over the videos where both curves
    vary), ``mean`` and ``min`` summarise them, ``videos`` counts the videos used. Labels are
    never read.
    """
    if len(runs) < 2:
        raise ValueError(f'reliability compares runs: got {len(runs)}, give the test runs of '
                         'at least 2 models trained with other seeds')
    FrameScores.check_same_frames(runs, 'compare')
    common = [n for n in runs[0].score_names if all(n in r.score_names for r in runs)]
    names = list(names or common)
    missing = [n for n in names if n not in common]
    if missing:
        raise KeyError(f'score(s) {missing} are not in every run; common: {common}')
    built = [r.normalizers(normalizer, normalizers, names) for r in runs]
    rescaled = [[{n: built[k][n](video[n]) for n in names} for video in run.raw]
                for k, run in enumerate(runs)]
    out = {}
    for n in names:
        pairs: List[float] = []
        used = set()
        for a, b in itertools.combinations(range(len(runs)), 2):
            per_video = []
            for i in range(len(runs[0].video_names)):
                r = video_correlation(rescaled[a][i][n], rescaled[b][i][n])
                if r is not None:
                    per_video.append(r)
                    used.add(i)
            if not per_video:
                raise ValueError(f'score {n!r} is constant in every video of runs {a} and {b}: '
                                 'nothing to correlate')
            pairs.append(float(np.mean(per_video)))
        out[n] = dict(mean=float(np.mean(pairs)), min=float(np.min(pairs)), pairs=pairs,
                      videos=len(used))
    return out


def reliability_weights(reliability: Mapping[str, dict], names: Optional[Sequence[str]] = None,
                        digits: int = 2) -> Dict[str, float]:
    """Fusion weights: each score's mean reliability, rounded to ``digits``, negative
    (worse than unrelated runs) as 0."""
    names = list(names or reliability)
    unknown = [n for n in names if n not in reliability]
    if unknown:
        raise KeyError(f'no reliability of score(s) {unknown}; measured: {list(reliability)}')
    return {n: round(max(float(reliability[n]['mean']), 0.0), digits) for n in names}
