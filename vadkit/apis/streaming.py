"""Frame-by-frame detection on live sources with bounded memory and latency.

:class:`StreamingDetector` keeps the last ``window_length`` decoded frames in a deque, and
nothing that grows with the input: each new frame completes one window, which is scored
at once (batch of one), so a frame's score is known as soon as the frame is, and an event
is emitted ``merge_gap + 1`` frames after its last anomalous frame. Scores are rescaled
causally (:class:`~vadkit.apis.fusion.CausalFusion`) and events made by the same
:class:`~vadkit.apis.events.EventTracker` as offline scoring, so streaming a video file
gives the same events as ``AnomalyDetector(mode='causal').score_video`` on it. Windows are
scored by the detector's :class:`~vadkit.engine.WindowScorer`, as everywhere else.
:class:`StreamRecorder` keeps a stream's scores when a whole result is wanted at its end.
"""
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np

from .events import Event
from .results import DetectionResult, full_column
from .sources import FrameSource, InputError, check_fps, open_source


@dataclass
class FrameScore:
    """What streaming knows about one frame as soon as it arrives.

    Attributes:
        frame: Frame index from the start of the stream.
        time: ``frame / fps`` in seconds.
        wall_time: ``time.time()`` when the frame was scored.
        raw, normalized: Task scores (empty for the first ``window_length - 1`` frames).
        score: Combined score (NaN when unscored or during a running warm-up).
        anomalous: Score above the threshold.
        closed: Events that this frame closed.
        heatmap: uint8 error map at model resolution (when asked for).
    """
    frame: int
    time: float
    wall_time: float
    raw: Dict[str, float]
    normalized: Dict[str, float]
    score: float
    anomalous: bool
    closed: List[Event] = field(default_factory=list)
    heatmap: Optional[np.ndarray] = None


class StreamingDetector:
    """Scores a stream frame by frame and emits events as they close.

    Args:
        detector: The :class:`~vadkit.apis.AnomalyDetector` whose model, decode pipeline,
            calibration and event settings to use (its ``mode`` is ignored: streaming is
            causal).
        fps: Frame rate for event times (default: the source's, or 25).
        on_event: Called with each :class:`~vadkit.apis.Event` when it closes.
        heatmaps: Return an error map with each frame score.
        threshold: Override the detector's causal threshold.
    """

    def __init__(self, detector, fps: Optional[float] = None,
                 on_event: Optional[Callable[[Event], None]] = None, heatmaps: bool = False,
                 threshold: Optional[float] = None) -> None:
        self.detector = detector
        self.window_length = detector.window_length
        self.on_event = on_event
        self.heatmaps = heatmaps
        self.fusion = detector.causal_fusion()
        if threshold is None:
            threshold, self.threshold_source = detector.resolve_threshold('causal')
        else:
            self.threshold_source = 'fixed'
        if threshold is None:
            raise InputError('streaming emits events above a threshold, and there is none: '
                             'run tools/calibrate.py CONFIG CHECKPOINT (a calibration file '
                             'beside the checkpoint), or give a fixed threshold')
        self.threshold = float(threshold)
        self.fps = check_fps(fps)
        self.buffer: deque = deque(maxlen=self.window_length)
        self.reset(fps)

    def reset(self, fps: Optional[float] = None) -> None:
        """Start a new stream (clears the frame buffer, running statistics, open event)."""
        fps = check_fps(fps)
        if fps:
            self.fps = fps
        self.buffer.clear()
        self.fusion.reset()
        self.tracker = self.detector.new_tracker(self.fps or 25.0, self.threshold)
        self.frame_count = 0
        self._shape = None

    def _emit(self, event: Optional[Event], closed: List[Event]) -> None:
        if event is not None:
            closed.append(event)
            if self.on_event is not None:
                self.on_event(event)

    def push(self, frame: np.ndarray, decoded: bool = False) -> FrameScore:
        """Feed the next raw frame ((H, W) grey or (H, W, 3) BGR uint8); ``decoded=True``
        when it already went through the decode pipeline."""
        img = frame if decoded else self.detector.decoder.apply(frame)
        if self._shape is None:
            self._shape = img.shape
        elif img.shape != self._shape:
            raise InputError(f'frame {self.frame_count} decodes to {img.shape} but earlier '
                             f'frames to {self._shape}: add a Resize to the decode pipeline')
        i = self.frame_count
        self.frame_count += 1
        self.buffer.append(img)
        raw: Dict[str, float] = {}
        normalized: Dict[str, float] = {}
        score, heat = math.nan, None
        if len(self.buffer) == self.window_length:
            scores, heat_batch = self.detector.infer([np.stack(self.buffer)], self.heatmaps)
            raw = {n: v[0] for n, v in scores.items()}
            score, normalized = self.fusion.update(raw)
            heat = heat_batch[0] if heat_batch is not None else None
        closed: List[Event] = []
        self._emit(self.tracker.update(i, score), closed)
        fps = self.tracker.fps
        return FrameScore(frame=i, time=i / fps, wall_time=time.time(), raw=raw,
                          normalized=normalized, score=score,
                          anomalous=not math.isnan(score) and score > self.threshold,
                          closed=closed, heatmap=heat)

    def finish(self) -> List[Event]:
        """End of the stream: close the open event (returned and passed to ``on_event``)."""
        closed: List[Event] = []
        self._emit(self.tracker.finish(), closed)
        return closed

    def iter_frames(self, source, max_frames: Optional[int] = None,
                    fps: Optional[float] = None) -> Iterator[Tuple[np.ndarray, FrameScore]]:
        """``(raw frame, its score)`` of ``source`` (camera index, URL, file, frame folder,
        iterable or :class:`~vadkit.apis.sources.FrameSource`), frame by frame. The event
        still open at the end (or when the generator is closed) is passed to ``on_event``
        and kept in :attr:`final_events`."""
        src = open_source(source, fps=fps)
        self.reset(fps or self.fps or src.fps)
        self.final_events: List[Event] = []
        gray = self.detector.decoder.gray
        try:
            with self.detector.scorer.prepared():  # folded once for the whole stream
                for n, raw in enumerate(src.frames(gray=gray)):
                    if max_frames is not None and n >= max_frames:
                        break
                    yield raw, self.push(raw)
        finally:
            self.final_events = self.finish()
        if self.frame_count == 0:
            raise InputError(f'no frames could be read from {src.location}')

    def iter_scores(self, source, max_frames: Optional[int] = None,
                    fps: Optional[float] = None) -> Iterator[FrameScore]:
        """The scores of :meth:`iter_frames`, frame by frame."""
        for _, fs in self.iter_frames(source, max_frames, fps):
            yield fs

    def run(self, source, max_frames: Optional[int] = None,
            fps: Optional[float] = None) -> Iterator[Event]:
        """Generator of the events of ``source`` as they close."""
        for fs in self.iter_scores(source, max_frames, fps):
            yield from fs.closed
        yield from self.final_events


class StreamRecorder:
    """Keeps the scores of a stream's scored frames (memory grows with the stream) and
    makes its :class:`~vadkit.apis.DetectionResult` at the end (plots, summaries)."""

    def __init__(self, stream: StreamingDetector) -> None:
        self.stream = stream
        self.frames: List[int] = []
        self.raw: Dict[str, List[float]] = {}
        self.normalized: Dict[str, List[float]] = {}
        self.scores: List[float] = []
        self.events: List[Event] = []

    def add(self, fs: FrameScore) -> None:
        """Record one frame score (unscored frames are skipped) and the events it closed."""
        self.events.extend(fs.closed)
        if not fs.raw:
            return
        self.frames.append(fs.frame)
        for n, v in fs.raw.items():
            self.raw.setdefault(n, []).append(v)
            self.normalized.setdefault(n, []).append(fs.normalized.get(n, math.nan))
        self.scores.append(fs.score)

    def result(self, source: FrameSource, final_events: List[Event] = ()) -> DetectionResult:
        """The stream so far as a result; ``final_events``: those :meth:`finish` closed."""
        sd, det = self.stream, self.stream.detector
        n, idx = sd.frame_count, np.asarray(self.frames, dtype=np.int64)
        mask = np.zeros(n, dtype=bool)
        mask[idx] = True
        return DetectionResult(
            name=source.name, source=source.location, fps=sd.tracker.fps, num_frames=n,
            window_length=sd.window_length, mode='causal (stream)',
            normalization='causal: ' + sd.fusion.describe(),
            score_weights=dict(det.score_weights),
            raw={k: full_column(n, idx, v) for k, v in self.raw.items()},
            normalized={k: full_column(n, idx, v) for k, v in self.normalized.items()},
            scores=full_column(n, idx, self.scores), mask=mask, threshold=sd.threshold,
            threshold_source=sd.threshold_source, events=self.events + list(final_events),
            header_frames=source.header_frames if source.decoded_frames is not None else None)
