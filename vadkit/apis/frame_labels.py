"""Ground truth of a video being scored, for plots: per-frame 0/1 labels or intervals.

Accepted files (``tools/detect.py --labels``):

- ``.npy``: one 0/1 value a frame;
- ``.csv``/``.txt``: one 0/1 value a frame (one a line, or all on one line), or anomalous
  intervals ``start,end`` a row (the interval files of dataset layouts, with their
  ``# interval_end:`` / ``# index_base:`` comments; default 0-based, end inclusive);
- ``.json``: intervals, ``[[start, end], ...]`` or ``{"anomalies": [...], ...}``.

A folder holds one such file a video, named after it (``<video>.npy``, ``<video>.csv``, ...).
"""
import os.path as osp
import re
from typing import List, Optional

import numpy as np

from .sources import InputError

LABEL_EXTENSIONS = ('.npy', '.csv', '.txt', '.json')


def find_label_file(labels: str, video: str) -> Optional[str]:
    """The label file of ``video``: ``labels`` itself if it is a file, else
    ``labels/<video>.<ext>`` (``None`` if the folder has none)."""
    if osp.isfile(labels):
        return labels
    if not osp.isdir(labels):
        raise InputError(f'--labels {labels}: no such file or folder')
    for ext in LABEL_EXTENSIONS:
        path = osp.join(labels, video + ext)
        if osp.isfile(path):
            return path
    return None


def _per_frame_rows(path: str) -> Optional[List[str]]:
    """The values of a CSV/TXT file of one 0/1 value a frame, else ``None`` (intervals)."""
    with open(path) as f:
        rows = [[c for c in re.split(r'[,;\s]+', line.split('#', 1)[0]) if c] for line in f]
    rows = [r for r in rows if r]
    if rows and not all(c.lstrip('+-').isdigit() for c in rows[0]):
        rows = rows[1:]  # a header row
    if len(rows) == 1 and len(rows[0]) != 2:
        return rows[0]
    if rows and all(len(r) == 1 for r in rows):
        return [r[0] for r in rows]
    return None


def read_frame_labels(path: str, num_frames: int, video: str = '') -> np.ndarray:
    """0/1 labels (uint8) of the ``num_frames`` frames of ``video`` from ``path`` (see the
    module docstring for the formats)."""
    ext = osp.splitext(path)[1].lower()
    if ext not in LABEL_EXTENSIONS:
        raise InputError(f'--labels {path}: unknown label file type {ext or "(none)"!r}; give '
                         'a .npy or .csv/.txt of one 0/1 value a frame, or a .csv/.txt/.json '
                         'of start,end intervals')
    if ext != '.json':
        if ext == '.npy':
            try:
                values = np.load(path, allow_pickle=False)
            except (OSError, ValueError) as e:
                raise InputError(f'--labels {path}: not a readable .npy file ({e})') from e
        else:
            values = _per_frame_rows(path)
        if values is not None:
            return _check_per_frame(np.asarray(values).reshape(-1), path, num_frames, video)
    from vadkit.datasets.layouts.interval_labels import labels_from_intervals
    y, _ = labels_from_intervals(path, num_frames, video or osp.basename(path))
    return y


def _check_per_frame(values: np.ndarray, path: str, num_frames: int, video: str) -> np.ndarray:
    try:
        y = values.astype(np.float64)
    except ValueError:
        y = np.array([np.nan])
    if not np.isin(y, (0, 1)).all():
        raise InputError(f'--labels {path}: per-frame labels must be 0 or 1, got values such '
                         f'as {values[~np.isin(y, (0, 1))][:3].tolist()}')
    if y.size != num_frames:
        raise InputError(f'--labels {path}: {y.size} per-frame labels, but video '
                         f'{video or "the video"} has {num_frames} frames; give one label a '
                         'frame (or an interval file)')
    return y.astype(np.uint8)
