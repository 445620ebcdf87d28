"""Per-location statistics of a model's error on normal (training) clips, for
:class:`~vadkit.models.measures.RelativeToNormal`.

Written by ``tools/analysis/fit_normal_error_maps.py``. The ``.npz`` holds, for each task
(``tasks``), the mean and std (``ddof=0``) of its per-pixel squared error at every location,
``<task>/mean`` and ``<task>/std`` of shape ``(C, H, W)``, with the blur they were taken
with (``sigma``: NaN for none, ``kernel_size``) and ``meta`` (JSON: config, checkpoint,
split, windows).
"""
import json
import math
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

import numpy as np

from vadkit.utils.errors import VadkitError

FIT_COMMAND = ('python tools/analysis/fit_normal_error_maps.py CONFIG CHECKPOINT '
               '--out {path}')


class NormalErrorMapsError(VadkitError, ValueError):
    """A missing or unusable file of per-location normal error statistics."""


@dataclass
class NormalErrorMaps:
    """Per-location mean and std of each task's squared error on normal clips."""
    mean: Dict[str, np.ndarray]
    std: Dict[str, np.ndarray]
    sigma: Optional[float] = None
    kernel_size: int = 5
    meta: dict = field(default_factory=dict)

    def save(self, path: str) -> str:
        arrays = dict(tasks=np.array(list(self.mean)),
                      sigma=np.array(math.nan if self.sigma is None else float(self.sigma)),
                      kernel_size=np.array(int(self.kernel_size)),
                      meta=np.array(json.dumps(self.meta, default=str)))
        for task in self.mean:
            arrays[f'{task}/mean'] = self.mean[task]
            arrays[f'{task}/std'] = self.std[task]
        np.savez(path, **arrays)
        return path

    @classmethod
    def load(cls, path: str) -> 'NormalErrorMaps':
        fix = FIT_COMMAND.format(path=path)
        if not osp.isfile(path):
            raise NormalErrorMapsError(
                f'normal error-map statistics file {path!r} does not exist; write it with '
                f'`{fix}` (CONFIG and CHECKPOINT of the model being scored)')
        try:
            with np.load(path, allow_pickle=False) as z:
                data = {k: z[k] for k in z.files}
        except (OSError, ValueError) as e:
            raise NormalErrorMapsError(f'{path} is not a readable .npz ({e}); write it '
                                       f'with `{fix}`') from None
        if 'tasks' not in data:
            raise NormalErrorMapsError(f'{path} is not a normal error-map statistics file '
                                       f'(no "tasks" entry); write it with `{fix}`')
        tasks = [str(t) for t in data['tasks']]
        sigma = float(data['sigma'])
        return cls({t: data[f'{t}/mean'] for t in tasks}, {t: data[f'{t}/std'] for t in tasks},
                   None if math.isnan(sigma) else sigma, int(data['kernel_size']),
                   json.loads(str(data['meta'])))

    def task_stats(self, path: str, task: Optional[str]) -> Tuple[np.ndarray, np.ndarray]:
        """``(mean, std)`` of ``task`` (``None``: the only task of the file)."""
        tasks = list(self.mean)
        if task is None:
            if len(tasks) != 1:
                raise NormalErrorMapsError(
                    f'{path} holds statistics of tasks {tasks}: give the measure '
                    f"task='<one of them>'")
            task = tasks[0]
        if task not in self.mean:
            raise NormalErrorMapsError(
                f'{path} has no statistics of task {task!r}; it has {tasks}. Fit them with '
                f'`{FIT_COMMAND.format(path=path)} --tasks {task}`')
        return self.mean[task], self.std[task]
