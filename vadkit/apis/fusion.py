"""Turning the raw per-task scores of a video into one anomaly score a frame.

Offline fusion is the test evaluator's (``FrameAUROCMetric``): each task's raw scores are
rescaled per video by the normalizers the config names, weighted and summed with
:func:`vadkit.evaluation.metrics.fuse_scores`. Rescaling per video (min-max, robust) needs
the whole video, so it cannot run on a live stream, and it stretches every video to the
same range, so a threshold on it finds the "most abnormal part" of even a normal video.

Causal fusion rescales each frame with statistics known before the frame arrives:

* ``calibration``: z-scores with the per-task mean and standard deviation of the raw scores
  of normal calibration videos (see :mod:`vadkit.apis.calibration`);
* ``running``: z-scores with the mean and standard deviation of the last ``window`` scores
  of the same input (adapts to slow drift, e.g. lighting; needs ``warmup`` frames first).

Both go through ``fuse_scores`` one frame at a time, so offline causal scoring and
streaming give identical numbers.
"""
from collections import deque
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from vadkit.evaluation.functional.scoring import fuse_scores
from vadkit.evaluation.fusions import build_score_fusion
from vadkit.evaluation.normalizers import after_averaging_config, normalizer_config
from vadkit.registry import METRICS, SCORE_NORMALIZERS

CAUSAL_NORMS = ('calibration', 'running')


def find_frame_metric_cfg(cfg) -> dict:
    """The ``FrameAUROCMetric`` entry of ``cfg.test_evaluator`` (a dict or a list)."""
    evaluators = cfg.get('test_evaluator')
    if evaluators is None:
        raise ValueError('the config has no test_evaluator: detection fuses task scores with '
                         "its FrameAUROCMetric's score_weights and normalizers; add "
                         "test_evaluator = dict(type='FrameAUROCMetric', score_weights=...)")
    items = evaluators if isinstance(evaluators, (list, tuple)) else [evaluators]
    for ev in items:
        if ev.get('type') in ('FrameAUROCMetric', 'vadkit.FrameAUROCMetric'):
            return dict(ev)
    raise ValueError('no FrameAUROCMetric in the config\'s test_evaluator (found '
                     f'{[ev.get("type") for ev in items]}): detection needs its score_weights '
                     'and normalizers')


class OfflineFusion:
    """The test evaluator's per-video normalizers and weights (needs whole videos).

    Built from the config's ``FrameAUROCMetric`` itself, so its defaults, per-score
    overrides and normalizer construction are the metric's.
    """

    def __init__(self, metric_cfg: dict) -> None:
        cfg = dict(metric_cfg)
        cfg.pop('output_dir', None)
        self.metric = METRICS.build(cfg)
        self.weights: Dict[str, float] = dict(self.metric.score_weights)
        self.normalizer_cfg = getattr(self.metric, 'normalizer_cfg', None)
        self.normalizer_cfgs = dict(getattr(self.metric, 'normalizer_cfgs', {}) or {})
        fusion_cfg = getattr(self.metric, 'fusion_cfg', None)
        self.fusion = None if fusion_cfg is None else build_score_fusion(fusion_cfg)

    def normalizer(self, name: str, averaged: bool = False):
        """The metric's normalizer of score ``name``; with ``averaged``, the part of it an
        ensemble applies again to its members' averaged scores (its rescalings)."""
        if averaged:
            return SCORE_NORMALIZERS.build(after_averaging_config(self.normalizer_cfg_of(name)))
        return self.metric.build_normalizer(name)

    def normalizer_cfg_of(self, name: str) -> dict:
        """The normalizer config of score ``name`` (its override, else the default)."""
        return dict(normalizer_config(name, self.normalizer_cfg, self.normalizer_cfgs))

    def check_names(self, names: Sequence[str]) -> None:
        missing = [n for n in self.weights if n not in names]
        if missing:
            raise KeyError(f'the test evaluator weights scores {missing} but the model '
                           f'produces {list(names)}: fix score_weights in the config')

    def __call__(self, raw: Dict[str, np.ndarray], averaged: bool = False
                 ) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
        """Combined scores and every score normalized, for one video's scored frames
        (``averaged``: an ensemble's averages of its members' normalized scores)."""
        self.check_names(list(raw))
        normalizers = {n: self.normalizer(n, averaged) for n in raw}
        fused = fuse_scores(raw, self.weights, normalizers, self.fusion)
        done = fused['normalized']  # the weighted scores, rescaled once for the fusion
        normalized = {n: done[n] if n in done else
                      np.asarray(normalizers[n](raw[n]), dtype=np.float64) for n in raw}
        return np.asarray(fused['combined'], dtype=np.float64), normalized


class RunningZScore:
    """Z-score against the last ``window`` values seen (the current one excluded); NaN
    until ``warmup`` values have been seen. Memory: ``window`` floats."""

    def __init__(self, window: int = 500, warmup: int = 50) -> None:
        if window < 2 or not 2 <= warmup <= window:
            raise ValueError(f'running normalizer needs window >= 2 and 2 <= warmup <= '
                             f'window, got window={window}, warmup={warmup}')
        self.window, self.warmup = int(window), int(warmup)
        self.history: deque = deque(maxlen=self.window)

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        out = np.empty(len(scores), dtype=np.float64)
        for i, x in enumerate(np.asarray(scores, dtype=np.float64).tolist()):
            if len(self.history) >= self.warmup:
                h = np.fromiter(self.history, dtype=np.float64, count=len(self.history))
                std = float(h.std())
                out[i] = (x - h.mean()) / std if std > 0 else x - h.mean()
            else:
                out[i] = np.nan
            self.history.append(x)
        return out


class CausalFusion:
    """Per-frame fusion with causal normalizers (state: the running windows, if any).

    Args:
        weights: Score weights (the test evaluator's).
        kind: ``'calibration'`` or ``'running'``.
        stats: ``{score name: {'mean': m, 'std': s}}`` from calibration (``calibration``).
        window, warmup: Of the running normalizer (``running``).
    """

    def __init__(self, weights: Dict[str, float], kind: str = 'calibration',
                 stats: Optional[Dict[str, dict]] = None, window: int = 500,
                 warmup: int = 50) -> None:
        if kind not in CAUSAL_NORMS:
            raise ValueError(f'causal normalizer must be one of {CAUSAL_NORMS}, got {kind!r}')
        self.weights, self.kind = dict(weights), kind
        self.stats, self.window, self.warmup = stats, window, warmup
        if kind == 'calibration':
            if not stats:
                raise ValueError('causal scoring with calibration statistics needs a '
                                 'calibration file: run tools/calibrate.py CONFIG CHECKPOINT, '
                                 "or use the running normalizer (causal_norm='running')")
            missing = [n for n in weights if n not in stats]
            if missing:
                raise KeyError(f'the calibration has no statistics for scores {missing}: '
                               'recalibrate with this config')
        self.reset()

    def reset(self) -> None:
        """Forget the running history (start of a new input)."""
        if self.kind == 'calibration':
            self.normalizers = {
                n: SCORE_NORMALIZERS.build(dict(type='ZScoreNormalizer', mean=s['mean'],
                                                std=s['std']))
                for n, s in self.stats.items()}
        else:
            self.normalizers = {}

    def _normalizer(self, name: str):
        if name not in self.normalizers:
            if self.kind == 'calibration':
                return None  # an unweighted score without statistics: not normalized
            self.normalizers[name] = RunningZScore(self.window, self.warmup)
        return self.normalizers[name]

    def update(self, raw: Dict[str, float]) -> Tuple[float, Dict[str, float]]:
        """Combined score and normalized scores of one frame."""
        missing = [n for n in self.weights if n not in raw]
        if missing:
            raise KeyError(f'the weights name scores {missing} but the model produces '
                           f'{list(raw)}')
        arrays = {n: np.array([v], dtype=np.float64) for n, v in raw.items()}
        norms = {n: self._normalizer(n) for n in raw}
        fused = fuse_scores(arrays, self.weights,
                            {n: norms[n] for n in self.weights})
        normalized = {n: float(fused['normalized'][n][0]) if n in self.weights else
                      (float(norms[n](arrays[n])[0]) if norms[n] is not None else float('nan'))
                      for n in raw}
        return float(fused['combined'][0]), normalized

    def run(self, raw: Dict[str, np.ndarray]) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
        """:meth:`update` over a whole sequence (from a fresh state), as arrays."""
        self.reset()
        names = list(raw)
        n = len(raw[names[0]]) if names else 0
        combined = np.empty(n, dtype=np.float64)
        normalized = {k: np.empty(n, dtype=np.float64) for k in names}
        for i in range(n):
            c, norm = self.update({k: float(raw[k][i]) for k in names})
            combined[i] = c
            for k in names:
                normalized[k][i] = norm[k]
        return combined, normalized

    def describe(self) -> str:
        if self.kind == 'calibration':
            return 'z-score with the mean/std of normal calibration videos'
        return f'z-score with the last {self.window} scores (warm-up {self.warmup} frames)'

