"""Local error measures: a frame is as anomalous as its worst part, not its average.

The frame mean (MSE, PSE, BPE) dilutes a small anomaly over the whole frame. These measures
reduce the same per-pixel squared error (optionally Gaussian-filtered, as BPE and PSE
filter it) by where it is largest, or relative to the error the model makes at each
location on normal clips.
"""
from typing import Optional, Tuple

import torch
from torch import Tensor

from vadkit.registry import ERROR_MEASURES
from vadkit.utils.errors import VadkitError

from .base_measure import VF, BaseErrorMeasure
from .normal_error_maps import FIT_COMMAND, NormalErrorMaps, NormalErrorMapsError

__all__ = ['LocalErrorMeasure', 'WorstRegion', 'TopK', 'RelativeToNormal', 'MeasureConfigError']


class MeasureConfigError(VadkitError, ValueError):
    """An error measure given parameters it cannot work with."""


class LocalErrorMeasure(BaseErrorMeasure):
    """Base of the local measures: the per-pixel squared error they reduce.

    Args:
        sigma: Gaussian filter of the error image before squaring (BPE's and PSE's blur);
            ``None`` for the plain squared error.
        kernel_size: Size of that filter.
    """

    def __init__(self, sigma: Optional[float] = None, kernel_size: int = 5) -> None:
        if sigma is not None and sigma <= 0:
            raise MeasureConfigError(f'{type(self).__name__}: sigma must be positive or None '
                                     f'(no blur), got {sigma}')
        if int(kernel_size) != kernel_size or kernel_size < 1 or kernel_size % 2 == 0:
            raise MeasureConfigError(f'{type(self).__name__}: kernel_size must be a positive '
                                     f'odd integer, got {kernel_size}')
        self.sigma, self.kernel_size = sigma, int(kernel_size)

    def local_error(self, pred: Tensor, target: Tensor) -> Tensor:
        """The squared (filtered) error image ``(N, C, H, W)``."""
        return VF.error_image(pred, target, self.sigma, self.kernel_size)


@ERROR_MEASURES.register_module()
class WorstRegion(LocalErrorMeasure):
    """The largest mean error of a ``block_size`` square block (non-overlapping grid).

    Its map is each pixel's block mean (the frame's value is the map's maximum).
    """

    def __init__(self, block_size: int = 16, sigma: Optional[float] = None,
                 kernel_size: int = 5) -> None:
        super().__init__(sigma, kernel_size)
        if int(block_size) != block_size or block_size < 1:
            raise MeasureConfigError(f'WorstRegion: block_size must be a positive integer, '
                                     f'got {block_size}')
        self.block_size = int(block_size)

    def frame_error(self, pred: Tensor, target: Tensor) -> Tensor:
        return VF.worst_block(self.local_error(pred, target), self.block_size)

    def frame_error_map(self, pred: Tensor, target: Tensor) -> Tensor:
        h, w = pred.shape[-2:]
        blocks = VF.block_means(self.local_error(pred, target), self.block_size)
        b = self.block_size
        full = blocks.repeat_interleave(b, 1).repeat_interleave(b, 2)[:, :h, :w]
        return full.unsqueeze(1)


@ERROR_MEASURES.register_module()
class TopK(LocalErrorMeasure):
    """The mean of the largest ``fraction`` of a frame's per-pixel errors.

    Its map is the per-pixel error it ranks (``fraction=1`` is MSE, or PSE with ``sigma``).
    """

    def __init__(self, fraction: float = 0.05, sigma: Optional[float] = None,
                 kernel_size: int = 5) -> None:
        super().__init__(sigma, kernel_size)
        if not 0 < fraction <= 1:
            raise MeasureConfigError(f'TopK: fraction must be in (0, 1], got {fraction}')
        self.fraction = float(fraction)

    def frame_error(self, pred: Tensor, target: Tensor) -> Tensor:
        return VF.top_fraction_mean(self.local_error(pred, target), self.fraction)

    def frame_error_map(self, pred: Tensor, target: Tensor) -> Tensor:
        return self.local_error(pred, target)


@ERROR_MEASURES.register_module()
class RelativeToNormal(LocalErrorMeasure):
    """The error at each location relative to the model's error there on normal clips.

    A model errs more at some places on normal clips too (edges, textured or busy regions);
    this measure discounts them. With per-location mean ``mu`` and std ``sd`` of the squared
    (filtered) error on the training clips (``stats_file``, written by
    ``tools/analysis/fit_normal_error_maps.py`` with the same ``sigma``), the map is

    - ``mode='ratio'``: ``e / (mu + floor * mean(mu)) * mean(mu)``;
    - ``mode='zscore'``: ``(e - mu) / (sd + floor * mean(sd)) * mean(sd)``;

    so it keeps squared-error units (heat maps read it like the others), and ``floor``
    stops locations the model always gets right from dividing by almost zero. The frame
    value is the map's ``reduction``: ``'mean'``, ``'topk'`` (mean of the top
    ``fraction``) or ``'worst_region'`` (largest ``block_size`` block mean).

    Statistics are loaded on first use. Not usable as a training loss: they come from a
    trained model, and would be stale as soon as training moved it.
    """

    usable_as_loss = False
    not_a_loss_because = ('its statistics come from a trained model and go stale as soon as '
                          'training changes it')
    REDUCTIONS = ('mean', 'topk', 'worst_region')

    def __init__(self, stats_file: Optional[str] = None, task: Optional[str] = None,
                 mode: str = 'ratio', reduction: str = 'mean', fraction: float = 0.05,
                 block_size: int = 16, floor: float = 0.1, sigma: Optional[float] = None,
                 kernel_size: int = 5) -> None:
        super().__init__(sigma, kernel_size)
        if not stats_file:
            raise MeasureConfigError(
                'RelativeToNormal needs stats_file=<per-location normal error statistics>; '
                'write one with `' + FIT_COMMAND.format(path='normal_error_maps.npz') + '`')
        if mode not in ('ratio', 'zscore'):
            raise MeasureConfigError(f"RelativeToNormal: mode must be 'ratio' or 'zscore', "
                                     f'got {mode!r}')
        if reduction not in self.REDUCTIONS:
            raise MeasureConfigError(f'RelativeToNormal: reduction must be one of '
                                     f'{self.REDUCTIONS}, got {reduction!r}')
        if floor <= 0:
            raise MeasureConfigError(f'RelativeToNormal: floor must be positive, got {floor}')
        self.stats_file, self.task, self.mode, self.reduction = stats_file, task, mode, reduction
        self.fraction, self.block_size, self.floor = float(fraction), int(block_size), floor
        self._stats: Optional[Tuple[Tensor, Tensor]] = None

    def _load(self) -> Tuple[Tensor, Tensor]:
        if self._stats is None:
            maps = NormalErrorMaps.load(self.stats_file)
            if (maps.sigma, maps.kernel_size if maps.sigma else None) != (
                    self.sigma, self.kernel_size if self.sigma else None):
                raise NormalErrorMapsError(
                    f'{self.stats_file} was fitted with sigma={maps.sigma}, kernel_size='
                    f'{maps.kernel_size} but the measure uses sigma={self.sigma}, kernel_size='
                    f'{self.kernel_size}; refit with `{FIT_COMMAND.format(path=self.stats_file)}'
                    f' --sigma {self.sigma} --kernel-size {self.kernel_size}`')
            mean, std = maps.task_stats(self.stats_file, self.task)
            self._stats = torch.from_numpy(mean), torch.from_numpy(std)
        return self._stats

    def relative_map(self, pred: Tensor, target: Tensor) -> Tensor:
        """The relative error map ``(N, C, H, W)`` in squared-error units."""
        e = self.local_error(pred, target)
        mean, std = self._load()
        if tuple(mean.shape) != tuple(e.shape[1:]):
            raise NormalErrorMapsError(
                f'{self.stats_file}: the statistics of task {self.task or "(only)"} are '
                f'{"x".join(map(str, mean.shape))} (C x H x W) but this model\'s error images '
                f'are {"x".join(map(str, e.shape[1:]))}; refit them for this config with '
                f'`{FIT_COMMAND.format(path=self.stats_file)}`')
        mean, std = mean.to(e.device, e.dtype), std.to(e.device, e.dtype)
        if self.mode == 'ratio':
            scale = mean.mean()
            return e / (mean + self.floor * scale) * scale
        scale = std.mean()
        return (e - mean) / (std + self.floor * scale) * scale

    def frame_error(self, pred: Tensor, target: Tensor) -> Tensor:
        rel = self.relative_map(pred, target)
        if self.reduction == 'topk':
            return VF.top_fraction_mean(rel, self.fraction)
        if self.reduction == 'worst_region':
            return VF.worst_block(rel, self.block_size)
        return rel.flatten(1).mean(1)

    def frame_error_map(self, pred: Tensor, target: Tensor) -> Tensor:
        return self.relative_map(pred, target)
