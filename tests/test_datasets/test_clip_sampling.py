"""Clip samplers: SampleWindow takes consecutive frames; the playback-rate clip never
crosses the video end and keeps the original rate at its probability."""

import numpy as np
import pytest

from vadkit.datasets.transforms import SamplePlaybackRateClip, SampleWindow
from vadkit.utils import register_all_modules

register_all_modules()


def fake_results(num_frames, start=0, window_length=9):
    return dict(start=start, num_frames=num_frames, window_length=window_length,
                read_frames=lambda ids: np.asarray(ids)[:, None, None] * np.ones((1, 2, 2)))


def test_sample_window_takes_consecutive_frames():
    r = SampleWindow()(fake_results(20, start=5))
    assert r['window'][:, 0, 0].tolist() == list(range(5, 14))


@pytest.mark.parametrize('num_frames,start', [(40, 0), (40, 31), (20, 11), (8, 0)])
def test_prp_clip_never_crosses_the_video_end(num_frames, start, numpy_seed):
    numpy_seed(0)
    t = SamplePlaybackRateClip(length=8, strides=(2, 3, 4, 5), p_original=0.5)
    strides = set()
    for _ in range(200):
        r = t(fake_results(num_frames, start=start))
        ids = r['prp_clip'][:, 0, 0].astype(int)
        stride = r['prp_stride']
        strides.add(stride)
        assert len(ids) == 8 and ids.min() >= 0 and ids.max() < num_frames
        assert np.all(np.diff(ids) == stride)
        assert r['prp_label'] == int(stride > 1)
    fitting = {s for s in (2, 3, 4, 5) if 7 * s + 1 <= num_frames}
    assert strides == fitting | {1}  # every stride that fits is drawn, none that does not


def test_prp_original_rate_probability(numpy_seed):
    numpy_seed(1)
    t = SamplePlaybackRateClip(length=4, p_original=0.5)
    labels = [t(fake_results(100, start=10))['prp_label'] for _ in range(2000)]
    assert abs(np.mean(labels) - 0.5) < 0.05

