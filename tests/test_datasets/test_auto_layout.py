"""detect_layout and AutoLayout pick the layout a root folder is in."""
import os.path as osp

import numpy as np
import pytest
from layout_writers import (
    GRAY,
    make_frames_dataset,
)

from vadkit.datasets import VideoWindowDataset
from vadkit.datasets.layouts import (
    AutoLayout,
    DatasetError,
    FramesLayout,
    detect_layout,
    detectable_layouts,
)
from vadkit.utils import register_all_modules

register_all_modules()


# ---------------------------------------------------------------- detection
def test_detect_layout_and_auto_layout(tmp_path):
    names = [c.__name__ for c in detectable_layouts()]
    assert names == ['UcsdLayout', 'AvenueLayout', 'ShanghaiTechLayout', 'FramesLayout',
                     'VideoFolderLayout']
    root = str(tmp_path / 'frames')
    labels = make_frames_dataset(root)
    np.save(osp.join(root, 'ground_truth', 'frame_labels_tiny.npy'), np.concatenate(labels))
    assert detect_layout(root) is FramesLayout
    auto = AutoLayout(root)
    assert isinstance(auto.layout, FramesLayout)
    ds = VideoWindowDataset(dict(type='AutoLayout', root=root), split='test', window_length=5,
                            decode_pipeline=GRAY, cache_dir=None)
    assert len(ds) == (14 - 4) + (11 - 4)
    with pytest.raises(DatasetError, match='does not take the layout arguments'):
        AutoLayout(root, scene=1)
    stranger = tmp_path / 'stranger'
    (stranger / 'docs').mkdir(parents=True)
    (stranger / 'docs' / 'readme.txt').write_text('hello')
    with pytest.raises(DatasetError) as e:
        detect_layout(str(stranger))
    for name in names:
        assert name in str(e.value)
    with pytest.raises(DatasetError, match='does not exist'):
        detect_layout(str(tmp_path / 'missing'))
