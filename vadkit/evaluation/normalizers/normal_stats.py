"""Statistics of scores on normal (training) videos, for :class:`ZScoreNormalizer`.

Written by ``tools/analysis/fit_normal_stats.py``; the file format is::

    {"scores": {"vcr": {"mean": ..., "std": ..., "count": ..., "min": ..., "max": ...}, ...},
     "split": "train", "windows": N, ...provenance (config, checkpoint)...}
"""
import json
import os.path as osp
from typing import Dict, Mapping, Optional

import numpy as np


def compute_normal_stats(scores: Mapping[str, np.ndarray]) -> Dict[str, dict]:
    """Mean, population std (``ddof=0``, as :meth:`ZScoreNormalizer.fit`), count, min and
    max of each score's values."""
    out = {}
    for name, values in scores.items():
        v = np.asarray(values, dtype=np.float64).ravel()
        if v.size == 0:
            raise ValueError(f'no value of score {name!r} to take statistics from')
        out[name] = dict(mean=float(v.mean()), std=float(v.std()), count=int(v.size),
                         min=float(v.min()), max=float(v.max()))
    return out


def save_normal_stats(path: str, stats: Dict[str, dict], **provenance) -> None:
    """Write ``{"scores": stats, **provenance}`` as JSON."""
    with open(path, 'w') as f:
        json.dump(dict(scores=stats, **provenance), f, indent=2)


def load_normal_stats(path: str, key: Optional[str] = None):
    """The ``scores`` table of a normal-statistics file, or ``(mean, std)`` of ``key``."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'normal statistics file {path!r} does not exist; write it '
                                'with tools/analysis/fit_normal_stats.py CONFIG CHECKPOINT '
                                '--out ' + path)
    with open(path) as f:
        data = json.load(f)
    table = data.get('scores') if isinstance(data, dict) else None
    if not isinstance(table, dict):
        raise ValueError(f'{path} is not a normal-statistics file: it has no "scores" table '
                         '(write it with tools/analysis/fit_normal_stats.py)')
    if key is None:
        return table
    if key not in table:
        raise KeyError(f'{path} has no statistics for score {key!r}; it has {sorted(table)}. '
                       'Re-run fit_normal_stats.py with a config that computes that score.')
    entry = table[key]
    return float(entry['mean']), float(entry['std'])

