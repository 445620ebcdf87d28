"""ShanghaiTechLayout: scenes, training videos and test frame folders."""
import os.path as osp

import numpy as np
import pytest
from layout_writers import (
    assert_frames_in_order,
    make_shanghaitech,
)

from vadkit.datasets.layouts import (
    DatasetError,
    ShanghaiTechLayout,
    detect_layout,
)
from vadkit.utils import register_all_modules

register_all_modules()


# ---------------------------------------------------------------- ShanghaiTech
def test_shanghaitech_layout_scenes(tmp_path):
    root = str(tmp_path)
    labels = make_shanghaitech(root)
    layout = ShanghaiTechLayout(root)
    train, test = layout.load('train'), layout.load('test')
    assert [v.name for v in train] == ['01_001', '01_002', '02_001']
    assert [v.num_frames for v in train] == [12, 9, 10] and train[0].video_file
    assert [v.name for v in test] == list(labels)
    for v in test:
        np.testing.assert_array_equal(v.labels, labels[v.name])
    assert_frames_in_order(train, 2)
    assert_frames_in_order(test, 0)  # JPEG frames
    scene1 = ShanghaiTechLayout(root, scene=1)
    assert [v.name for v in scene1.load('train')] == ['01_001', '01_002']
    assert [v.name for v in scene1.load('test')] == ['01_0014', '01_0025']
    with pytest.raises(DatasetError, match='no video of scene 5'):
        ShanghaiTechLayout(root, scene=5).load('test')
    # the pooled 1-D frame_labels_shanghai.npy some copies ship, with a scene filter
    np.save(osp.join(root, 'frame_labels_shanghai.npy'), np.concatenate(list(labels.values())))
    pooled = ShanghaiTechLayout(root, scene=2, label_file='frame_labels_shanghai.npy')
    (v, ) = pooled.load('test')
    np.testing.assert_array_equal(v.labels, labels['02_0128'])
    assert detect_layout(root) is ShanghaiTechLayout
