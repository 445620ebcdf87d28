"""Pseudo-anomalies made from normal videos: each event changes exactly the frames it
labels, the written set is a frames-layout test set any config reads, and bad requests stop
with the fix."""
import json

import cv2
import numpy as np
import pytest

from vadkit.datasets import VideoWindowDataset, generate_synthetic_dataset
from vadkit.datasets.dataset_errors import DatasetError
from vadkit.datasets.pseudo_anomalies import (
    insert_fast_object,
    insert_skip,
    make_pseudo_anomaly_video,
    write_pseudo_anomaly_dataset,
)
from vadkit.utils import register_all_modules

register_all_modules()


def walking_video(n=60, h=48, w=64, seed=0):
    """A textured still scene with one bright block walking right one pixel a frame."""
    rng = np.random.default_rng(seed)
    bg = rng.integers(60, 120, (h, w)).astype(np.uint8)
    frames = np.repeat(bg[None], n, 0)
    for t in range(n):
        x = (5 + t) % (w - 6)
        frames[t, 20:30, x:x + 5] = 230
    return frames


def test_fast_object_changes_only_the_frames_it_labels():
    frames = walking_video()
    out, event = insert_fast_object(frames, np.random.default_rng(3))
    labels = event['labels']
    changed = np.array([not np.array_equal(a, b) for a, b in zip(frames, out)])
    assert labels.sum() > 0 and labels[:len(frames) // 4].sum() == 0
    assert np.array_equal(changed, labels.astype(bool))
    # one contiguous crossing, starting where the event says
    idx = np.flatnonzero(labels)
    assert np.all(np.diff(idx) == 1) and idx[0] >= event['start']
    # it crosses in about 1/speed frames: across 64 (or 48) pixels at >= 1/25 a frame
    assert labels.sum() <= 25 + 2 + 1
    # the region comes from where something moved: it holds the bright walker
    top, left, bh, bw = event['box']
    assert frames[event['source_frame'], top:top + bh, left:left + bw].max() == 230
    # seeded: the same generator gives the same video
    again, _ = insert_fast_object(frames, np.random.default_rng(3))
    assert np.array_equal(out, again)


def test_fast_object_keeps_colour_frames_and_moves_in_a_still_scene():
    frames = np.repeat(walking_video()[..., None], 3, -1)
    out, event = insert_fast_object(frames, np.random.default_rng(0))
    assert out.shape == frames.shape and event['labels'].sum() > 0
    still = np.full((40, 48, 64), 100, np.uint8)
    still[:, 10:20, 10:20] = 200          # texture, but nothing moves
    out, event = insert_fast_object(still, np.random.default_rng(1))
    assert event['labels'].sum() > 0


def test_skip_plays_a_stretch_too_fast_and_labels_it():
    frames = np.arange(90, dtype=np.uint8)[:, None, None] * np.ones((1, 4, 4), np.uint8)
    out, event = insert_skip(frames, np.random.default_rng(0), rate=3)
    start, length, labels = event['start'], event['length'], event['labels']
    assert len(out) == len(frames) - 2 * length == len(labels)
    assert labels.sum() == length == 15 and np.all(labels[start:start + length] == 1)
    assert 90 // 4 <= start < 90 // 2
    values = out[:, 0, 0].astype(int)
    assert np.array_equal(values[:start], np.arange(start))
    assert np.all(np.diff(values[start:start + length + 1]) == 3)
    assert np.all(np.diff(values[start + length:]) == 1)


def test_unknown_kind_and_short_videos_are_refused():
    with pytest.raises(DatasetError, match='unknown pseudo-anomaly kind'):
        make_pseudo_anomaly_video(walking_video(), 'explosion', np.random.default_rng(0))
    with pytest.raises(DatasetError, match='too short'):
        make_pseudo_anomaly_video(walking_video(n=5), 'skip', np.random.default_rng(0))


def test_written_set_is_a_test_split_with_matching_labels(tmp_path):
    root = generate_synthetic_dataset(str(tmp_path / 'syn'), num_train=3, num_test=1,
                                      num_frames=40, size=32)
    out = tmp_path / 'pseudo'
    meta = write_pseudo_anomaly_dataset(root, str(out), seed=1)
    assert [v['kind'] for v in meta['videos']] == ['fast_object', 'skip', 'fast_object']
    saved = json.loads((out / 'pseudo_anomalies.json').read_text())
    assert saved['videos'] == meta['videos']
    ds = VideoWindowDataset(dict(type='AutoLayout', root=str(out)), split='test',
                            window_length=5, cache_dir=None)
    assert [v.name for v in ds.videos] == ['01', '02', '03']
    assert [v.num_frames for v in ds.videos] == [v['frames'] for v in meta['videos']]
    assert [int(v.labels.sum()) for v in ds.videos] == [v['anomalous_frames']
                                                         for v in meta['videos']]
    assert ds.videos[1].num_frames < 40            # the skip shortened it
    # seeded: the same call writes the same frames
    again = write_pseudo_anomaly_dataset(root, str(tmp_path / 'again'), seed=1)
    assert again['videos'] == meta['videos']
    a = (out / 'testing/frames/01/00020.png').read_bytes()
    assert a == (tmp_path / 'again/testing/frames/01/00020.png').read_bytes()


def test_an_existing_folder_is_never_replaced_by_surprise(tmp_path):
    root = generate_synthetic_dataset(str(tmp_path / 'syn'), num_train=2, num_test=1,
                                      num_frames=30, size=32)
    mine = tmp_path / 'mine'
    mine.mkdir()
    (mine / 'notes.txt').write_text('keep')
    with pytest.raises(DatasetError, match='never replaces a folder it did not make'):
        write_pseudo_anomaly_dataset(root, str(mine))
    assert (mine / 'notes.txt').read_text() == 'keep'
    out = tmp_path / 'pseudo'
    write_pseudo_anomaly_dataset(root, str(out), kinds=['skip'])
    with pytest.raises(DatasetError, match='--overwrite'):
        write_pseudo_anomaly_dataset(root, str(out))
    meta = write_pseudo_anomaly_dataset(root, str(out), overwrite=True, max_videos=1)
    assert len(meta['videos']) == 1 and meta['videos'][0]['kind'] == 'fast_object'
    assert sorted(p.name for p in (out / 'testing/frames').iterdir()) == ['01']
    with pytest.raises(DatasetError, match='unknown pseudo-anomaly kind'):
        write_pseudo_anomaly_dataset(root, str(tmp_path / 'x'), kinds=['blur'])


def test_video_files_of_ones_own_site_become_a_pseudo_anomaly_set(tmp_path):
    """A practitioner's footage: training videos as files (and frame folders) in the
    user layout; every frame decodes into the set, whatever the source."""
    from layout_writers import make_video_folder
    root = tmp_path / 'site'
    make_video_folder(str(root))                 # train: cam1.avi (12), cam2/ (10 frames)
    meta = write_pseudo_anomaly_dataset(str(root), str(tmp_path / 'pseudo'))
    events = {v['video']: v for v in meta['videos']}
    assert sorted(events) == ['cam1', 'cam2']
    assert events['cam1']['source'].endswith('cam1.avi')
    kinds = {e['kind']: e for e in events.values()}
    assert sorted(kinds) == ['fast_object', 'skip']
    source_frames = dict(cam1=12, cam2=10)
    assert kinds['fast_object']['frames'] == source_frames[kinds['fast_object']['video']]
    assert kinds['skip']['frames'] < source_frames[kinds['skip']['video']]
    ds = VideoWindowDataset(dict(type='AutoLayout', root=str(tmp_path / 'pseudo')),
                            split='test', window_length=3, cache_dir=None)
    # each video gets its own labels (the layout lists cam2's folder before cam1's file;
    # the set's folders are read in natural order, and so are they written)
    for v in ds.videos:
        assert (v.num_frames, int(v.labels.sum())) == (events[v.name]['frames'],
                                                        events[v.name]['anomalous_frames'])


def test_short_videos_are_left_out_and_tiny_frames_named(tmp_path):
    root = generate_synthetic_dataset(str(tmp_path / 'syn'), num_train=2, num_test=1,
                                      num_frames=30, size=32)
    # cut training video 02 to 5 frames: too short for an event
    folder = tmp_path / 'syn' / 'training' / 'frames' / '02'
    for p in sorted(folder.iterdir())[5:]:
        p.unlink()
    meta = write_pseudo_anomaly_dataset(root, str(tmp_path / 'pseudo'))
    assert [v['video'] for v in meta['videos']] == ['01']
    for p in sorted((tmp_path / 'syn' / 'training' / 'frames' / '01').iterdir())[5:]:
        p.unlink()
    with pytest.raises(DatasetError, match='no training video has the 8 frames'):
        write_pseudo_anomaly_dataset(root, str(tmp_path / 'none'))
    tiny = tmp_path / 'tiny' / 'training' / 'frames' / 'cam'
    tiny.mkdir(parents=True)
    for t in range(20):
        cv2.imwrite(str(tiny / f'{t:03d}.png'), np.full((4, 4), 10 * t, np.uint8))
    with pytest.raises(DatasetError, match=r'training video cam \(.*\): frames of 4x4 are too '
                                           'small'):
        write_pseudo_anomaly_dataset(str(tmp_path / 'tiny'), str(tmp_path / 'p2'),
                                     kinds=['fast_object'])
