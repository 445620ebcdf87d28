"""AvenueLayout: its label sets (volume labels, frame labels) agree."""
import os.path as osp

import numpy as np
import pytest
from layout_writers import (
    GRAY,
    assert_frames_in_order,
    make_avenue,
)

from vadkit.datasets import VideoWindowDataset
from vadkit.datasets.layouts import (
    AvenueLayout,
    detect_layout,
)
from vadkit.utils import register_all_modules

register_all_modules()


# ---------------------------------------------------------------- Avenue
def test_avenue_layout_label_sets(tmp_path):
    root = str(tmp_path)
    labels = make_avenue(root)
    layout = AvenueLayout(root)
    test = layout.load('test')
    assert [v.name for v in test] == ['01', '02'] and [v.num_frames for v in test] == [14, 11]
    assert all(v.video_file and not v.frames for v in test)
    for v, y in zip(test, labels):
        np.testing.assert_array_equal(v.labels, y)
        assert 'label_set=masks' in v.label_source
    cache = str(tmp_path / 'cache')
    assert_frames_in_order(test, 0, cache)  # through the cache ...
    assert_frames_in_order(test, 1)  # ... and decoded on demand
    # the older MNAD-style label file: another label set, and the run says so
    mnad = np.concatenate([np.ones(14), np.zeros(11)]).astype(np.uint8)
    np.save(osp.join(root, 'frame_labels_avenue.npy'), mnad[None])
    ds = VideoWindowDataset(dict(type='AvenueLayout', root=root, label_set='mnad'),
                            split='test', window_length=4, decode_pipeline=GRAY,
                            cache_dir=None)
    np.testing.assert_array_equal(np.concatenate([v.labels for v in ds.videos]), mnad)
    assert ds.metainfo['label_sources'] == [
        osp.join(root, 'frame_labels_avenue.npy') + ' (label_set=mnad)']
    ds = VideoWindowDataset(dict(type='AvenueLayout', root=root), split='test',
                            window_length=4, decode_pipeline=GRAY, cache_dir=None)
    assert ds.metainfo['label_sources'] == [
        osp.join(root, 'testing_label_mask') + ' (label_set=masks)']
    assert [v.num_frames for v in AvenueLayout(root).load('train')] == [12, 10]
    assert detect_layout(root) is AvenueLayout
    with pytest.raises(ValueError, match='label_set'):
        AvenueLayout(root, label_set='pixel')
