"""Fit per-location statistics of a model's error on normal clips (the training split),
for :class:`~vadkit.models.measures.RelativeToNormal`.

Windows are scored as test windows are (the :class:`~vadkit.engine.window_scorer.WindowScorer`
prepared model, the config's test pipeline); each task scored by an error gives its squared
(optionally filtered) error image of every frame it produces (the T reconstructed frames of
VCR, the predicted frame of FFP), accumulated in float64.
"""
from typing import Dict, Optional, Sequence

import numpy as np
import torch
from mmengine.dataset import default_collate
from mmengine.logging import print_log
from torch.utils.data import DataLoader

from vadkit.models.measures import functional as VF  # noqa: N812
from vadkit.models.measures.normal_error_maps import NormalErrorMaps, NormalErrorMapsError

from .window_scorer import WindowScorer


def _frames(x: torch.Tensor) -> torch.Tensor:
    """``(B, C, T, H, W)`` clips or ``(B, C, H, W)`` frames -> ``(N, C, H, W)`` frames."""
    if x.dim() == 5:
        b, c, t, h, w = x.shape
        return x.transpose(1, 2).reshape(b * t, c, h, w)
    return x


def fit_normal_error_maps(model, dataset, tasks: Optional[Sequence[str]] = None,
                          sigma: Optional[float] = None, kernel_size: int = 5,
                          batch_size: int = 32, num_workers: int = 0,
                          log_every: int = 50) -> NormalErrorMaps:
    """Per-location mean and std (``ddof=0``) of each task's squared error on ``dataset``.

    ``tasks`` defaults to every task scored by an error measure (with a target image).
    """
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False,
                        num_workers=num_workers, collate_fn=default_collate)
    sums: Dict[str, list] = {}
    with WindowScorer(model).prepared() as inner, torch.inference_mode():
        known = [h.name for h in inner.tasks]
        unknown = [t for t in tasks or [] if t not in known]
        if unknown:
            raise NormalErrorMapsError(f'no task {unknown} in this model; its tasks are {known}')
        for i, batch in enumerate(loader):
            data = inner.data_preprocessor(batch, False)
            feats = inner.extract_features(inner.test_clip(data['inputs']), True)
            for h in inner.tasks:
                if tasks and h.name not in tasks:
                    continue
                target = h.score_target(feats)
                if target is None:
                    continue
                e = VF.error_image(_frames(h(feats).float()), _frames(target.float()), sigma,
                                   kernel_size).double()
                acc = sums.setdefault(h.name, [0.0, 0.0, 0])
                acc[0] = acc[0] + e.sum(0)
                acc[1] = acc[1] + e.pow(2).sum(0)
                acc[2] += e.shape[0]
            if log_every and (i + 1) % log_every == 0:
                print_log(f'{min((i + 1) * batch_size, len(dataset))} / {len(dataset)} windows',
                          logger='current')
    if not sums:
        raise NormalErrorMapsError('no task of this model is scored by an error image '
                                   f'(tasks {tasks or "all"}); nothing to fit')
    mean, std, counts = {}, {}, {}
    for name, (s, s2, n) in sums.items():
        m = (s / n).cpu().numpy()
        mean[name] = m
        std[name] = np.sqrt(np.maximum((s2 / n).cpu().numpy() - m**2, 0.0))
        counts[name] = n
    return NormalErrorMaps(mean, std, sigma, kernel_size, dict(frames=counts))
