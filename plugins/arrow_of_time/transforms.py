"""The clip sampler of the arrow-of-time task: a clip played forward or backward."""
from typing import Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from vadkit.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SampleTemporalOrderClip(BaseTransform):
    """A ``length``-frame clip in its original order (label 0) or reversed (label 1), each
    with probability one half by default.

    The clip starts at the window's start with a temporal gap drawn uniformly from
    ``strides`` (1 by default: consecutive frames), moved back if needed so that it never
    crosses the video's end; gaps too long for the video are not drawn. Reversal keeps the
    frames and only flips their order, so the only cue to the label is how things move.

    Args:
        length: Frames in the clip; ``None`` takes T = the dataset's ``window_length - 1``.
        strides: Temporal gaps to draw from.
        p_reverse: Probability of a reversed clip.
        key: Where the clip goes in the results (the task's ``input_key``).
        label_key: Where its label goes (pack it with ``PackClipInputs(meta_keys=...)``).
    """

    def __init__(self, length: Optional[int] = None, strides: Sequence[int] = (1, ),
                 p_reverse: float = 0.5, key: str = 'aot_clip',
                 label_key: str = 'aot_label') -> None:
        if not strides or min(strides) < 1:
            raise ValueError(f'SampleTemporalOrderClip: strides must be >= 1, got {strides}')
        if not 0.0 <= p_reverse <= 1.0:
            raise ValueError(f'SampleTemporalOrderClip: p_reverse must be in [0, 1], got '
                             f'{p_reverse}')
        self.length, self.strides, self.p_reverse = length, tuple(strides), float(p_reverse)
        self.key, self.label_key = key, label_key

    def transform(self, results: dict) -> dict:
        n = results['num_frames']
        length = self.length or results['window_length'] - 1
        fitting = [s for s in self.strides if (length - 1) * s + 1 <= n]
        if not fitting:
            raise ValueError(f'SampleTemporalOrderClip: video {results.get("video_name")} has '
                             f'{n} frames, fewer than a {length}-frame clip needs')
        stride = int(np.random.choice(fitting))
        start = min(results['start'], n - ((length - 1) * stride + 1))
        indices = start + stride * np.arange(length)
        reverse = bool(np.random.random() < self.p_reverse)
        results[self.key] = results['read_frames'](indices[::-1].copy() if reverse else indices)
        results[self.label_key] = int(reverse)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(length={self.length}, strides={self.strides}, '
                f'p_reverse={self.p_reverse}, key={self.key!r}, label_key={self.label_key!r})')
