"""The frame-level scoring protocol as one pure function.

:class:`~vadkit.evaluation.FrameAUROCMetric` (during ``tools/test.py``) and the re-scoring
tools (``tools/analysis/rescore.py``, ``search_alphas.py``, ``plot_scores.py``) all call
:func:`evaluate_frame_scores`, so re-scoring saved raw scores with the same settings gives
exactly the metrics of the original run, bit for bit, and a change of weights or
normalizers needs no model.

Protocol (paper Section 3.2.2 and 4.2):

1. Every score (``vcr``, ``ffp``, ``prp``, or a ``<task>.<measure>`` extra score) of a video
   is rescaled by its own normalizer, per video (Eq. 16 for the robust one).
2. The rescaled scores are summed with the weights (alphas, Eq. 15).
3. Micro AUROC: all scored frames of all videos pooled, one set of thresholds (the
   headline). Macro AUROC: mean of per-video AUROCs over videos that have both classes;
   single-class videos are excluded and listed, never padded.

Frames without a score (the first T of each video, which end no window) are not part of
the inputs at all: they are neither scored nor counted.
"""
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from .auroc import average_precision, equal_error_rate, macro_auroc, micro_auroc

Normalizer = Callable[[np.ndarray], np.ndarray]
#: ``(rescaled scores of one video by name, weights) -> fused score``; ``None``: Eq. 15.
Fusion = Callable[[Mapping[str, np.ndarray], Mapping[str, float]], np.ndarray]


def weighted_sum(scores: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """``sum(alpha_k * score_k)`` (paper Eq. 15) over the weighted scores, in float64.

    The one place the fusion is computed: the metric, re-scoring, the alpha grid search and
    the detectors all call it, so they agree to the last bit.
    """
    return np.asarray(sum(weights[n] * scores[n] for n in weights), dtype=np.float64)


def _fused(normalized: Mapping[str, np.ndarray], weights: Mapping[str, float],
           fusion: Optional[Fusion]) -> np.ndarray:
    if fusion is None:
        return weighted_sum(normalized, weights)
    return np.asarray(fusion(normalized, weights), dtype=np.float64)


def fuse_scores(raw: Mapping[str, np.ndarray], weights: Mapping[str, float],
                normalizers: Mapping[str, Normalizer],
                fusion: Optional[Fusion] = None) -> Dict[str, object]:
    """Rescale each weighted score of one video and fuse them (``fusion``; default the
    weighted sum of paper Eq. 15).

    Returns ``dict(normalized={name: array}, combined=array)``; ``normalized`` holds the
    weighted scores only.
    """
    normalized = {name: np.asarray(normalizers[name](raw[name]), dtype=np.float64)
                  for name in weights}
    return dict(normalized=normalized, combined=_fused(normalized, weights, fusion))


@dataclass
class FrameEvaluation:
    """Everything :func:`evaluate_frame_scores` computes, one entry a video where a list.

    Attributes:
        metrics: Scalars: ``micro_auroc``, ``macro_auroc``, ``auprc``, ``eer``,
            ``macro_videos`` (videos averaged), ``macro_excluded_videos``,
            ``<score>_micro_auroc`` for each score name on its own (rescaled),
            ``scored_frames`` and ``anomalous_frames``.
        normalized: Per video, ``{score name: rescaled scores}``.
        combined: Per video, the fused score ``A``.
        per_video_auroc: Per video AUROC of ``A`` (nan for single-class videos).
        excluded: Positions (in the video list) of videos left out of the macro AUROC.
        excluded_reasons: ``'all normal'`` or ``'all anomalous'`` for each excluded video.
    """
    metrics: Dict[str, float]
    normalized: List[Dict[str, np.ndarray]]
    combined: List[np.ndarray]
    per_video_auroc: List[float]
    excluded: List[int] = field(default_factory=list)
    excluded_reasons: List[str] = field(default_factory=list)


def frame_metrics(scores: Sequence[np.ndarray], labels: Sequence[np.ndarray]) -> tuple:
    """Micro/macro AUROC, AUPRC and EER of one score per frame, grouped by video.

    Returns ``(metrics, macro)`` where ``macro`` is :func:`macro_auroc`'s dict.
    """
    macro = macro_auroc(scores, labels)
    valid = len(scores) - len(macro['excluded'])
    metrics = {
        'micro_auroc': micro_auroc(scores, labels),
        'macro_auroc': macro['auroc'],
        'auprc': average_precision(scores, labels),
        'eer': equal_error_rate(scores, labels),
        'macro_videos': valid,
        'macro_excluded_videos': len(macro['excluded']),
    }
    return metrics, macro


def _check_inputs(raw, labels, names) -> None:
    if len(raw) != len(labels):
        raise ValueError(f'{len(raw)} videos of scores but {len(labels)} of labels')
    if not raw:
        raise ValueError('no video to evaluate: the scores are empty')
    for i, (r, y) in enumerate(zip(raw, labels)):
        for n in names:
            if n not in r:
                raise KeyError(f'video {i} has no score {n!r}; it has {sorted(r)}')
            if np.shape(r[n]) != np.shape(y):
                raise ValueError(f'video {i}: score {n!r} has shape {np.shape(r[n])} but '
                                 f'its labels {np.shape(y)}')


def _single_class_reason(y: np.ndarray) -> str:
    if y.size == 0:
        return 'no scored frame'
    return 'all anomalous' if y.min() == 1 else 'all normal'


def evaluate_frame_scores(raw: Sequence[Mapping[str, np.ndarray]],
                          labels: Sequence[np.ndarray],
                          weights: Mapping[str, float],
                          normalizers: Union[Normalizer, Mapping[str, Normalizer]],
                          score_names: Optional[Sequence[str]] = None,
                          fusion: Optional[Fusion] = None) -> FrameEvaluation:
    """Rescale, fuse and evaluate the raw frame scores of a test set.

    Args:
        raw: One dict a video, ``{score name: raw scores (n_frames,)}``, scored frames only,
            in frame order.
        labels: One 0/1 array a video, aligned with ``raw``.
        weights: The alphas, ``{score name: weight}`` (Eq. 15). A single score with weight
            1 evaluates that score alone.
        normalizers: One callable for every score, or ``{score name: callable}`` (built
            normalizers, e.g. from :func:`vadkit.evaluation.build_score_normalizers`).
        score_names: Scores to rescale and report on their own (``<name>_micro_auroc``);
            default: every score of the first video.
        fusion: How a video's rescaled scores become one (a built
            ``SCORE_FUSIONS`` component); ``None``: the weighted sum (Eq. 15).

    Returns:
        A :class:`FrameEvaluation`; its ``metrics`` are what the metric logs.
    """
    if not weights:
        raise ValueError('weights are empty: give at least one score a weight, e.g. '
                         "{'vcr': 0.1, 'ffp': 0.8, 'prp': 1.0}")
    available = list(raw[0]) if raw else []
    names = list(score_names) if score_names is not None else available
    missing = [n for n in weights if n not in available]
    if missing:
        raise KeyError(f'weights name {missing} but the scores are {available}')
    needed = list(dict.fromkeys(list(names) + list(weights)))
    _check_inputs(raw, labels, needed)
    if callable(normalizers):
        normalizers = dict.fromkeys(needed, normalizers)
    lacking = [n for n in needed if n not in normalizers]
    if lacking:
        raise KeyError(f'no normalizer for score(s) {lacking}')

    normalized, combined = [], []
    for video in raw:
        norm = {n: np.asarray(normalizers[n](np.asarray(video[n], dtype=np.float64)),
                              dtype=np.float64) for n in needed}
        normalized.append(norm)
        combined.append(_fused(norm, weights, fusion))
    labels = [np.asarray(y).astype(np.int64) for y in labels]

    metrics, macro = frame_metrics(combined, labels)
    for n in names:
        metrics[f'{n}_micro_auroc'] = micro_auroc([v[n] for v in normalized], labels)
    metrics['scored_frames'] = int(sum(y.size for y in labels))
    metrics['anomalous_frames'] = int(sum(int(y.sum()) for y in labels))
    reasons = [_single_class_reason(labels[i]) for i in macro['excluded']]
    return FrameEvaluation(metrics=metrics, normalized=normalized, combined=combined,
                           per_video_auroc=list(macro['per_video']),
                           excluded=list(macro['excluded']), excluded_reasons=reasons)
