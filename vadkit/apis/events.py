"""Anomalous events: runs of frames whose combined score is above the threshold.

One causal state machine (:class:`EventTracker`) makes events from scores frame by frame;
offline scoring feeds it a whole video and streaming feeds it live, so both give the same
events for the same scores. An event closes once the score has stayed at or below the
threshold for more than ``max_gap`` frames (or the input ends), so it is reported at most
``max_gap + 1`` frames after its last anomalous frame.
"""
import math
from dataclasses import asdict, dataclass
from typing import List, Optional, Sequence

import numpy as np


def check_event_settings(threshold: Optional[float], min_event_frames: int,
                         merge_gap: int) -> None:
    """The detector's event settings in its own argument names: a finite threshold (or
    none), ``min_event_frames`` a whole number >= 1, ``merge_gap`` a whole number >= 0."""
    from .sources import InputError
    if threshold is not None and not math.isfinite(float(threshold)):
        raise InputError(f'threshold must be a finite number, got {threshold!r}')
    for name, value, low in (('min_event_frames', min_event_frames, 1),
                             ('merge_gap', merge_gap, 0)):
        if isinstance(value, bool) or int(value) != value or value < low:
            raise InputError(f'{name} must be a whole number >= {low} (frames), got {value!r}')


@dataclass
class Event:
    """A run of anomalous frames (0-based frame indices, inclusive).

    Times are in seconds from the start of the input: ``start_time`` is when the first
    anomalous frame is shown, ``end_time`` when the last one ends (``(end_frame + 1) / fps``).
    """
    start_frame: int
    end_frame: int
    peak_frame: int
    peak_score: float
    mean_score: float
    fps: float

    @property
    def num_frames(self) -> int:
        return self.end_frame - self.start_frame + 1

    @property
    def start_time(self) -> float:
        return self.start_frame / self.fps

    @property
    def end_time(self) -> float:
        return (self.end_frame + 1) / self.fps

    @property
    def peak_time(self) -> float:
        return self.peak_frame / self.fps

    def overlaps(self, start_frame: int, end_frame: int) -> bool:
        """Whether the event shares a frame with ``[start_frame, end_frame]``."""
        return self.start_frame <= end_frame and start_frame <= self.end_frame

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(num_frames=self.num_frames, start_time=round(self.start_time, 6),
                 end_time=round(self.end_time, 6), peak_time=round(self.peak_time, 6))
        return d


class EventTracker:
    """Turns a stream of per-frame scores into events as they close.

    Args:
        threshold: A frame is anomalous when its score is strictly above this.
        fps: Frames per second, for event times.
        min_frames: Events shorter than this are dropped (debounces single-frame spikes).
        max_gap: Runs separated by at most this many normal frames are merged.
    """

    def __init__(self, threshold: float, fps: float, min_frames: int = 1,
                 max_gap: int = 0) -> None:
        if min_frames < 1 or max_gap < 0:
            raise ValueError(f'min_frames must be >= 1 and max_gap >= 0, got {min_frames}, '
                             f'{max_gap}')
        self.threshold = float(threshold)
        self.fps = float(fps)
        self.min_frames = int(min_frames)
        self.max_gap = int(max_gap)
        self._start: Optional[int] = None
        self._end = self._peak_frame = 0
        self._peak = -math.inf
        self._sum = 0.0
        self._count = 0
        self._gap = 0

    @property
    def active(self) -> bool:
        """Whether an event is open (its last anomalous frame may still be extended)."""
        return self._start is not None

    def _close(self) -> Optional[Event]:
        event = None
        if self._start is not None and self._end - self._start + 1 >= self.min_frames:
            event = Event(self._start, self._end, self._peak_frame, float(self._peak),
                          self._sum / max(self._count, 1), self.fps)
        self._start = None
        return event

    def update(self, frame: int, score: float) -> Optional[Event]:
        """Feed the score of ``frame`` (NaN for an unscored frame, which is normal);
        return the event this frame closes, if any."""
        anomalous = score is not None and not math.isnan(score) and score > self.threshold
        if anomalous:
            if self._start is None:
                self._start, self._peak, self._sum, self._count = frame, -math.inf, 0.0, 0
            self._end, self._gap = frame, 0
            self._sum += score
            self._count += 1
            if score > self._peak:
                self._peak, self._peak_frame = score, frame
            return None
        if self._start is None:
            return None
        self._gap += 1
        return self._close() if self._gap > self.max_gap else None

    def finish(self) -> Optional[Event]:
        """End of input: close the open event, if any."""
        return self._close()


def extract_events(scores: Sequence[float], threshold: float, fps: float, min_frames: int = 1,
                   max_gap: int = 0) -> List[Event]:
    """All events of one video's per-frame scores (NaN = unscored)."""
    tracker = EventTracker(threshold, fps, min_frames, max_gap)
    events = [e for i, s in enumerate(np.asarray(scores, dtype=np.float64).tolist())
              if (e := tracker.update(i, s)) is not None]
    last = tracker.finish()
    return events + ([last] if last is not None else [])
