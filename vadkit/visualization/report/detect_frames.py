"""The frames and error heat maps a detection report embeds, as small JPEGs: a few frames
around each event's peak (around the top-scored frame of a video without events).

Offline, the inputs are files: once every video is scored, the highest peaks are chosen,
their videos read again, and the windows ending at the chosen frames scored again for their
heat maps (a few forward passes). A stream cannot be read again: :class:`StreamFrameKeeper`
keeps the last few frames as they pass and holds on to those around each event's peak, so
its memory is bounded by ``max_events``, not by the stream's length.
"""
import math
from collections import deque
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .frame_thumbnails import PEAK_OFFSETS, Thumbnails, encode_thumbnail, peak_frames

THUMB_WIDTH = 160  # pixels: a frame and its heat map side by side still fit a table row
HEAT_ALPHA = 0.6  # the annotated video's blend of the heat map over the frame


def small_frame(raw: np.ndarray, width: int = THUMB_WIDTH) -> np.ndarray:
    """``raw`` (grey or BGR) as BGR at most ``width`` pixels wide."""
    import cv2
    img = cv2.cvtColor(raw, cv2.COLOR_GRAY2BGR) if raw.ndim == 2 else raw
    h, w = img.shape[:2]
    if w > width:
        img = cv2.resize(img, (width, max(1, round(h * width / w))),
                         interpolation=cv2.INTER_AREA)
    return img


def encode_pair(image: np.ndarray, heat: Optional[np.ndarray],
                width: int = THUMB_WIDTH) -> Tuple[str, Optional[str]]:
    """Data URIs of a frame (from :func:`small_frame`) and of its heat map over it."""
    from vadkit.apis.visualization import overlay_heatmap
    frame = encode_thumbnail(image, width)
    if heat is None:
        return frame, None
    return frame, encode_thumbnail(overlay_heatmap(image, heat, HEAT_ALPHA), width)


def video_peaks(name: str, result) -> List[Tuple[str, int, float]]:
    """``(video, peak frame, peak score)`` of each event of a
    :class:`~vadkit.apis.DetectionResult`; without events, its top-scored frame."""
    if result.events:
        return [(name, e.peak_frame, e.peak_score) for e in result.events]
    scores = np.where(result.mask & np.isfinite(result.scores), result.scores, -np.inf)
    if not np.isfinite(scores).any():
        return []
    k = int(np.argmax(scores))
    return [(name, k, float(scores[k]))]


def frames_and_heatmaps(detector, location: str, wanted: Sequence[int]
                        ) -> Dict[int, Tuple[np.ndarray, Optional[np.ndarray]]]:
    """``{frame: (small BGR frame, heat map)}`` of the ``wanted`` frames of a video file or
    frame folder, read again; a frame that ends no window has no heat map."""
    from vadkit.apis.sources import open_source
    src = open_source(location)
    wanted_set, last = set(wanted), max(wanted)
    recent: deque = deque(maxlen=detector.window_length)
    frames, windows, ends = {}, [], []
    for i, raw in enumerate(src.frames(gray=detector.decoder.gray)):
        if i > last:
            break
        recent.append(detector.decoder.apply(raw))
        if i in wanted_set:
            frames[i] = small_frame(raw)
            if len(recent) == detector.window_length:
                windows.append(np.stack(recent))
                ends.append(i)
    heat: Dict[int, np.ndarray] = {}
    for k in range(0, len(windows), detector.batch_size):
        _, maps = detector.infer(windows[k:k + detector.batch_size], heatmaps=True)
        heat.update(zip(ends[k:k + detector.batch_size], maps))
    return {i: (img, heat.get(i)) for i, img in frames.items()}


def offline_thumbnails(detector, videos: Sequence[Tuple[str, str, object]],
                       max_events: int = 60) -> Thumbnails:
    """Thumbnails and heat maps around the ``max_events`` highest peaks of ``videos``,
    ``(name, file or folder, DetectionResult)`` each."""
    peaks = [p for name, _, result in videos for p in video_peaks(name, result)]
    if not peaks:
        return Thumbnails(note='no scored frame, so no frame is embedded')
    where = {name: location for name, location, _ in videos}
    out = Thumbnails()
    for name, frames in peak_frames(peaks, max_events).items():
        for f, (img, heat) in frames_and_heatmaps(detector, where[name], frames).items():
            out.images.setdefault(name, {})[f], uri = encode_pair(img, heat)
            if uri:
                out.heatmaps.setdefault(name, {})[f] = uri
    out.note = embedded_note(out, min(len(peaks), max_events), len(peaks))
    return out


def embedded_note(thumbs: Thumbnails, shown: int, peaks: int) -> str:
    heat = ' with their error heat maps' if thumbs.heatmaps else ''
    return (f'{thumbs.count} frames{heat} embedded around {shown} of {peaks} peaks (the '
            f'highest; events\' peaks, or a video\'s top score when it has no event; frames '
            f'{", ".join(map(str, PEAK_OFFSETS))} from each peak)')


class _Capture:
    """The frames kept around one peak."""

    def __init__(self, peak: int, score: float, recent) -> None:
        self.peak, self.score = peak, score
        self.frames = {f: (img, heat) for f, img, heat in recent
                       if f - peak in PEAK_OFFSETS}

    def add(self, frame: int, img, heat) -> None:
        if frame - self.peak in PEAK_OFFSETS:
            self.frames[frame] = (img, heat)


class StreamFrameKeeper:
    """Keeps a stream's frames around its events' peaks as they pass (see the module
    docstring); feed it every ``(raw frame, FrameScore)``, then :meth:`finish`."""

    def __init__(self, name: str, merge_gap: int, max_events: int = 60) -> None:
        self.name, self.merge_gap, self.max_events = name, merge_gap, max_events
        self.recent: deque = deque(maxlen=1 - min(PEAK_OFFSETS))
        self.kept: List[_Capture] = []      # closed events' peaks, the highest kept
        self.candidate: Optional[_Capture] = None  # the running event's highest frame
        self.best: Optional[_Capture] = None  # the stream's highest frame
        self.gap = 0
        self.events = 0

    def _collecting(self) -> List[_Capture]:
        caps = self.kept + [c for c in (self.candidate, self.best) if c is not None]
        return [c for c in caps if c.peak + max(PEAK_OFFSETS) >= self.recent[-1][0]]

    def add(self, raw: np.ndarray, fs) -> None:
        """One frame of the stream and its :class:`~vadkit.apis.streaming.FrameScore`."""
        self.recent.append((fs.frame, small_frame(raw), fs.heatmap))
        for cap in self._collecting():
            if cap.peak < fs.frame:
                cap.add(fs.frame, self.recent[-1][1], fs.heatmap)
        score = fs.score
        if math.isfinite(score) and (self.best is None or score > self.best.score):
            self.best = _Capture(fs.frame, score, self.recent)
        if fs.anomalous:
            self.gap = 0
            if self.candidate is None or score > self.candidate.score:
                self.candidate = _Capture(fs.frame, score, self.recent)
        self._close(fs.closed)
        if not fs.anomalous:
            self.gap += 1
            if self.gap > self.merge_gap:  # the run ended (an event, or too short for one)
                self.candidate = None

    def _close(self, events) -> None:
        for e in events:
            self.events += 1
            if self.candidate is not None and self.candidate.peak == e.peak_frame:
                self.kept.append(self.candidate)
                self.kept.sort(key=lambda c: -c.score)
                del self.kept[self.max_events:]
            self.candidate = None

    def finish(self, final_events=()) -> Thumbnails:
        """The kept frames (those of the events the stream's end closed too)."""
        self._close(final_events)
        caps = self.kept or ([self.best] if self.best is not None else [])
        out = Thumbnails()
        for cap in caps:
            for f, (img, heat) in sorted(cap.frames.items()):
                out.images.setdefault(self.name, {})[f], uri = encode_pair(img, heat)
                if uri:
                    out.heatmaps.setdefault(self.name, {})[f] = uri
        if not caps:
            out.note = 'no scored frame, so no frame is embedded'
        else:
            out.note = embedded_note(out, len(caps), max(self.events, len(caps)))
        return out
