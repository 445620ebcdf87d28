"""Where a detector's threshold and causal rescaling come from: a fixed threshold, or the
calibration file of normal videos (``tools/calibrate.py``) and a percentile of its scores."""
import os.path as osp
import warnings
from typing import Dict, Optional, Sequence, Tuple, Union

from .calibration import Calibration, calibration_path
from .events import EventTracker, check_event_settings
from .fusion import CAUSAL_NORMS, CausalFusion
from .sources import InputError

__all__ = ['Thresholds', 'load_calibration']


def load_calibration(calibration: Union[str, Calibration, None], checkpoint: Optional[str],
                     score_weights: Dict[str, float],
                     member_checkpoints: Optional[Sequence[str]] = None
                     ) -> Optional[Calibration]:
    """``'auto'``: ``<checkpoint>.calib.json`` if it exists; a path (which must exist); a
    :class:`Calibration`; or ``None``. Checked against the weights and checkpoint (of an
    ensemble, whose ``checkpoint`` is its work dir: against ``member_checkpoints``)."""
    if isinstance(calibration, Calibration):
        cal = calibration
    elif calibration == 'auto':
        path = calibration_path(checkpoint) if checkpoint else None
        if not path or not osp.isfile(path):
            return None
        cal = Calibration.load(path)
    elif calibration is None:
        return None
    else:
        if not osp.isfile(str(calibration)):
            raise InputError(f'calibration file {calibration!r} does not exist: write it '
                             'with tools/calibrate.py CONFIG CHECKPOINT')
        cal = Calibration.load(str(calibration))
    cal.check(score_weights, checkpoint, member_checkpoints)
    return cal


class Thresholds:
    """The threshold of each mode, the causal fusion and the event tracker of a detector.

    Args:
        score_weights: Weights of the fusion (to check the calibration against).
        checkpoint: Checkpoint path (where ``'auto'`` looks for the calibration).
        calibration: See :func:`load_calibration`.
        threshold: Fixed threshold (overrides calibration).
        percentile: Threshold at this percentile of the calibration videos' scores.
        causal_norm, running_window, running_warmup: Causal rescaling (see
            :class:`~vadkit.apis.fusion.CausalFusion`).
        min_event_frames, merge_gap: Of the events.
        member_checkpoints: Of an ensemble (``checkpoint`` is its work dir): the members'
            checkpoints, which the calibration is checked against.
    """

    def __init__(self, score_weights: Dict[str, float], checkpoint: Optional[str],
                 calibration: Union[str, Calibration, None] = 'auto',
                 threshold: Optional[float] = None, percentile: Optional[float] = None,
                 causal_norm: str = 'calibration', running_window: int = 500,
                 running_warmup: int = 50, min_event_frames: int = 1,
                 merge_gap: int = 0,
                 member_checkpoints: Optional[Sequence[str]] = None) -> None:
        self.check_arguments(threshold, percentile, causal_norm, min_event_frames, merge_gap)
        self.score_weights, self.checkpoint = score_weights, checkpoint
        self.causal_norm = causal_norm
        self.running_window, self.running_warmup = int(running_window), int(running_warmup)
        self.min_event_frames, self.merge_gap = int(min_event_frames), int(merge_gap)
        self.fixed_threshold, self.percentile = threshold, percentile
        self.calibration = load_calibration(calibration, checkpoint, score_weights,
                                            member_checkpoints)

    @staticmethod
    def check_arguments(threshold: Optional[float], percentile: Optional[float],
                        causal_norm: str, min_event_frames: int, merge_gap: int) -> None:
        """Refuse settings that cannot go together (before a model is loaded)."""
        if causal_norm not in CAUSAL_NORMS:
            raise ValueError(f'causal_norm must be one of {CAUSAL_NORMS}, got {causal_norm!r}')
        if threshold is not None and percentile is not None:
            raise ValueError('give either a fixed threshold or a percentile, not both')
        check_event_settings(threshold, min_event_frames, merge_gap)

    def calibration_mode(self, mode: str) -> str:
        """The calibration entry of ``mode``: offline, causal or running."""
        if mode == 'offline':
            return 'offline'
        return 'causal' if self.causal_norm == 'calibration' else 'running'

    def resolve(self, mode: str) -> Tuple[Optional[float], str]:
        """The threshold of ``mode`` and where it comes from."""
        if self.fixed_threshold is not None:
            return float(self.fixed_threshold), 'fixed'
        key = self.calibration_mode(mode)
        if self.calibration is None:
            if self.percentile is not None:
                raise InputError(
                    f'a percentile threshold needs a calibration file (looked for '
                    f'{calibration_path(self.checkpoint) if self.checkpoint else "none"}): '
                    'run tools/calibrate.py CONFIG CHECKPOINT first, or give a fixed '
                    'threshold')
            return None, 'none (no calibration file and no fixed threshold)'
        p = self.percentile if self.percentile is not None else self.calibration.percentile
        entry = self.calibration.modes.get(key, {})
        if key == 'running' and (entry.get('window'), entry.get('warmup')) != (
                self.running_window, self.running_warmup):
            warnings.warn(f'calibration {self.calibration.path} rated the running normalizer '
                          f'with window {entry.get("window")} and warm-up '
                          f'{entry.get("warmup")}, not {self.running_window} and '
                          f'{self.running_warmup}: its threshold may not fit; recalibrate '
                          'with the same --running-window/--running-warmup', stacklevel=4)
        return (self.calibration.threshold(key, p),
                f'calibration {self.calibration.path or ""} ({key} mode, percentile {p:g})')

    def causal_fusion(self) -> CausalFusion:
        """A fresh causal fusion (its own running state)."""
        stats = self.calibration.stats if self.calibration is not None else None
        if self.causal_norm == 'calibration' and stats is None:
            where = calibration_path(self.checkpoint) if self.checkpoint else 'no checkpoint'
            raise InputError(
                'causal scoring rescales each frame with statistics of normal videos, and '
                f'there is no calibration file ({where}): run tools/calibrate.py CONFIG '
                "CHECKPOINT, or use causal_norm='running' (--causal-norm running)")
        return CausalFusion(self.score_weights, self.causal_norm, stats, self.running_window,
                            self.running_warmup)

    def tracker(self, threshold: Optional[float], fps: float) -> EventTracker:
        """An event tracker at ``threshold`` with the event settings."""
        return EventTracker(threshold, fps, self.min_event_frames, self.merge_gap)
