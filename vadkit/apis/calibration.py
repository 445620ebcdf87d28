"""Thresholds without test labels: calibrated on normal videos, stored beside the checkpoint.

A practitioner has normal footage of a site (the training videos) and no labelled
anomalies. Calibration scores some normal videos, ideally ones held out of training, and
records, for each scoring mode, the distribution of their combined scores; the threshold
is a chosen percentile of it (99 by default: about 1 % of normal frames flagged). It also
records each task's raw-score mean and standard deviation, the statistics of the causal
(streaming) normalizer.

The result is a small JSON file, by default ``<checkpoint>.calib.json``, which
:class:`~vadkit.apis.AnomalyDetector` picks up automatically. Its ``scores`` table has the
format of ``tools/analysis/fit_normal_stats.py``, so a config can also use it as
``ZScoreNormalizer(stats_file=...)``.

If the calibration videos were part of training, the model has fitted them, their scores
are lower than those of unseen normal footage, and the thresholds err towards false
alarms: hold videos out of training for a calibration that transfers (``--holdout-videos``
takes the last N training videos; train on the others).
"""
import datetime
import hashlib
import json
import os
import os.path as osp
import warnings
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np

from vadkit.evaluation.normalizers import compute_normal_stats

from .fusion import CausalFusion
from .sources import FrameSource, ImageFolderSource, InputError, VideoFileSource

FORMAT = 'vadkit.calibration/1'
#: Percentiles at which each mode's score distribution is stored (any other is interpolated).
PERCENTILE_GRID = np.concatenate([np.arange(0.0, 90.0, 1.0),
                                  np.round(np.arange(900, 1001) / 10.0, 1)])
MODES = ('offline', 'causal', 'running')


def calibration_path(checkpoint: str) -> str:
    """Where the calibration of ``checkpoint`` is stored by default."""
    return f'{checkpoint}.calib.json'


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Calibration:
    """Score statistics of normal videos for one model and config.

    Attributes:
        percentile: The default percentile of the thresholds.
        score_weights: The weights the combined scores were made with.
        stats: Per score name: mean, std, median, p1, p99, min, max of raw scores.
        modes: Per mode (``offline``, ``causal``, ``running``): ``threshold`` at
            ``percentile`` and ``quantiles`` on :data:`PERCENTILE_GRID` (``None`` when no
            frame was scored in that mode), plus how the mode normalizes.
        videos: The calibration videos (name, source, frames; for video files also
            ``header_frames`` and ``frames_short``, the header's frames that did not decode).
        num_frames: Scored frames pooled.
        checkpoint_sha256: Of the checkpoint file (empty for an ensemble's work dir).
        member_checkpoints, member_checkpoint_sha256: Of an ensemble, its members'
            checkpoints and their hashes: retraining the ensemble in its work dir changes
            them, not the work dir's path.
    """
    percentile: float
    score_weights: Dict[str, float]
    stats: Dict[str, Dict[str, float]]
    modes: Dict[str, dict]
    videos: List[dict] = field(default_factory=list)
    num_frames: int = 0
    config: str = ''
    checkpoint: str = ''
    checkpoint_sha256: str = ''
    member_checkpoints: List[str] = field(default_factory=list)
    member_checkpoint_sha256: List[str] = field(default_factory=list)
    created: str = ''
    format: str = FORMAT
    path: Optional[str] = None  # where it was loaded from (not saved)

    def threshold(self, mode: str, percentile: Optional[float] = None) -> float:
        """The threshold of ``mode`` at ``percentile`` (default: the calibrated one)."""
        if mode not in self.modes:
            raise KeyError(f'calibration {self.path or ""} has no {mode!r} mode '
                           f'(has {sorted(self.modes)}): recalibrate with tools/calibrate.py')
        entry = self.modes[mode]
        if entry.get('quantiles') is None:
            raise ValueError(f'calibration {self.path or ""} scored no frame in {mode!r} mode '
                             f'({entry.get("note", "")}); pass a fixed threshold instead')
        if percentile is None or float(percentile) == float(self.percentile):
            return float(entry['threshold'])
        if not 0.0 <= float(percentile) <= 100.0:
            raise ValueError(f'percentile must be in [0, 100], got {percentile}')
        return float(np.interp(float(percentile), PERCENTILE_GRID, entry['quantiles']))

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop('path')
        d['percentile_grid'] = PERCENTILE_GRID.tolist()
        # the normal-statistics table ZScoreNormalizer(stats_file=...) reads
        d['scores'] = d['stats']
        return d

    def save(self, path: str) -> str:
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        tmp = path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(self.to_dict(), f, indent=1)
        os.replace(tmp, path)
        self.path = path
        return path

    @classmethod
    def load(cls, path: str) -> 'Calibration':
        try:
            with open(path) as f:
                d = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            raise InputError(f'cannot read calibration {path}: {e}; rerun tools/calibrate.py') \
                from e
        if d.get('format') != FORMAT:
            raise InputError(f'{path} is not a vadkit calibration file ({FORMAT}); rerun '
                             'tools/calibrate.py')
        grid = d.pop('percentile_grid', None)
        if grid is not None and not np.allclose(grid, PERCENTILE_GRID):
            raise InputError(f'{path} was written by another vadkit version; rerun '
                             'tools/calibrate.py')
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known, path=path)

    def check(self, score_weights: Dict[str, float], checkpoint: Optional[str] = None,
              member_checkpoints: Optional[Sequence[str]] = None) -> None:
        """Refuse a calibration made with other weights; warn if made for another file, or,
        for an ensemble (``member_checkpoints``), for other checkpoints of its members."""
        mine = {k: float(v) for k, v in self.score_weights.items()}
        theirs = {k: float(v) for k, v in score_weights.items()}
        if mine != theirs:
            raise InputError(
                f'calibration {self.path} was made with score weights {mine} but the config '
                f'uses {theirs}: thresholds are not comparable; rerun tools/calibrate.py')
        recorded = bool(self.checkpoint_sha256 or self.member_checkpoint_sha256)
        if member_checkpoints:
            if recorded and [file_sha256(c) for c in member_checkpoints] != list(
                    self.member_checkpoint_sha256):
                warnings.warn(f'calibration {self.path} was made for other checkpoints of '
                              f'the ensemble\'s members ({self.checkpoint}); its thresholds '
                              f'may not fit {checkpoint} (members now: '
                              f'{", ".join(member_checkpoints)}): rerun tools/calibrate.py',
                              stacklevel=2)
        elif checkpoint and recorded and osp.isfile(checkpoint):
            if file_sha256(checkpoint) != self.checkpoint_sha256:
                warnings.warn(f'calibration {self.path} was made for another checkpoint '
                              f'({self.checkpoint}); its thresholds may not fit {checkpoint}: '
                              'rerun tools/calibrate.py', stacklevel=2)


def _quantiles(values: Sequence[np.ndarray], percentile: float, note: str) -> dict:
    pooled = np.concatenate([np.asarray(v, dtype=np.float64) for v in values]) if values \
        else np.zeros(0)
    pooled = pooled[np.isfinite(pooled)]
    if pooled.size == 0:
        return dict(threshold=None, quantiles=None, frames=0, note=note)
    return dict(threshold=float(np.percentile(pooled, percentile)),
                quantiles=np.percentile(pooled, PERCENTILE_GRID).tolist(),
                frames=int(pooled.size), note=note)


def calibrate(detector, sources: Sequence[FrameSource], percentile: float = 99.0,
              progress: bool = False) -> Calibration:
    """Score normal ``sources`` with ``detector`` and return their :class:`Calibration`.

    Args:
        detector: An :class:`~vadkit.apis.AnomalyDetector` (its calibration is ignored).
        sources: Normal videos.
        percentile: Default percentile of the thresholds.
        progress: Show a progress bar per video.
    """
    if not 0.0 < float(percentile) <= 100.0:
        raise ValueError(f'percentile must be in (0, 100], got {percentile}')
    if not sources:
        raise InputError('calibration needs at least one normal video')
    raws, videos = [], []
    for src in sources:
        raw = detector.raw_scores(src, progress=progress)
        raws.append(raw.scores)
        videos.append(dict(name=src.name, source=src.location, frames=raw.num_frames,
                           scored=len(raw.frame_idx), header_frames=src.header_frames,
                           frames_short=src.frames_short))
    names = list(raws[0])
    pooled = {n: np.concatenate([r[n] for r in raws]) for n in names}
    stats = compute_normal_stats(pooled)  # mean, population std, count, min, max
    for n, v in pooled.items():
        p1, med, p99 = np.percentile(v, [1.0, 50.0, 99.0])
        stats[n].update(median=float(med), p1=float(p1), p99=float(p99))
    weights = detector.score_weights
    offline = [detector.offline_fusion(r)[0] for r in raws]
    causal_fusion = CausalFusion(weights, 'calibration', stats)
    causal = [causal_fusion.run(r)[0] for r in raws]
    running_fusion = CausalFusion(weights, 'running', window=detector.running_window,
                                  warmup=detector.running_warmup)
    running = [running_fusion.run(r)[0] for r in raws]
    of = detector.offline
    modes = dict(
        offline=dict(_quantiles(offline, percentile, 'per-video normalizers of the test '
                                'evaluator'),
                     normalizers={n: of.normalizer_cfg_of(n) for n in weights}),
        causal=_quantiles(causal, percentile, causal_fusion.describe()),
        running=dict(_quantiles(running, percentile, running_fusion.describe()),
                     window=detector.running_window, warmup=detector.running_warmup),
    )
    ckpt = detector.checkpoint or ''
    members = list(getattr(detector, 'member_checkpoints', None) or [])  # of an ensemble
    return Calibration(
        percentile=float(percentile), score_weights=dict(weights), stats=stats, modes=modes,
        videos=videos, num_frames=int(sum(v['scored'] for v in videos)),
        config=detector.config_path or '', checkpoint=ckpt,
        checkpoint_sha256=file_sha256(ckpt) if ckpt and osp.isfile(ckpt) else '',
        member_checkpoints=members, member_checkpoint_sha256=[file_sha256(c) for c in members],
        created=datetime.datetime.now().isoformat(timespec='seconds'))


def holdout_sources(cfg, num_videos: Optional[int] = None) -> List[FrameSource]:
    """The last ``num_videos`` training videos of the config's train dataset layout (all of
    them when ``None``), read as the test dataset would read them."""
    from vadkit.registry import DATASET_LAYOUTS
    loader = cfg.get('train_dataloader') or {}
    layout_cfg = (loader.get('dataset') or {}).get('layout')
    if layout_cfg is None:
        raise InputError('the config has no train_dataloader.dataset.layout to take normal '
                         'calibration videos from: pass normal videos explicitly')
    records = DATASET_LAYOUTS.build(dict(layout_cfg)).load('train')
    if num_videos is not None:
        if num_videos < 1:
            raise ValueError(f'--holdout-videos must be >= 1, got {num_videos}')
        records = records[-num_videos:]
    sources: List[FrameSource] = []
    for r in records:
        if r.video_file:
            src: FrameSource = VideoFileSource(r.video_file)
            src.name = r.name
        else:
            src = ImageFolderSource(r.source, paths=r.frames, name=r.name)
        sources.append(src)
    return sources
