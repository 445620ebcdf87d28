"""FrameStore: the frame cache is reused and equals decoding on demand."""
import os

import numpy as np
from layout_writers import (
    GRAY,
    make_frames_dataset,
)

from vadkit.datasets import FrameStore
from vadkit.datasets.layouts import (
    FramesLayout,
)
from vadkit.utils import register_all_modules

register_all_modules()


# ---------------------------------------------------------------- the frame cache
def test_frame_cache_reused_and_equal_to_lazy(tmp_path):
    root = str(tmp_path / 'data')
    make_frames_dataset(root, ext='jpg')
    videos = FramesLayout(root).load('train')
    pipeline = GRAY + [dict(type='Resize', size=(16, 16))]
    cache = str(tmp_path / 'cache')
    store = FrameStore(videos, pipeline, cache, name='tiny-train')
    mtime = os.stat(store.cache_path).st_mtime_ns
    again = FrameStore(videos, pipeline, cache, name='tiny-train')
    assert again.cache_path == store.cache_path
    assert os.stat(again.cache_path).st_mtime_ns == mtime  # reused, not rebuilt
    lazy = FrameStore(videos, pipeline, None)
    for i, v in enumerate(videos):
        ids = np.arange(v.num_frames)
        np.testing.assert_array_equal(store.read(i, ids), lazy.read(i, ids))
    np.testing.assert_array_equal(store.read(1, [0, 3, 6]), lazy.read(1, [0, 3, 6]))
    # another decode pipeline: another cache entry
    other = FrameStore(videos, GRAY, cache, name='tiny-train')
    assert other.cache_path != store.cache_path
    # a deleted array (index left behind) is rebuilt, not read
    os.remove(store.cache_path)
    rebuilt = FrameStore(videos, pipeline, cache, name='tiny-train')
    np.testing.assert_array_equal(rebuilt.read(0, [0, 1]), lazy.read(0, [0, 1]))
