"""What a test run left in its out dir, read back without the model.

``tools/test.py`` (and ``tools/train.py --test``) write ``frame_scores.npz``, ``metrics.json``,
``machine.json``, ``per_video_auroc.csv`` and a copy of the config to one folder; the report
is built from those files only, so it can be made later, on another machine.
"""
import glob
import json
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

from vadkit.evaluation.frame_scores import FrameScores
from vadkit.utils.errors import VadkitError


class ReportInputError(VadkitError):
    """The folder given to the report is not a test run's out dir (or its files are bad)."""


@dataclass
class VideoScores:
    """One test video's saved per-frame values (scored frames only)."""
    name: str
    frames: np.ndarray
    labels: np.ndarray
    fused: np.ndarray
    normalized: Dict[str, np.ndarray]
    raw: Dict[str, np.ndarray]
    num_frames: Optional[int] = None


@dataclass
class TestRun:
    """A test run's saved files: scores per video, metrics, machine, config copy."""
    run_dir: str
    videos: List[VideoScores]
    score_names: List[str]
    settings: dict
    metrics: dict = field(default_factory=dict)
    machine: dict = field(default_factory=dict)
    config_path: Optional[str] = None
    log_path: Optional[str] = None

    @property
    def has_labels(self) -> bool:
        """Whether the labels hold both classes (ROC and AUROC are defined)."""
        y = np.concatenate([v.labels for v in self.videos])
        return bool(y.size and y.min() != y.max())


def _read_json(path: str) -> dict:
    if not osp.isfile(path):
        return {}
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise ReportInputError(f'{path} is not readable JSON ({e}): re-run the test, or '
                               'delete the file to build the report without it') from None
    return data if isinstance(data, dict) else {}


def find_config_copy(run_dir: str) -> Optional[str]:
    """The config the runner dumped into the out dir (``<config name>.py``), if any."""
    found = sorted(glob.glob(osp.join(run_dir, '*.py')))
    found += sorted(glob.glob(osp.join(run_dir, '*', 'vis_data', 'config.py')))
    return found[0] if found else None


def find_log(run_dir: str) -> Optional[str]:
    """The runner's log file of the test (``<time>/<time>.log``), the newest if several."""
    found = sorted(glob.glob(osp.join(run_dir, '*', '*.log')) + glob.glob(
        osp.join(run_dir, '*.log')), key=osp.getmtime)
    return found[-1] if found else None


def load_test_run(run_dir: str) -> TestRun:
    """Read a test run's out dir; a folder without ``frame_scores.npz`` is refused."""
    npz = osp.join(run_dir, 'frame_scores.npz')
    if not osp.isdir(run_dir):
        raise ReportInputError(f'{run_dir!r} is not a folder: give the out dir of a test run '
                               '(tools/test.py CONFIG CHECKPOINT --out-dir DIR)')
    if not osp.isfile(npz):
        nested = sorted(glob.glob(osp.join(run_dir, '*', 'frame_scores.npz')))
        runs = ', '.join(osp.dirname(p) for p in nested[-3:])
        hint = (f' It holds test runs with frame scores: {runs}; give one of those.'
                if nested else ' Run tools/test.py CONFIG CHECKPOINT --out-dir DIR (or '
                'tools/train.py CONFIG --test) first; it writes DIR/frame_scores.npz.')
        raise ReportInputError(f'{run_dir} has no frame_scores.npz, so there is nothing to '
                               f'report.{hint}')
    try:
        scores = FrameScores.load(npz)
        with np.load(npz, allow_pickle=False) as z:
            fused = z['score'].astype(np.float64) if 'score' in z.files else None
            normalized = {n: z[f'normalized/{n}'].astype(np.float64)
                          for n in scores.score_names if f'normalized/{n}' in z.files}
            vid_col = z['video_idx'].astype(np.int64)
    except (OSError, ValueError, KeyError) as e:
        raise ReportInputError(f'{npz} is not a readable vadkit frame_scores.npz ({e}): '
                               're-run tools/test.py to write it again') from None
    videos = []
    for i, vid in enumerate(scores.video_idx):
        rows = np.flatnonzero(vid_col == vid)
        raw = scores.raw[i]
        videos.append(VideoScores(
            name=scores.video_names[i], frames=scores.frames[i], labels=scores.labels[i],
            fused=fused[rows] if fused is not None else _mean_of(raw),
            normalized={n: a[rows] for n, a in normalized.items()}, raw=raw,
            num_frames=scores.num_frames[i] if scores.num_frames else None))
    return TestRun(run_dir=run_dir, videos=videos, score_names=list(scores.score_names),
                   settings=scores.settings,
                   metrics=_read_json(osp.join(run_dir, 'metrics.json')),
                   machine=_read_json(osp.join(run_dir, 'machine.json')),
                   config_path=find_config_copy(run_dir), log_path=find_log(run_dir))


def _mean_of(raw: Dict[str, np.ndarray]) -> np.ndarray:
    # an npz without the fused column (hand-made): the plain mean of the raw scores
    return np.mean(np.stack(list(raw.values())), axis=0)
