"""VideoFolderLayout: video files and their interval labels."""
import json
import os.path as osp

import numpy as np
from layout_writers import (
    assert_frames_in_order,
    make_video_folder,
    ranges_to_labels,
)

from vadkit.datasets.layouts import (
    VideoFolderLayout,
    detect_layout,
)
from vadkit.utils import register_all_modules

register_all_modules()


# ---------------------------------------------------------------- users' own data
def test_video_folder_layout(tmp_path):
    root = str(tmp_path)
    labels = make_video_folder(root)
    layout = VideoFolderLayout(root)
    train = layout.load('train')
    assert [v.name for v in train] == ['cam2', 'cam1']  # frame folders, then video files
    assert [v.num_frames for v in train] == [10, 12]
    assert_frames_in_order(train, 0)
    assert_frames_in_order(train, 1)
    test = layout.load('test')
    assert {v.name for v in test} == set(labels)
    assert_frames_in_order(test, [v.name for v in test].index('clip_c'))
    for v in test:
        np.testing.assert_array_equal(v.labels, labels[v.name], err_msg=v.name)
        assert '0-based' in v.label_source
    # the same files read as 1-based: every interval moves one frame earlier
    with open(osp.join(root, 'labels', 'clip_b.json'), 'w') as f:
        json.dump([[1, 1], [6, 8]], f)
    test1 = {v.name: v for v in VideoFolderLayout(root, label_index_base=1).load('test')}
    np.testing.assert_array_equal(test1['clip_b'].labels, labels['clip_b'])
    np.testing.assert_array_equal(test1['clip_a'].labels,
                                  ranges_to_labels(14, [(2, 4), (10, 13)], base=1))
    assert detect_layout(root) is VideoFolderLayout
