"""What detection gives: raw scores of an input, and a video's per-frame result and its
files (``scores.csv``, ``scores.json``, ``events.json``)."""
import csv
import json
import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, TextIO

import numpy as np

from .events import Event

__all__ = ['DetectionResult', 'RawScores', 'ScoreCsvWriter', 'full_column']


@dataclass
class RawScores:
    """Raw task scores of the scored frames of one input.

    Attributes:
        frame_idx: Index of each scored frame (window end), ascending.
        scores: Per score name, one raw score per scored frame.
        num_frames: Frames read from the input.
        heatmaps: Per scored frame, a uint8 error-magnitude map at model resolution
            (when asked for).
    """
    frame_idx: np.ndarray
    scores: Dict[str, np.ndarray]
    num_frames: int
    heatmaps: Optional[List[np.ndarray]] = None


@dataclass
class DetectionResult:
    """Per-frame scores and events of one video.

    Per-frame arrays have one entry per input frame; frames that end no window (the first
    ``window_length - 1``) hold NaN and are False in ``mask``.

    Attributes:
        name: Video name.
        source: Path, URL or ``<iterable>``.
        fps: Frame rate used for times in seconds.
        num_frames: Frames read.
        window_length: Frames per scored window (T + 1).
        mode: ``offline`` or ``causal``.
        normalization: How task scores were rescaled before fusion.
        score_weights: Weights of the fusion.
        raw: Raw score of each task (and extra measure) per frame.
        normalized: Rescaled score of each task per frame.
        scores: Combined (fused) anomaly score per frame.
        mask: True where the frame has a score.
        threshold: Threshold of the events (``None``: no calibration and none given).
        threshold_source: Where the threshold came from.
        events: Runs of frames scored above the threshold.
        heatmaps: Per frame, a uint8 error map or ``None`` (when asked for).
        header_frames: Frames the video file's header declares (``None``: not a video
            file, or no count); ``num_frames`` below it means a truncated or corrupt file.
    """
    name: str
    source: str
    fps: float
    num_frames: int
    window_length: int
    mode: str
    normalization: str
    score_weights: Dict[str, float]
    raw: Dict[str, np.ndarray]
    normalized: Dict[str, np.ndarray]
    scores: np.ndarray
    mask: np.ndarray
    threshold: Optional[float]
    threshold_source: str
    events: List[Event]
    heatmaps: Optional[List[Optional[np.ndarray]]] = field(default=None, repr=False)
    header_frames: Optional[int] = None

    @property
    def frames_short(self) -> int:
        """Frames the header declares beyond those that decoded (0 when unknown)."""
        return max(0, self.header_frames - self.num_frames) if self.header_frames else 0

    @property
    def score_names(self) -> List[str]:
        return list(self.raw)

    @property
    def times(self) -> np.ndarray:
        """Time of each frame in seconds."""
        return np.arange(self.num_frames) / self.fps

    @property
    def anomalous(self) -> np.ndarray:
        """Per frame: scored and above the threshold."""
        if self.threshold is None:
            return np.zeros(self.num_frames, dtype=bool)
        with np.errstate(invalid='ignore'):
            return self.mask & (self.scores > self.threshold)

    def summary(self) -> dict:
        scored = self.scores[self.mask]
        return dict(name=self.name, source=self.source, fps=self.fps,
                    num_frames=self.num_frames, decoded_frames=self.num_frames,
                    header_frames=self.header_frames, frames_short=self.frames_short,
                    scored_frames=int(self.mask.sum()),
                    mode=self.mode, threshold=self.threshold,
                    threshold_source=self.threshold_source,
                    max_score=float(np.max(scored)) if scored.size else None,
                    num_events=len(self.events),
                    anomalous_frames=int(self.anomalous.sum()))

    def events_dict(self) -> dict:
        return dict(video=self.name, source=self.source, fps=self.fps, mode=self.mode,
                    threshold=self.threshold, threshold_source=self.threshold_source,
                    events=[e.to_dict() for e in self.events])

    def to_dict(self) -> dict:
        """Everything but the heat maps, JSON-ready (NaN as ``null``)."""
        def col(a):
            return [None if not math.isfinite(x) else x for x in np.asarray(a).tolist()]
        return dict(**self.summary(), window_length=self.window_length,
                    normalization=self.normalization, score_weights=self.score_weights,
                    score_names=self.score_names, frame=list(range(self.num_frames)),
                    time=[round(t, 6) for t in self.times.tolist()],
                    scored=self.mask.tolist(), score=col(self.scores),
                    anomalous=self.anomalous.tolist(),
                    raw={n: col(v) for n, v in self.raw.items()},
                    normalized={n: col(v) for n, v in self.normalized.items()},
                    events=[e.to_dict() for e in self.events])

    def save_json(self, path: str) -> str:
        with open(path, 'w') as f:
            json.dump(self.to_dict(), f)
        return path

    def save_events(self, path: str) -> str:
        with open(path, 'w') as f:
            json.dump(self.events_dict(), f, indent=1)
        return path

    def save_csv(self, path: str) -> str:
        """One row a frame: frame, time, scored, raw_<name>..., normalized_<name>...,
        score, anomalous (empty cells for unscored frames)."""
        anomalous = self.anomalous
        with open(path, 'w', newline='') as f:
            w = ScoreCsvWriter(f, self.score_names)
            for i in range(self.num_frames):
                w.row(i, i / self.fps, bool(self.mask[i]),
                      {n: self.raw[n][i] for n in self.score_names},
                      {n: self.normalized[n][i] for n in self.score_names},
                      self.scores[i], bool(anomalous[i]))
        return path


class ScoreCsvWriter:
    """Writes the rows of ``scores.csv`` (a whole result's, or a stream's as they come)."""

    def __init__(self, f: TextIO, names: Sequence[str]) -> None:
        self.names = list(names)
        self.writer = csv.writer(f)
        self.writer.writerow(['frame', 'time', 'scored'] + [f'raw_{n}' for n in self.names]
                             + [f'normalized_{n}' for n in self.names] + ['score', 'anomalous'])

    def row(self, frame: int, time: float, scored: bool, raw: Dict[str, float],
            normalized: Dict[str, float], score: float, anomalous: bool) -> None:
        self.writer.writerow([frame, f'{time:.6f}', int(scored)]
                             + [_fmt(raw[n]) for n in self.names]
                             + [_fmt(normalized[n]) for n in self.names]
                             + [_fmt(score), int(anomalous)])


def _fmt(x: float) -> str:
    return '' if not math.isfinite(x) else f'{x:.9g}'


def full_column(num_frames: int, frame_idx: np.ndarray, values) -> np.ndarray:
    """One value a frame: ``values`` at ``frame_idx``, NaN elsewhere."""
    out = np.full(num_frames, np.nan, dtype=np.float64)
    out[frame_idx] = values
    return out
