"""VideoWindowDataset: every window in order, cache and on-demand decoding agree, short
videos skipped, bad roots, frames and labels named; unknown dataset types."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from vadkit.datasets import (
    DatasetError,
    FrameDecodeError,
    VideoWindowDataset,
    generate_synthetic_dataset,
)
from vadkit.registry import DATASETS
from vadkit.utils import register_all_modules

register_all_modules()


def write_frames_dataset(root, train_lengths, test_lengths, size=16):
    """Frames-layout dataset whose pixel values encode (video, frame) for checking reads."""
    labels = []
    for split, lengths in (('training', train_lengths), ('testing', test_lengths)):
        for v, n in enumerate(lengths):
            folder = osp.join(root, split, 'frames', f'{v + 1:02d}')
            os.makedirs(folder)
            for t in range(n):
                cv2.imwrite(osp.join(folder, f'{t}.png'), np.full((size, size), t % 256, np.uint8))
            if split == 'testing':
                y = np.zeros(n, np.uint8)
                y[n // 2:] = 1
                labels.append(y)
    np.save(osp.join(root, 'frame_labels_x.npy'), np.concatenate(labels)[None])
    return root


def test_window_dataset_indexes_every_window_in_order(tmp_path):
    root = write_frames_dataset(str(tmp_path / 'd'), [12, 10], [11, 9])
    ds = VideoWindowDataset(
        layout=dict(type='FramesLayout', root=root), split='test', window_length=5,
        cache_dir=str(tmp_path / 'cache'),
        pipeline=[dict(type='SampleWindow'), dict(type='PackClipInputs')])
    assert len(ds) == (11 - 4) + (9 - 4)
    first, last = ds[0], ds[len(ds) - 1]
    assert first['inputs']['window'].shape == (1, 5, 16, 16)
    assert first['inputs']['window'][0, :, 0, 0].tolist() == [0, 1, 2, 3, 4]
    assert first['data_samples']['frame_idx'] == 4 and first['data_samples']['video_idx'] == 0
    assert last['data_samples']['frame_idx'] == 8 and last['data_samples']['video_idx'] == 1
    labels = [int(ds[i]['data_samples']['label']) for i in range(7)]
    assert labels == [0, 1, 1, 1, 1, 1, 1]  # frames 4..10 of an 11-frame video, 1 from 5
    assert ds.metainfo['num_frames'] == [11, 9]


def test_cache_and_on_demand_decoding_agree(tmp_path):
    root = generate_synthetic_dataset(str(tmp_path / 's'), num_train=1, num_test=1,
                                      num_frames=20, size=32)
    kw = dict(layout=dict(type='FramesLayout', root=root), split='train', window_length=5,
              pipeline=[dict(type='SampleWindow'), dict(type='PackClipInputs', meta_keys=())])
    cached = VideoWindowDataset(cache_dir=str(tmp_path / 'c'), **kw)
    direct = VideoWindowDataset(cache_dir=None, **kw)
    for i in (0, 7, 15):
        assert (cached[i]['inputs']['window'] == direct[i]['inputs']['window']).all()
    # a second dataset reuses the cache file instead of decoding again
    again = VideoWindowDataset(cache_dir=str(tmp_path / 'c'), **kw)
    assert again.frames.cache_path == cached.frames.cache_path


def test_short_videos_are_skipped_with_a_warning(tmp_path, caplog):
    root = write_frames_dataset(str(tmp_path / 'd'), [12], [11, 3])
    ds = VideoWindowDataset(layout=dict(type='FramesLayout', root=root), split='test',
                            window_length=5, cache_dir=None,
                            pipeline=[dict(type='SampleWindow'), dict(type='PackClipInputs')])
    assert [v.name for v in ds.videos] == ['01']


def test_nothing_left_after_skipping_is_an_error(tmp_path):
    root = write_frames_dataset(str(tmp_path / 'd'), [12], [3, 3])
    with pytest.raises(DatasetError, match='no video has the 5 frames'):
        VideoWindowDataset(layout=dict(type='FramesLayout', root=root), split='test',
                           window_length=5, cache_dir=None)


def test_missing_root_names_the_path_and_the_fix(tmp_path):
    with pytest.raises(DatasetError, match='does not exist.*data_root'):
        VideoWindowDataset(layout=dict(type='FramesLayout', root=str(tmp_path / 'nope')),
                           split='train', window_length=5, cache_dir=None)


def test_unreadable_frame_names_the_file(tmp_path):
    root = write_frames_dataset(str(tmp_path / 'd'), [8], [8])
    bad = osp.join(root, 'training', 'frames', '01', '3.png')
    with open(bad, 'wb') as f:
        f.write(b'not an image')
    with pytest.raises(FrameDecodeError, match='3.png'):
        VideoWindowDataset(layout=dict(type='FramesLayout', root=root), split='train',
                           window_length=5, cache_dir=str(tmp_path / 'c'))
    ds = VideoWindowDataset(layout=dict(type='FramesLayout', root=root), split='train',
                            window_length=5, cache_dir=None,
                            pipeline=[dict(type='SampleWindow'), dict(type='PackClipInputs')])
    with pytest.raises(FrameDecodeError, match='3.png'):
        ds[0]


def test_labels_that_do_not_match_the_frames(tmp_path):
    root = write_frames_dataset(str(tmp_path / 'd'), [8], [8, 9])
    np.save(osp.join(root, 'frame_labels_x.npy'), np.zeros((1, 20), np.uint8))
    with pytest.raises(DatasetError, match='20 frame labels.*17 frames'):
        VideoWindowDataset(layout=dict(type='FramesLayout', root=root), split='test',
                           window_length=5, cache_dir=None)


def test_unknown_dataset_type_suggests_close_matches():
    with pytest.raises(KeyError, match="VideoWindowDataset"):
        DATASETS.build(dict(type='VideoWindowDatset'))
