"""The real UCSD Ped2 through every label format and layout it is distributed in.

The shared copy is in the "frames" layout with three ground-truth files (.npy, .mat, .m).
The test converts it (in tmp) into the UCSD native layout (TIFF frames, ``UCSDped2.m``) and
into Avenue's layout (MJPG ``.avi`` videos, ``volLabel`` mask files), and checks that every
way gives the same labels (1,648 anomalous of 2,010 test frames) and the same frames, up to
codec loss. Skipped when the dataset is not there.
"""
import os
import os.path as osp
import shutil
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pytest
import scipy.io as sio

from vadkit.datasets import FrameStore
from vadkit.datasets.layouts import (
    AutoLayout,
    AvenueLayout,
    FramesLayout,
    UcsdLayout,
    detect_layout,
)
from vadkit.utils import register_all_modules

register_all_modules()

PED2 = '/work/shared/datasets/ped2'
GT = osp.join(PED2, 'ground_truth')
pytestmark = pytest.mark.skipif(not osp.isdir(PED2), reason=f'{PED2} not available')
COMPARE = [dict(type='Grayscale'), dict(type='Resize', size=(64, 64))]
FRAME_VIDEOS = (0, 5, 11)  # test videos whose frames are compared after conversion
TRAIN_VIDEOS = 2  # training videos converted (to check the train split loads)


@pytest.fixture(scope='module')
def reference():
    test = FramesLayout(PED2, label_file=osp.join(GT, 'frame_labels_ped2.npy')).load('test')
    train = FramesLayout(PED2).load('train')
    return train, test


def test_ped2_label_files_agree(reference):
    _, ref = reference
    assert len(ref) == 12 and sum(v.num_frames for v in ref) == 2010
    assert sum(int(v.labels.sum()) for v in ref) == 1648
    for name in ('ped2.mat', 'UCSDped2.m'):
        videos = FramesLayout(PED2, label_file=osp.join(GT, name)).load('test')
        assert [v.name for v in videos] == [v.name for v in ref]
        for v, r in zip(videos, ref):
            np.testing.assert_array_equal(v.labels, r.labels, err_msg=f'{name} {v.name}')
            assert v.label_source.endswith(name)
    assert detect_layout(PED2) is FramesLayout


def _convert_video(args):
    """One Ped2 video -> UCSD TIFF folder (grayscale, as distributed) and an MJPG .avi."""
    frames, tif_dir, avi_path = args
    os.makedirs(tif_dir)
    writer = None
    for t, path in enumerate(frames):
        img = cv2.imread(path)
        cv2.imwrite(osp.join(tif_dir, f'{t + 1:03d}.tif'), cv2.cvtColor(img,
                                                                       cv2.COLOR_BGR2GRAY))
        if avi_path:
            if writer is None:
                h, w = img.shape[:2]
                writer = cv2.VideoWriter(avi_path, cv2.VideoWriter_fourcc(*'MJPG'), 10, (w, h))
                assert writer.isOpened()
            writer.write(img)
    if writer is not None:
        writer.release()


@pytest.fixture(scope='module')
def converted(tmp_path_factory, reference):
    """Ped2 in the UCSD native and Avenue layouts: all 12 test videos (for the labels of
    the whole set), the first training videos."""
    train, test = reference
    base = tmp_path_factory.mktemp('ped2_formats')
    ucsd, avenue = base / 'UCSDped2', base / 'avenue'
    for d in ('training_videos', 'testing_videos', 'testing_label_mask'):
        (avenue / d).mkdir(parents=True)
    jobs = [(v.frames, str(ucsd / 'Test' / f'Test{i + 1:03d}'),
             str(avenue / 'testing_videos' / f'{i + 1:02d}.avi')) for i, v in enumerate(test)]
    jobs += [(v.frames, str(ucsd / 'Train' / f'Train{i + 1:03d}'),
              str(avenue / 'training_videos' / f'{i + 1:02d}.avi'))
             for i, v in enumerate(train[:TRAIN_VIDEOS])]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(_convert_video, jobs))
    shutil.copy(osp.join(GT, 'UCSDped2.m'), ucsd / 'Test' / 'UCSDped2.m')
    (ucsd / 'Test' / 'Test001_gt').mkdir()  # pixel-mask folder: not a video
    cv2.imwrite(str(ucsd / 'Test' / 'Test001_gt' / '001.bmp'), np.zeros((240, 360), np.uint8))
    for i, v in enumerate(test):  # Avenue-style masks: non-zero pixels in anomalous frames
        cell = np.empty((1, v.num_frames), dtype=object)
        for t, y in enumerate(v.labels):
            mask = np.zeros((60, 90), np.uint8)
            mask[20:30, 40:50] = y
            cell[0, t] = mask
        sio.savemat(str(avenue / 'testing_label_mask' / f'{i + 1}_label.mat'),
                    {'volLabel': cell}, do_compression=True)
    # the older whole-split label file of MNAD-style code, here the same labels
    shutil.copy(osp.join(GT, 'frame_labels_ped2.npy'), avenue / 'frame_labels_avenue.npy')
    return str(ucsd), str(avenue)


def _assert_same_labels(videos, ref):
    assert len(videos) == len(ref) == 12
    assert [v.num_frames for v in videos] == [v.num_frames for v in ref]
    for v, r in zip(videos, ref):
        np.testing.assert_array_equal(v.labels, r.labels, err_msg=v.name)
    assert sum(int(v.labels.sum()) for v in videos) == 1648


def _assert_same_frames(videos, ref, indices, tol=3.0):
    ours, theirs = FrameStore(videos, COMPARE, None), FrameStore(ref, COMPARE, None)
    for i in indices:
        ids = np.arange(ref[i].num_frames)
        a = ours.read(i, ids).astype(np.float32)
        b = theirs.read(i, ids).astype(np.float32)
        diff = np.abs(a - b).mean(axis=(1, 2))
        assert diff.max() < tol, f'video {i}: mean abs diff up to {diff.max():.2f} grey levels'


def test_ped2_ucsd_native_layout(converted, reference):
    ucsd, _ = converted
    train_ref, ref = reference
    layout = UcsdLayout(ucsd)
    test = layout.load('test')
    assert [v.name for v in test] == [f'Test{i:03d}' for i in range(1, 13)]
    _assert_same_labels(test, ref)
    assert test[0].label_source.endswith('UCSDped2.m')
    _assert_same_frames(test, ref, FRAME_VIDEOS, tol=1.0)  # lossless TIFF
    train = layout.load('train')
    assert [v.num_frames for v in train] == [v.num_frames for v in train_ref[:TRAIN_VIDEOS]]
    _assert_same_frames(train, train_ref, [0], tol=1.0)
    auto = AutoLayout(ucsd)
    assert isinstance(auto.layout, UcsdLayout)
    assert isinstance(AutoLayout(osp.dirname(ucsd)).layout, UcsdLayout)


def test_ped2_avenue_layout(converted, reference):
    _, avenue = converted
    train_ref, ref = reference
    test = AvenueLayout(avenue).load('test')
    assert all(v.video_file for v in test)
    _assert_same_labels(test, ref)
    assert test[0].label_source.endswith('(label_set=masks)')
    _assert_same_frames(test, ref, FRAME_VIDEOS)  # MJPG: within codec loss
    mnad = AvenueLayout(avenue, label_set='mnad').load('test')
    _assert_same_labels(mnad, ref)
    assert mnad[0].label_source.endswith('frame_labels_avenue.npy (label_set=mnad)')
    train = AvenueLayout(avenue).load('train')
    assert [v.num_frames for v in train] == [v.num_frames for v in train_ref[:TRAIN_VIDEOS]]
    assert detect_layout(avenue) is AvenueLayout
