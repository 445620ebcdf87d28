"""Clip samplers: each task asks for the clip it needs from a window's position."""
from typing import Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from vadkit.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SampleWindow(BaseTransform):
    """The ``length`` consecutive frames starting at the window's start (Eq. 2):
    T + 1 frames, the first T for the encoder and the last as the FFP target.
    ``length=None`` takes the dataset's ``window_length``."""

    def __init__(self, length: Optional[int] = None, key: str = 'window') -> None:
        self.length, self.key = length, key

    def transform(self, results: dict) -> dict:
        start = results['start']
        length = self.length or results['window_length']
        if start + length > results['num_frames']:
            raise ValueError(f'window of {length} frames at {start} passes the end of '
                             f"video {results.get('video_name')} ({results['num_frames']} "
                             'frames): the dataset window_length must be at least the '
                             'SampleWindow length')
        results[self.key] = results['read_frames'](np.arange(start, start + length))
        return results


@TRANSFORMS.register_module()
class SamplePlaybackRateClip(BaseTransform):
    """A ``length``-frame clip at the original rate (label 0) with probability
    ``p_original``, else accelerated with a stride drawn uniformly from ``strides``
    (label 1) (Eq. 5). The clip starts at the window's start, moved back if needed so that
    it never crosses the video's end; strides too long for the video are not drawn.
    ``length=None`` takes T = the dataset's ``window_length - 1``."""

    def __init__(self, length: Optional[int] = None, strides: Sequence[int] = (2, 3, 4, 5),
                 p_original: float = 0.5, key: str = 'prp_clip',
                 label_key: str = 'prp_label') -> None:
        if not strides or min(strides) < 2:
            raise ValueError(f'accelerated strides must be >= 2, got {strides}')
        self.length, self.strides, self.p_original = length, tuple(strides), p_original
        self.key, self.label_key = key, label_key

    def transform(self, results: dict) -> dict:
        n = results['num_frames']
        length = self.length or results['window_length'] - 1
        fitting = [s for s in self.strides if (length - 1) * s + 1 <= n]
        if fitting and np.random.random() >= self.p_original:
            stride, label = int(np.random.choice(fitting)), 1
        else:
            stride, label = 1, 0
        span = (length - 1) * stride + 1
        start = min(results['start'], n - span)
        results[self.key] = results['read_frames'](start + stride * np.arange(length))
        results[self.label_key] = label
        results['prp_stride'] = stride
        return results
