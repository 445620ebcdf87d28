"""Grid search of the fusion weights (alphas, paper Eq. 15), honest or not.

The paper picks its alphas by a grid search scored on the test labels, so its numbers are
optimistic: the test set chooses the weights it is then scored with. :func:`holdout_search`
offers the honest variant: choose on some test videos, report on the others.

The fused score here is :func:`~vadkit.evaluation.functional.scoring.weighted_sum`, as in
:func:`~vadkit.evaluation.functional.evaluate_frame_scores`, so the AUROC of a grid point
equals what ``rescore.py --weights`` reports for it.
"""
import itertools
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

import numpy as np

from .functional.auroc import roc_auc_score
from .functional.scoring import weighted_sum


def parse_grid(text: str) -> List[float]:
    """``'0,0.1,...,1'`` (start, step from the first two, end after ``...``) or a plain list
    ``'0,0.5,1'`` -> values rounded to 10 decimals."""
    parts = [p.strip() for p in text.split(',') if p.strip()]
    if '...' in parts:
        i = parts.index('...')
        if i < 2 or i != len(parts) - 2:
            raise ValueError(f'grid {text!r}: write A,B,...,END (step B - A), e.g. 0,0.1,...,1')
        head, end = [float(p) for p in parts[:i]], float(parts[-1])
        step = head[1] - head[0]
        if step <= 0 or end < head[0]:
            raise ValueError(f'grid {text!r}: the step and the range must be positive')
        n = int(np.floor((end - head[0]) / step + 1e-9)) + 1
        values = [head[0] + k * step for k in range(n)]
    else:
        values = [float(p) for p in parts]
    values = sorted({round(v, 10) for v in values})
    if not values or min(values) < 0:
        raise ValueError(f'grid {text!r}: weights must be >= 0')
    return values


@dataclass
class GridResult:
    """One grid point: ``weights`` and the micro AUROC of the fused score."""
    weights: Dict[str, float]
    auroc: float
    equivalents: int = 1  # grid points that are positive multiples of these weights


def _scale_key(w: Tuple[float, ...]) -> Tuple[float, ...]:
    m = max(w)
    return tuple(round(x / m, 9) for x in w)


def weight_classes(names: Sequence[str], grid: Sequence[float]
                   ) -> List[Tuple[Dict[str, float], int]]:
    """The distinct weightings of ``grid`` over ``names`` up to a positive scale, in grid
    order: ``(weights, grid points in the class)``. Each class is represented by its member
    with the largest weights; all-zero weights are skipped."""
    classes: Dict[tuple, list] = {}
    for w in itertools.product(grid, repeat=len(names)):
        if max(w) <= 0:
            continue
        key = _scale_key(w)
        if key in classes:
            entry = classes[key]
            entry[2] += 1
            if max(w) > max(entry[1]):
                entry[1] = w
        else:
            classes[key] = [len(classes), w, 1]
    return [(dict(zip(names, (float(x) for x in w))), count)
            for _, w, count in sorted(classes.values())]


def grid_search(normalized: Sequence[Dict[str, np.ndarray]], labels: Sequence[np.ndarray],
                names: Sequence[str], grid: Sequence[float]) -> List[GridResult]:
    """Micro AUROC of every weight combination of ``grid`` over ``names``, best first.

    ``normalized`` holds each video's rescaled scores (``FrameEvaluation.normalized``).
    Combinations that are positive multiples of each other rank frames identically, so
    each class is scored once, represented by its member with the largest weights (e.g.
    (0.1, 0.8, 1) for (0.05, 0.4, 0.5)); all-zero weights are skipped. Ties keep grid order.
    """
    cols = {n: np.concatenate([v[n] for v in normalized]) for n in names}
    y = np.concatenate([np.asarray(lab) for lab in labels]).astype(np.int64)
    if np.unique(y).size < 2:
        raise ValueError('the alpha search needs both normal and anomalous frames')
    results = []
    for order, (weights, count) in enumerate(weight_classes(names, grid)):
        score = weighted_sum(cols, weights)  # exactly as evaluate_frame_scores fuses
        results.append((order, GridResult(weights, float(roc_auc_score(y, score)), count)))
    results.sort(key=lambda r: (-r[1].auroc, r[0]))
    return [r for _, r in results]


def find_weights(results: Sequence[GridResult], weights: Dict[str, float]):
    """The result (and its 0-based rank) of ``weights`` or a positive multiple of them;
    ``(None, None)`` if the grid does not hold them."""
    names = list(results[0].weights) if results else []
    if set(weights) != set(names) or max(weights.values()) <= 0:
        return None, None
    key = _scale_key(tuple(weights[n] for n in names))
    for rank, r in enumerate(results):
        if _scale_key(tuple(r.weights[n] for n in names)) == key:
            return r, rank
    return None, None


def split_videos(labels: Sequence[np.ndarray], holdout_fraction: float,
                 seed: int) -> Tuple[List[int], List[int]]:
    """Random split of videos into (choose, report) positions, stratified by whether a
    video holds anomalies, so both halves have both classes where possible."""
    if not 0 < holdout_fraction < 1:
        raise ValueError(f'--holdout-fraction must be in (0, 1), got {holdout_fraction}')
    rng = np.random.default_rng(seed)
    choose, report = [], []
    anomalous = [i for i, y in enumerate(labels) if np.asarray(y).any()]
    normal = [i for i, y in enumerate(labels) if not np.asarray(y).any()]
    for group in (anomalous, normal):
        group = list(rng.permutation(group))
        k = int(round(holdout_fraction * len(group)))
        if len(group) >= 2:
            k = min(max(k, 1), len(group) - 1)
        report += [int(i) for i in group[:k]]
        choose += [int(i) for i in group[k:]]
    for side, idx in (('choosing', choose), ('reporting', report)):
        y = np.concatenate([np.asarray(labels[i]) for i in idx]) if idx else np.array([])
        if np.unique(y).size < 2:
            raise ValueError(f'the {side} videos of split seed {seed} lack normal or '
                             f'anomalous frames ({len(anomalous)} test videos hold '
                             'anomalies); change --holdout-fraction')
    return sorted(choose), sorted(report)


@dataclass
class HoldoutResult:
    """Alphas chosen on ``choose`` videos and scored on the held-out ``report`` videos."""
    seed: int
    choose: List[int]
    report: List[int]
    chosen: GridResult         # best on the choosing videos (its AUROC on them)
    heldout_auroc: float       # the chosen weights on the held-out videos: honest
    oracle: GridResult         # best on the held-out videos themselves: optimistic


def holdout_search(normalized, labels, names, grid, holdout_fraction: float,
                   seed: int) -> HoldoutResult:
    """Choose alphas on part of the test videos, report micro AUROC on the rest."""
    choose, report = split_videos(labels, holdout_fraction, seed)
    pick = lambda xs, idx: [xs[i] for i in idx]  # noqa: E731
    chosen = grid_search(pick(normalized, choose), pick(labels, choose), names, grid)[0]
    on_report = grid_search(pick(normalized, report), pick(labels, report), names, grid)
    held, _ = find_weights(on_report, chosen.weights)
    return HoldoutResult(seed, choose, report, chosen, held.auroc, on_report[0])
