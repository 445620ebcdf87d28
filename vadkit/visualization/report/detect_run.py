"""A detection run (``tools/detect.py --report``) as the report's data.

Each video's :class:`~vadkit.apis.DetectionResult` (its scored frames, fused and per-task
scores, events) and ground truth (``--labels``) become the :class:`~.run_files.VideoScores`
and events a test run's saved files give, so the one renderer draws both; the summary says
what detection was run with instead of a test run's metrics.
"""
import json
import math
import os.path as osp
from dataclasses import dataclass, field
from html import escape
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .frame_thumbnails import Thumbnails
from .html_report import REPORT_NAME, save_page
from .report_data import build_report_data
from .run_files import VideoScores
from .threshold_events import ScoreEvent, ThresholdChoice

INTRO = ('A self-contained report of a vadkit detection run (tools/detect.py). Hover a curve '
         'for the frame\'s scores; click it, or an event, for the frame and its error heat map.')
MODE_WORDS = {'offline': 'offline (each video rescaled as a whole, as tools/test.py does)',
              'causal': 'causal (each frame rescaled with statistics known in advance)',
              'stream': 'streaming (frames scored as they arrive, causal rescaling)'}


@dataclass
class DetectedVideo:
    """One scored video of a detection run: its name in the output folder, where it was
    read from, its result and its ground truth (0/1 a frame, or ``None``)."""
    name: str
    location: str
    result: object
    labels: Optional[np.ndarray] = None


@dataclass
class DetectRun:
    """What the report of a detection run draws (the attributes of a test run's)."""
    run_dir: str
    videos: List[VideoScores]
    score_names: List[str]
    settings: dict
    summary_rows: List[Tuple[str, str]]
    checkpoint: Optional[str] = None
    config_path: Optional[str] = None
    machine: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    title: str = 'vadkit detection report'
    intro: str = INTRO
    kind: str = 'detect'
    has_labels: bool = False


def video_scores(video: DetectedVideo) -> VideoScores:
    """A result's scored frames as the report's per-video data."""
    r = video.result
    frames = np.flatnonzero(r.mask)
    labels = (np.asarray(video.labels)[frames].astype(np.int64) if video.labels is not None
              else np.zeros(frames.size, dtype=np.int64))
    return VideoScores(name=video.name, frames=frames, labels=labels, fused=r.scores[frames],
                       normalized={n: v[frames] for n, v in r.normalized.items()},
                       raw={n: v[frames] for n, v in r.raw.items()}, num_frames=r.num_frames)


def score_events(video: DetectedVideo) -> List[ScoreEvent]:
    """The detector's events of a video, with the labelled anomalous frames inside each."""
    y = video.labels
    return [ScoreEvent(e.start_frame, e.end_frame, e.peak_frame, float(e.peak_score),
                       float(e.mean_score),
                       int(np.sum(y[e.start_frame:e.end_frame + 1])) if y is not None else 0)
            for e in video.result.events]


def threshold_choice(threshold: Optional[float], source: str) -> ThresholdChoice:
    if threshold is None:
        return ThresholdChoice(math.inf, f'{source}: no events')
    return ThresholdChoice(float(threshold), 'given with --threshold' if source == 'fixed'
                           else f'from the {source}')


def _code(text) -> str:
    return f'<code>{escape(str(text))}</code>'


def summary_rows(videos: Sequence[DetectedVideo], config: Optional[str],
                 checkpoint: Optional[str], inputs: str, mode: str, labels: Optional[str],
                 out_dir: str) -> List[Tuple[str, str]]:
    """The summary's first rows: what was scored, with what, how."""
    first = videos[0].result if videos else None
    frames = sum(int(v.result.mask.sum()) for v in videos)
    rows = [('output folder', _code(osp.abspath(out_dir))),
            ('config', _code(config or 'not recorded')),
            ('checkpoint', _code(checkpoint or 'not recorded')),
            ('inputs', f'{_code(inputs)}: {len(videos)} video(s), {frames} scored frames'),
            ('mode', escape(MODE_WORDS.get(mode, mode)))]
    if first is not None:
        rows += [('rescaling', escape(first.normalization)),
                 ('score weights', _code(json.dumps(first.score_weights))),
                 ('window', f'{first.window_length} frames (the first '
                            f'{first.window_length - 1} of a video have no score)')]
    rows.append(('ground truth', _code(labels) + ' (shaded)' if labels else
                 'none given (pass --labels to shade it)'))
    return rows


def write_detect_report(out: str, videos: Sequence[DetectedVideo], thumbnails: Thumbnails,
                        *, threshold: Optional[float], threshold_source: str,
                        min_event_frames: int, merge_gap: int, mode: str, inputs: str,
                        config: Optional[str] = None, checkpoint: Optional[str] = None,
                        labels: Optional[str] = None) -> str:
    """Write the report of a detection run to ``out`` (a folder: ``out/report.html``);
    returns the file's path."""
    from vadkit.utils.machine import machine_info
    out_dir = out if osp.isdir(out) else osp.dirname(osp.abspath(out))
    scores = [video_scores(v) for v in videos]
    names = list(videos[0].result.score_names) if videos else []
    run = DetectRun(
        run_dir=out_dir, videos=scores, score_names=names,
        settings={'score_weights': videos[0].result.score_weights if videos else {}},
        summary_rows=summary_rows(videos, config, checkpoint, inputs, mode, labels, out_dir),
        checkpoint=checkpoint, config_path=config, machine=machine_info(),
        title=f'vadkit detection report: {osp.basename(osp.normpath(inputs))}',
        has_labels=any(v.labels is not None for v in videos))
    events = {v.name: score_events(v) for v in videos}
    data = build_report_data(run, threshold_choice(threshold, threshold_source), events,
                             thumbnails, {'min_event_frames': min_event_frames,
                                          'merge_gap': merge_gap})
    return save_page(data, osp.join(out, REPORT_NAME) if osp.isdir(out) else out)
