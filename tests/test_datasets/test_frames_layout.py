"""FramesLayout: every label file format gives the same labels; frames in natural order."""
import os.path as osp

import numpy as np
import pytest
import scipy.io as sio
from layout_writers import (
    assert_frames_in_order,
    make_frames_dataset,
    write_frames,
)

from vadkit.datasets.layouts import (
    FramesLayout,
)
from vadkit.utils import register_all_modules

register_all_modules()


def test_frames_layout_label_formats_agree(tmp_path):
    root = str(tmp_path)
    labels = make_frames_dataset(root)
    flat = np.concatenate(labels)
    gt = osp.join(root, 'ground_truth')
    np.save(osp.join(gt, 'two_d.npy'), flat[None].astype(np.int64))
    np.save(osp.join(gt, 'one_d.npy'), flat.astype(bool))
    cell = np.empty((1, 2), dtype=object)
    cell[0, 0] = np.array([[3], [6]], dtype=np.uint8)
    cell[0, 1] = np.array([[1, 8], [2, 11]], dtype=np.uint8)  # two ranges: [start; end]
    sio.savemat(osp.join(gt, 'ranges.mat'), {'gt': cell})
    with open(osp.join(gt, 'ranges.m'), 'w') as f:
        f.write('TestVideoFile{end+1}.gt_frame = [3:6];\n'
                'TestVideoFile{end+1}.gt_frame = [1:2, 8:11];\n')
    for name in ('two_d.npy', 'one_d.npy', 'ranges.mat', 'ranges.m'):
        videos = FramesLayout(root, label_file=f'ground_truth/{name}').load('test')
        assert [v.name for v in videos] == ['01', '02']
        for v, y in zip(videos, labels):
            assert v.labels.dtype == np.uint8
            np.testing.assert_array_equal(v.labels, y, err_msg=name)
            assert v.label_source.endswith(name)
    train = FramesLayout(root, label_file='ground_truth/two_d.npy').load('train')
    assert [v.num_frames for v in train] == [12, 10] and train[0].labels is None
    assert_frames_in_order(train, 0, tol=0.5)


@pytest.mark.parametrize('first,pad', [(0, 3), (1, 1), (1, 5)])
def test_natural_frame_order(tmp_path, first, pad):
    """0- or 1-based names, unpadded or zero padded: frames come in numeric order."""
    root = str(tmp_path)
    write_frames(osp.join(root, 'training', 'frames', '10'), 12, 'png', first, pad)
    write_frames(osp.join(root, 'training', 'frames', '9'), 11, 'png', first, pad)
    videos = FramesLayout(root).load('train')
    assert [v.name for v in videos] == ['9', '10']
    assert osp.basename(videos[1].frames[-1]) == f'{11 + first:0{pad}d}.png'
    assert_frames_in_order(videos, 0, tol=0.5)
    assert_frames_in_order(videos, 1, tol=0.5)
