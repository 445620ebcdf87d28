"""Everything the HTML report shows, as one JSON-ready dict.

The page's script draws from this dict alone: the run summary, each video's curves (frame
indices, labels, fused and per-task normalised scores, rounded to keep the file small), the
per-video and per-event tables, and the embedded thumbnails (with error heat maps when the
run had a model at hand). A test run (:class:`~.run_files.TestRun`) and a detection run
(:class:`~.detect_run.DetectRun`) both give it: ``videos``, ``score_names``, ``settings``,
``metrics``, ``machine``, ``config_path``, ``run_dir`` and ``has_labels``; a detection run
also its own ``title``, ``intro``, ``checkpoint`` and ``summary_rows``.
"""
import os.path as osp
import re
import time
from typing import Dict, List, Optional

import numpy as np

from .frame_thumbnails import Thumbnails
from .run_files import TestRun
from .threshold_events import ScoreEvent, ThresholdChoice

DIGITS = 4  # decimals of the curves: well below what a plot shows, and small on disk
#: Colours of the scores without one in the PNG plots' ``TASK_COLORS`` (matplotlib's tab10).
SPARE_COLORS = ('#9467bd', '#17becf', '#8c564b', '#e377c2', '#bcbd22', '#7f7f7f')
TEST_INTRO = ('A self-contained report of a vadkit test run, built from its saved files. '
              'Hover a curve for the frame\'s scores; click it, or an event, for the frame.')


def task_colors(score_names: List[str]) -> Dict[str, str]:
    """Each score's curve colour: the PNG plots' colour of its task (vcr blue, ffp green,
    prp orange), so the page and the plots read alike; other scores get spare colours."""
    from matplotlib.colors import to_hex

    from vadkit.visualization.score_plots import TASK_COLORS
    out, spare = {}, list(SPARE_COLORS)
    for k, name in enumerate(score_names):
        color = TASK_COLORS.get(name.split('.')[0])
        out[name] = to_hex(color) if color else spare[k % len(spare)]
    return out


def _rounded(values: np.ndarray) -> List[Optional[float]]:
    return [None if not np.isfinite(v) else round(float(v), DIGITS)
            for v in np.asarray(values, dtype=np.float64)]


def _auroc(labels: np.ndarray, scores: np.ndarray) -> Optional[float]:
    keep = np.isfinite(scores)
    y, s = labels[keep], scores[keep]
    if y.size == 0 or y.min() == y.max():
        return None
    from vadkit.evaluation.functional.auroc import roc_auc_score
    return float(roc_auc_score(y, s))


def config_details(config_path: Optional[str]) -> Dict[str, object]:
    """Config file name, checkpoint (``load_from``) and data root of the config copy."""
    out: Dict[str, object] = {'config': config_path and osp.basename(config_path)}
    if not config_path:
        return out
    try:
        with open(config_path) as f:
            text = f.read()
    except OSError:
        return out
    for key, name in (('load_from', 'checkpoint'), ('data_root', 'data_root')):
        m = re.search(rf"^{key}\s*=\s*'([^']*)'", text, re.M)
        if m:
            out[name] = m.group(1)
    m = re.search(r"layout=dict\([^)]*?root='([^']*)'", text, re.S)
    if m and 'data_root' not in out:
        out['data_root'] = m.group(1)
    last = osp.join(osp.dirname(config_path), 'last_checkpoint')
    if not out.get('checkpoint') and osp.isfile(last):  # tools/train.py --test
        with open(last) as f:
            out['checkpoint'] = (f'the model at the end of training (last checkpoint: '
                                 f'{f.read().strip()})')
    out['config_text'] = text if len(text) < 60000 else text[:60000] + '\n# ... (cut)'
    return out


def video_entry(video, events: List[ScoreEvent], score_names: List[str]) -> dict:
    """One video's curves and table row."""
    tasks = {n: _rounded(video.normalized[n]) for n in score_names if n in video.normalized}
    task_auroc = {n: _auroc(video.labels, video.normalized[n]) for n in tasks}
    return {
        'name': video.name,
        'frames': video.frames.tolist(),
        'labels': video.labels.astype(int).tolist(),
        'fused': _rounded(video.fused),
        'tasks': tasks,
        'num_frames': video.num_frames,
        'scored_frames': int(video.frames.size),
        'anomalous_frames': int(video.labels.sum()),
        'auroc': _auroc(video.labels, video.fused),
        'task_auroc': task_auroc,
        'events': len(events),
    }


def event_entry(video_name: str, k: int, e: ScoreEvent) -> dict:
    return {'video': video_name, 'id': k, 'start': e.start_frame, 'end': e.end_frame,
            'frames': e.num_frames, 'peak': e.peak_frame,
            'peak_score': round(e.peak_score, DIGITS), 'mean_score': round(e.mean_score, DIGITS),
            'anomalous_frames': e.anomalous_frames}


def build_report_data(run: TestRun, threshold: ThresholdChoice,
                      events: Dict[str, List[ScoreEvent]], thumbnails: Thumbnails,
                      event_settings: dict) -> dict:
    """The dict the page draws (see the module docstring)."""
    details = config_details(run.config_path)
    if getattr(run, 'checkpoint', None):
        details['checkpoint'] = run.checkpoint
    videos = [video_entry(v, events.get(v.name, []), run.score_names) for v in run.videos]
    event_rows = [event_entry(v.name, k, e) for v in run.videos
                  for k, e in enumerate(events.get(v.name, []))]
    total = sum(v['scored_frames'] for v in videos)
    anomalous = sum(v['anomalous_frames'] for v in videos)
    hits = sum(1 for e in event_rows if e['anomalous_frames'] > 0)
    score_names = [n for n in run.score_names if videos and n in videos[0]['tasks']]
    return {
        'kind': getattr(run, 'kind', 'test'),
        'title': getattr(run, 'title', None) or
        f'vadkit test report: {osp.basename(osp.normpath(run.run_dir))}',
        'intro': getattr(run, 'intro', None) or TEST_INTRO,
        'summary_rows': getattr(run, 'summary_rows', None),
        'generated': time.strftime('%Y-%m-%d %H:%M:%S %Z'),
        'run_dir': osp.abspath(run.run_dir),
        'config': details,
        'metrics': run.metrics,
        'machine': run.machine,
        'settings': run.settings,
        'score_names': score_names,
        'colors': task_colors(score_names),
        'has_labels': run.has_labels,
        'totals': {'videos': len(videos), 'scored_frames': total,
                   'anomalous_frames': anomalous, 'events': len(event_rows),
                   'events_with_anomalous_frames': hits},
        'threshold': {'value': threshold.value if np.isfinite(threshold.value) else None,
                      'rule': threshold.rule, **event_settings},
        'videos': videos,
        'events': event_rows,
        'thumbnails': {v: {str(f): uri for f, uri in frames.items()}
                       for v, frames in thumbnails.images.items()},
        'heatmaps': {v: {str(f): uri for f, uri in frames.items()}
                     for v, frames in thumbnails.heatmaps.items()},
        'thumbnail_note': thumbnails.note,
    }
