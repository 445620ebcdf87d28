"""Score plots (PNG) and annotated videos (MP4) of detection results.

The plot draws the combined score over time, the threshold and the events (shaded). The
annotated video shows each frame with the model's error map overlaid (the per-pixel error
magnitude of future-frame prediction, else of clip reconstruction, ``jet`` colour map) and a
score strip below it: the curve, the threshold, the events and the current frame.
"""
import math
from collections import deque
from typing import Iterable, List, Optional, Sequence, Tuple

import cv2
import numpy as np

RED, WHITE, YELLOW = (40, 40, 230), (240, 240, 240), (0, 220, 255)  # BGR
PANEL_HEIGHT = 110
EVENT_COLOR = '#ff9f1c'  # the HTML report's event bars
#: Error magnitude (in [-1, 1] pixel units) shown at full colour in heat maps.
HEATMAP_FULL_SCALE = 0.5


def heatmap_of(error_map) -> np.ndarray:
    """uint8 heat maps ``(B, h, w)`` of error maps ``(B, h, w)`` (squared-error units, a
    tensor): the error magnitude (square root), :data:`HEATMAP_FULL_SCALE` at 255."""
    import torch
    mag = error_map.float().clamp_min(0).sqrt().div_(HEATMAP_FULL_SCALE).clamp_(0, 1)
    return mag.mul_(255).round().to(torch.uint8).cpu().numpy()


def plot_scores(result, path: str, labels: Optional[Sequence[int]] = None,
                title: Optional[str] = None) -> str:
    """Save a PNG of ``result``'s scores: the combined score with the threshold and the
    events shaded, and below it each task's score on its own 0-1 scale. ``labels`` (0/1 a
    frame, if known) are shaded red in both panels. The colours are those of the test
    plots and the HTML report: fused score black, each task its ``TASK_COLORS`` colour,
    events orange. The combined score's axis is
    :func:`~vadkit.apis.plot_scales.robust_ylim`'s: values above it are marked, not drawn."""
    fig = scores_figure(result, labels, title)
    fig.savefig(path)
    return path


def scores_figure(result, labels: Optional[Sequence[int]] = None, title: Optional[str] = None):
    """The figure of :func:`plot_scores` (a matplotlib ``Figure`` on an Agg canvas)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from vadkit.visualization.score_plots import TASK_COLORS

    from .plot_scales import display_scaled, robust_ylim

    fig = Figure(figsize=(11, 5), dpi=100)
    FigureCanvasAgg(fig)
    ax, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw=dict(height_ratios=(2, 1)))
    t = result.times
    if labels is not None:
        for k, (s, e) in enumerate(_runs(np.asarray(labels).astype(bool))):
            for a in (ax, ax2):
                a.axvspan(s / result.fps, (e + 1) / result.fps, color='red', alpha=0.15,
                          lw=0, gid='ground_truth',
                          label='ground truth' if k == 0 and a is ax else None)
    bottom, top = robust_ylim(result.scores, result.threshold)
    ax.plot(t, result.scores, color='black', lw=1.2, label='anomaly score')
    with np.errstate(invalid='ignore'):
        above = result.scores > top
    if above.any():
        ax.plot(t[above], np.full(int(above.sum()), top), ls='none', marker='^', ms=3,
                color='black', clip_on=False,
                label=f'{int(above.sum())} frame(s) above the axis (max '
                f'{np.nanmax(result.scores):.3g})')
    if result.threshold is not None:
        ax.axhline(result.threshold, color='tab:red', ls='--', lw=1,
                   label=f'threshold {result.threshold:.3g}')
    for k, e in enumerate(result.events):
        ax.axvspan(e.start_time, e.end_time, color=EVENT_COLOR, alpha=0.3,
                   label='events' if k == 0 else None)
    ax.set_ylim(bottom, top)
    ax.set_ylabel('combined score')
    ax.set_title(title or f'{result.name}: {len(result.events)} event(s), {result.mode} mode')
    ax.legend(loc='upper left', fontsize=8)
    ax.grid(alpha=0.3)
    for n, v in result.normalized.items():
        w = result.score_weights.get(n)
        ax2.plot(t, display_scaled(v), lw=0.9, color=TASK_COLORS.get(n.split('.')[0]),
                 label=f'{n}' + (f' (x{w:g})' if w is not None else ''))
    ax2.set_ylim(-0.08, 1.08)
    ax2.set_ylabel('each task\n(1-99th pct. -> 0-1)', fontsize=8)
    ax2.set_xlabel('time (s)')
    ax2.legend(loc='upper left', fontsize=7, ncol=4)
    ax2.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _runs(mask: np.ndarray) -> List[Tuple[int, int]]:
    """Inclusive (start, end) runs of True."""
    runs, start = [], None
    for i, v in enumerate(np.asarray(mask, dtype=bool).tolist() + [False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            runs.append((start, i - 1))
            start = None
    return runs


def _display_size(h: int, w: int) -> Tuple[int, int]:
    """Frame size in the video: width between 320 and 960, even sides."""
    scale = min(max(w, 320), 960) / w
    return int(round(h * scale / 2)) * 2, int(round(w * scale / 2)) * 2


def overlay_heatmap(frame: np.ndarray, heat: Optional[np.ndarray], alpha: float = 0.6
                    ) -> np.ndarray:
    """Blend a jet-coloured ``heat`` (uint8, any size) over a BGR ``frame``, in proportion
    to the heat (low errors leave the frame as it is)."""
    if heat is None:
        return frame
    h, w = frame.shape[:2]
    heat = cv2.resize(heat, (w, h), interpolation=cv2.INTER_LINEAR)
    color = cv2.applyColorMap(heat, cv2.COLORMAP_JET).astype(np.float32)
    a = (heat.astype(np.float32) / 255.0 * alpha)[..., None]
    return (frame.astype(np.float32) * (1 - a) + color * a).astype(np.uint8)


def draw_panel(width: int, frames: np.ndarray, scores: np.ndarray, x_range: Tuple[int, int],
               y_range: Tuple[float, float], threshold: Optional[float],
               spans: Iterable[Tuple[int, int]], cursor: Optional[int] = None,
               height: int = PANEL_HEIGHT) -> np.ndarray:
    """A score strip: events shaded, curve, threshold line, cursor."""
    panel = np.full((height, width, 3), 25, np.uint8)
    x0, x1 = x_range
    lo, hi = y_range
    span_x = max(x1 - x0, 1)
    top, bottom = 22, height - 6

    def px(f):
        return np.round((np.asarray(f, dtype=np.float64) - x0) / span_x * (width - 1)).astype(
            np.int32)

    def py(v):
        v = np.clip((np.asarray(v, dtype=np.float64) - lo) / max(hi - lo, 1e-12), 0, 1)
        return np.round(bottom - v * (bottom - top)).astype(np.int32)

    shade = panel.copy()
    for s, e in spans:
        a, b = px([max(s, x0), min(e, x1)])
        cv2.rectangle(shade, (int(a), 0), (int(b), height - 1), RED, -1)
    panel = cv2.addWeighted(shade, 0.35, panel, 0.65, 0)
    if threshold is not None and math.isfinite(threshold):
        y = int(py(threshold))
        for xs in range(0, width, 12):
            cv2.line(panel, (xs, y), (min(xs + 6, width - 1), y), RED, 1)
    ok = np.isfinite(scores)
    if ok.any():
        xs, ys = px(frames), py(np.where(ok, scores, lo))
        # draw each run of scored frames as one polyline
        for s, e in _runs(ok):
            pts = np.stack([xs[s:e + 1], ys[s:e + 1]], 1).reshape(-1, 1, 2)
            cv2.polylines(panel, [pts], False, YELLOW, 1, cv2.LINE_AA)
    if cursor is not None:
        c = int(px(cursor))
        cv2.line(panel, (c, 18), (c, height - 1), WHITE, 1)
    return panel


def _mark(img: np.ndarray, anomalous: bool) -> np.ndarray:
    """Red border and label on an anomalous frame."""
    if anomalous:
        cv2.rectangle(img, (0, 0), (img.shape[1] - 1, img.shape[0] - 1), RED, 4)
        cv2.putText(img, 'ANOMALY', (8, img.shape[0] - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.6, RED,
                    2, cv2.LINE_AA)
    return img


def _caption(panel: np.ndarray, text: str) -> np.ndarray:
    """Frame number, time and score in the strip's header line."""
    cv2.putText(panel, text, (6, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.4, WHITE, 1, cv2.LINE_AA)
    return panel


def _to_bgr(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR) if frame.ndim == 2 else frame


class _Writer:
    def __init__(self, path: str, fps: float) -> None:
        self.path, self.fps, self.writer = path, fps, None

    def write(self, img: np.ndarray) -> None:
        if self.writer is None:
            h, w = img.shape[:2]
            self.writer = cv2.VideoWriter(self.path, cv2.VideoWriter_fourcc(*'mp4v'),
                                          float(self.fps), (w, h))
            if not self.writer.isOpened():
                raise OSError(f'cannot write {self.path}: OpenCV has no mp4v encoder here; '
                              'install opencv-python(-headless) built with FFmpeg')
        self.writer.write(img)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.release()


def write_annotated_video(result, source, path: str) -> str:
    """Write ``result``'s video with error maps and a score strip (offline: the whole
    curve, with a cursor). ``source`` is re-read, so it must be a file or frame folder;
    error maps need ``score_video(..., heatmaps=True)``."""
    from .sources import InputError, open_source
    src = open_source(source)
    if not src.rereadable:
        raise InputError('an annotated video re-reads its input: give a video file or a frame '
                         'folder, not a one-shot iterator or live source')
    scores = result.scores
    ok = np.isfinite(scores)
    lo = min(0.0, float(scores[ok].min())) if ok.any() else 0.0
    hi = float(scores[ok].max()) if ok.any() else 1.0
    if result.threshold is not None:
        hi = max(hi, result.threshold * 1.1 if result.threshold > 0 else result.threshold + 0.1)
    hi = hi if hi > lo else lo + 1.0
    frames = np.arange(result.num_frames)
    spans = [(e.start_frame, e.end_frame) for e in result.events]
    anomalous = result.anomalous
    writer = _Writer(path, result.fps)
    base_panel = None
    try:
        for i, raw in enumerate(src.frames(gray=False)):
            if i >= result.num_frames:
                break
            img = _to_bgr(raw)
            dh, dw = _display_size(*img.shape[:2])
            img = cv2.resize(img, (dw, dh), interpolation=cv2.INTER_LINEAR)
            heat = result.heatmaps[i] if result.heatmaps is not None else None
            img = overlay_heatmap(img, heat)
            s = scores[i]
            text = f'{result.name}  #{i}  {i / result.fps:.2f}s  ' + (
                f'score {s:.3g}' if math.isfinite(s) else 'no score yet')
            img = _mark(img, bool(anomalous[i]))
            if base_panel is None:
                base_panel = draw_panel(dw, frames, scores, (0, max(result.num_frames - 1, 1)),
                                        (lo, hi), result.threshold, spans)
            panel = base_panel.copy()
            c = int(round(i / max(result.num_frames - 1, 1) * (dw - 1)))
            cv2.line(panel, (c, 18), (c, panel.shape[0] - 1), WHITE, 1)
            writer.write(np.vstack([img, _caption(panel, text)]))
    finally:
        writer.close()
    return path


class StreamingVideoWriter:
    """Annotated video of a stream, written frame by frame: the score strip shows the last
    ``history`` frames (memory bounded by ``history``)."""

    def __init__(self, path: str, fps: float, threshold: Optional[float],
                 history: int = 300, name: str = '') -> None:
        self.writer = _Writer(path, fps)
        self.fps, self.threshold, self.name = fps, threshold, name
        self.frames: deque = deque(maxlen=history)
        self.scores: deque = deque(maxlen=history)
        self.spans: deque = deque(maxlen=32)
        self.open_start: Optional[int] = None
        self.path = path

    def write(self, raw: np.ndarray, fs) -> None:
        """Add raw frame ``raw`` with its :class:`~vadkit.apis.streaming.FrameScore`."""
        self.frames.append(fs.frame)
        self.scores.append(fs.score)
        for e in fs.closed:
            self.spans.append((e.start_frame, e.end_frame))
        if fs.anomalous and self.open_start is None:
            self.open_start = fs.frame
        if fs.closed:
            self.open_start = None
        img = _to_bgr(raw)
        dh, dw = _display_size(*img.shape[:2])
        img = cv2.resize(img, (dw, dh), interpolation=cv2.INTER_LINEAR)
        img = overlay_heatmap(img, fs.heatmap)
        text = f'{self.name}  #{fs.frame}  {fs.time:.2f}s  ' + (
            f'score {fs.score:.3g}' if math.isfinite(fs.score) else 'no score yet')
        img = _mark(img, fs.anomalous)
        scores = np.array(self.scores, dtype=np.float64)
        ok = np.isfinite(scores)
        lo = min(0.0, float(scores[ok].min())) if ok.any() else 0.0
        hi = float(scores[ok].max()) if ok.any() else 1.0
        if self.threshold is not None:
            hi = max(hi, self.threshold * 1.1 if self.threshold > 0 else self.threshold + 0.1)
        hi = hi if hi > lo else lo + 1.0
        x0 = max(self.frames[0], fs.frame - self.frames.maxlen + 1)
        spans = list(self.spans) + ([(self.open_start, fs.frame)] if self.open_start is not None
                                    else [])
        panel = draw_panel(dw, np.array(self.frames), scores, (x0, x0 + self.frames.maxlen - 1),
                           (lo, hi), self.threshold, spans, cursor=fs.frame)
        self.writer.write(np.vstack([img, _caption(panel, text)]))

    def close(self) -> None:
        self.writer.close()
