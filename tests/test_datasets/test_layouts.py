"""Dataset layouts on tiny synthetic datasets: frames, order, labels, detection, the frame
cache, prepare_dataset.py, and every bad input failing with a message that names the file."""
import json
import os
import os.path as osp
import sys

import cv2
import numpy as np
import pytest
import scipy.io as sio

from vadkit.datasets import FrameDecodeError, FrameStore, VideoRecord, VideoWindowDataset
from vadkit.datasets.layouts import (
    AutoLayout,
    AvenueLayout,
    BaseLayout,
    DatasetError,
    FramesLayout,
    ShanghaiTechLayout,
    UcsdLayout,
    VideoFolderLayout,
    detect_layout,
    detectable_layouts,
)
from vadkit.datasets.layouts.label_files import parse_m_ranges, read_interval_file
from vadkit.utils import register_all_modules

register_all_modules()

SIZE = (32, 48)  # H, W: multiples of 16 keep MJPG happy
GRAY = [dict(type='Grayscale')]


# ---------------------------------------------------------------- tiny dataset writers
def levels(n: int) -> np.ndarray:
    """Frame t of every video is uniformly grey at this level: order is visible."""
    assert n <= 23
    return 20 + 10 * np.arange(n)


def frame(level: int, size=SIZE, color: bool = True) -> np.ndarray:
    img = np.full(size, level, np.uint8)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) if color else img


def write_frames(folder: str, n: int, ext: str = 'png', first: int = 0, pad: int = 3,
                 size=SIZE, color: bool = True) -> None:
    os.makedirs(folder, exist_ok=True)
    for t, lv in enumerate(levels(n)):
        cv2.imwrite(osp.join(folder, f'{t + first:0{pad}d}.{ext}'), frame(lv, size, color))


def write_avi(path: str, n: int, size=SIZE, fourcc: str = 'MJPG') -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    w = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*fourcc), 25, (size[1], size[0]))
    assert w.isOpened(), f'{fourcc} VideoWriter unavailable'
    for lv in levels(n):
        w.write(frame(lv, size))
    w.release()


def decoded_levels(videos, i: int, cache_dir=None) -> np.ndarray:
    store = FrameStore(videos, GRAY, cache_dir)
    frames = store.read(i, np.arange(videos[i].num_frames))
    return frames.reshape(len(frames), -1).mean(axis=1)


def assert_frames_in_order(videos, i: int, cache_dir=None, tol: float = 4.0) -> None:
    """Frame t decodes to level t, within codec loss (levels are 10 apart)."""
    got = decoded_levels(videos, i, cache_dir)
    assert np.abs(got - levels(videos[i].num_frames)).max() < tol, got


def ranges_to_labels(n: int, ranges, base: int = 1) -> np.ndarray:
    y = np.zeros(n, np.uint8)
    for a, b in ranges:
        y[a - base:b - base + 1] = 1
    return y


def make_frames_dataset(root: str, train=(12, 10), test=(14, 11), ext='png') -> list:
    for i, n in enumerate(train):
        write_frames(osp.join(root, 'training', 'frames', f'{i + 1:02d}'), n, ext)
    labels = []
    for i, n in enumerate(test):
        write_frames(osp.join(root, 'testing', 'frames', f'{i + 1:02d}'), n, ext)
        labels.append(ranges_to_labels(n, [(3, 6)] if i == 0 else [(1, 2), (8, n)]))
    os.makedirs(osp.join(root, 'ground_truth'), exist_ok=True)
    return labels


def make_ucsd(folder: str, train=(12, 10), test=(14, 11), ranges=None) -> list:
    ranges = ranges or [[(3, 6)], [(1, 2), (8, 11)]]
    for i, n in enumerate(train):
        write_frames(osp.join(folder, 'Train', f'Train{i + 1:03d}'), n, 'tif', first=1)
    for i, n in enumerate(test):
        write_frames(osp.join(folder, 'Test', f'Test{i + 1:03d}'), n, 'tif', first=1)
    # pixel masks of the first test video: a folder that is not a video
    write_frames(osp.join(folder, 'Test', 'Test001_gt'), test[0], 'bmp', first=1)
    lines = ['TestVideoFile = {};'] + [
        'TestVideoFile{end+1}.gt_frame = [' + ', '.join(f'{a}:{b}' for a, b in r) + '];'
        for r in ranges]
    name = osp.basename(folder)
    with open(osp.join(folder, 'Test', f'{name}.m'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return [ranges_to_labels(n, r) for n, r in zip(test, ranges)]


def save_vollabel(path: str, labels, size=(8, 12)) -> None:
    cell = np.empty((1, len(labels)), dtype=object)
    for t, y in enumerate(labels):
        m = np.zeros(size, np.uint8)
        if y:
            m[2:4, 3:6] = 1
        cell[0, t] = m
    sio.savemat(path, {'volLabel': cell}, do_compression=True)


def make_avenue(root: str, train=(12, 10), test=(14, 11)) -> list:
    for i, n in enumerate(train):
        write_avi(osp.join(root, 'training_videos', f'{i + 1:02d}.avi'), n)
    labels = []
    os.makedirs(osp.join(root, 'testing_label_mask'))
    for i, n in enumerate(test):
        write_avi(osp.join(root, 'testing_videos', f'{i + 1:02d}.avi'), n)
        y = ranges_to_labels(n, [(2, 5)] if i == 0 else [(n - 3, n)])
        save_vollabel(osp.join(root, 'testing_label_mask', f'{i + 1}_label.mat'), y)
        labels.append(y)
    return labels


def make_shanghaitech(root: str) -> dict:
    write_avi(osp.join(root, 'training', 'videos', '01_001.avi'), 12)
    write_avi(osp.join(root, 'training', 'videos', '02_001.avi'), 10)
    write_avi(osp.join(root, 'training', 'videos', '01_002.avi'), 9)
    labels = {}
    for name, n in (('01_0014', 13), ('01_0025', 10), ('02_0128', 12)):
        write_frames(osp.join(root, 'testing', 'frames', name), n, 'jpg')
        y = ranges_to_labels(n, [(4, 7)])
        os.makedirs(osp.join(root, 'testing', 'test_frame_mask'), exist_ok=True)
        np.save(osp.join(root, 'testing', 'test_frame_mask', f'{name}.npy'), y.astype(np.int64))
        labels[name] = y
    return labels


def make_video_folder(root: str) -> dict:
    write_avi(osp.join(root, 'train', 'cam1.avi'), 12)
    write_frames(osp.join(root, 'train', 'cam2'), 10, 'jpg', first=1, pad=6)
    write_avi(osp.join(root, 'test', 'clip_a.avi'), 14)
    write_frames(osp.join(root, 'test', 'clip_b'), 11, 'png', pad=1)
    write_avi(osp.join(root, 'test', 'clip_c.mp4'), 9, fourcc='mp4v')  # MPEG-4 in .mp4
    os.makedirs(osp.join(root, 'labels'))
    with open(osp.join(root, 'labels', 'clip_a.csv'), 'w') as f:
        f.write('start,end\n# a comment\n2,4\n10, 13\n')
    with open(osp.join(root, 'labels', 'clip_b.json'), 'w') as f:
        json.dump([[0, 0], [5, 7]], f)
    open(osp.join(root, 'labels', 'clip_c.csv'), 'w').close()  # no anomaly
    return {'clip_a': ranges_to_labels(14, [(2, 4), (10, 13)], base=0),
            'clip_b': ranges_to_labels(11, [(0, 0), (5, 7)], base=0),
            'clip_c': np.zeros(9, np.uint8)}


# ---------------------------------------------------------------- frames layout
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


def test_parse_ucsd_m_ranges_ped1_style():
    text = ('TestVideoFile = {};\n% comment [1:3]\n'
            'TestVideoFile{end+1}.gt_frame = [60:152];\n'
            'TestVideoFile{end+1}.gt_frame = [1:20, 50:80];\n'
            'TestVideoFile{end+1}.gt_frame = [5:90 140 : 200];\n'
            'TestVideoFile{end+1}.gt_frame = [7];\n')
    assert parse_m_ranges(text) == [[(60, 152)], [(1, 20), (50, 80)], [(5, 90), (140, 200)],
                                    [(7, 7)]]


# ---------------------------------------------------------------- UCSD
@pytest.fixture
def ucsd_root(tmp_path):
    parent = tmp_path / 'UCSD_Anomaly_Dataset.v1p2'
    labels2 = make_ucsd(str(parent / 'UCSDped2'))
    labels1 = make_ucsd(str(parent / 'UCSDped1'), train=(10, ), test=(12, 13, 9),
                        ranges=[[(1, 5), (9, 12)], [(2, 3)], [(4, 9)]])
    return parent, labels1, labels2


def test_ucsd_native_layout(ucsd_root):
    parent, labels1, labels2 = ucsd_root
    layout = UcsdLayout(str(parent / 'UCSDped2'))
    test = layout.load('test')
    assert [v.name for v in test] == ['Test001', 'Test002']  # Test001_gt is no video
    for v, y in zip(test, labels2):
        np.testing.assert_array_equal(v.labels, y)
        assert v.label_source.endswith('UCSDped2.m')
    assert_frames_in_order(test, 1, tol=0.5)
    train = layout.load('train')
    assert [v.num_frames for v in train] == [12, 10]
    # the parent folder: pick the subset; Ped1's several ranges a video
    test1 = UcsdLayout(str(parent), subset='ped1').load('test')
    for v, y in zip(test1, labels1):
        np.testing.assert_array_equal(v.labels, y)
    assert UcsdLayout(str(parent), subset=2).load('test')[0].num_frames == 14
    with pytest.raises(DatasetError, match="subset='ped1' or subset='ped2'"):
        UcsdLayout(str(parent)).load('test')
    assert detect_layout(str(parent / 'UCSDped2')) is UcsdLayout
    assert detect_layout(str(parent)) is UcsdLayout


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


def test_interval_file_formats(tmp_path):
    for name, text in (('a.csv', 'start,end\n1,2\n5,9\n'), ('b.txt', '1 2\n5\t9\n'),
                       ('c.json', '{"anomalies": [[1, 2], [5, 9]]}'),
                       ('d.csv', '# start;end\n1;2\n5;9\n')):
        p = tmp_path / name
        p.write_text(text)
        assert read_interval_file(str(p)) == [(1, 2), (5, 9)], name
    (tmp_path / 'bad.csv').write_text('1,2\nfive,9\n')
    with pytest.raises(DatasetError, match='bad.csv'):
        read_interval_file(str(tmp_path / 'bad.csv'))


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


# ---------------------------------------------------------------- bad inputs
def test_label_length_mismatch_names_file_and_both_counts(tmp_path):
    root = str(tmp_path / 'sh')
    make_shanghaitech(root)
    bad = osp.join(root, 'testing', 'test_frame_mask', '01_0025.npy')
    np.save(bad, np.zeros(12))
    with pytest.raises(DatasetError) as e:
        ShanghaiTechLayout(root).load('test')
    msg = str(e.value)
    assert bad in msg and '12 entries' in msg and '10 frames' in msg
    # Avenue: one mask too many
    root = str(tmp_path / 'av')
    make_avenue(root)
    bad = osp.join(root, 'testing_label_mask', '2_label.mat')
    save_vollabel(bad, np.zeros(12))
    with pytest.raises(DatasetError) as e:
        AvenueLayout(root).load('test')
    msg = str(e.value)
    assert bad in msg and '12 entries' in msg and '11 frames' in msg and 'decode' in msg
    # a whole-split file of another length
    root = str(tmp_path / 'fr')
    make_frames_dataset(root)
    np.save(osp.join(root, 'ground_truth', 'frame_labels_x.npy'), np.zeros((1, 24)))
    with pytest.raises(DatasetError, match=r'has 24 frame labels but the 2 test videos have 25'):
        FramesLayout(root).load('test')
    # ranges past a video's end
    with open(osp.join(root, 'ground_truth', 'x.m'), 'w') as f:
        f.write('gt_frame = [3:6];\ngt_frame = [5:12];\n')
    with pytest.raises(DatasetError, match=r'x\.m marks frames 5-12 .* which has 11 frames'):
        FramesLayout(root, label_file='ground_truth/x.m').load('test')


def test_test_video_without_labels(tmp_path):
    root = str(tmp_path / 'vf')
    make_video_folder(root)
    os.remove(osp.join(root, 'labels', 'clip_c.csv'))
    with pytest.raises(DatasetError, match=r'clip_c\.mp4 has no labels.*clip_c\.csv'):
        VideoFolderLayout(root).load('test')
    unlabelled = VideoFolderLayout(root, require_labels=False).load('test')
    assert [v.labels is None for v in unlabelled] == [False, False, True]
    root = str(tmp_path / 'sh')
    make_shanghaitech(root)
    os.remove(osp.join(root, 'testing', 'test_frame_mask', '02_0128.npy'))
    with pytest.raises(DatasetError, match=r'02_0128 has no labels: .*02_0128\.npy'):
        ShanghaiTechLayout(root).load('test')
    root = str(tmp_path / 'av')
    make_avenue(root)
    os.remove(osp.join(root, 'testing_label_mask', '1_label.mat'))
    with pytest.raises(DatasetError, match=r'01\.avi has no label masks.*1_label\.mat'):
        AvenueLayout(root).load('test')
    # an interval outside the video, with the index-base hint
    root = str(tmp_path / 'vf2')
    make_video_folder(root)
    with open(osp.join(root, 'labels', 'clip_c.csv'), 'w') as f:
        f.write('0,9\n')
    with pytest.raises(DatasetError, match=r'clip_c\.csv marks frames 0-9 .*label_index_base'):
        VideoFolderLayout(root).load('test')


def test_unreadable_and_truncated_frames(tmp_path):
    root = str(tmp_path / 'data')
    make_frames_dataset(root, ext='jpg')
    folder = osp.join(root, 'training', 'frames', '01')
    garbage, cut = osp.join(folder, '003.jpg'), osp.join(folder, '007.jpg')
    with open(garbage, 'wb') as f:
        f.write(b'not a jpeg at all')
    data = open(cut, 'rb').read()
    with open(cut, 'wb') as f:
        f.write(data[:len(data) // 2])  # OpenCV alone would decode this "fine"
    videos = FramesLayout(root).load('train')
    with pytest.raises(FrameDecodeError, match='003.jpg'):
        FrameStore(videos, GRAY, str(tmp_path / 'cache'))
    assert not [n for n in os.listdir(tmp_path / 'cache') if n.endswith('.npy')]
    lazy = FrameStore(videos, GRAY, None)
    with pytest.raises(FrameDecodeError, match='003.jpg'):
        lazy.read(0, [3])
    with pytest.raises(FrameDecodeError, match=r'007\.jpg is a truncated JPEG'):
        lazy.read(0, [7])
    open(garbage, 'wb').close()
    with pytest.raises(FrameDecodeError, match='003.jpg is an empty file'):
        lazy.read(0, [3])


def test_truncated_and_unreadable_video(tmp_path):
    root = str(tmp_path)
    make_avenue(root)
    path = osp.join(root, 'training_videos', '01.avi')
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:int(len(data) * 0.6)])
    with pytest.raises(FrameDecodeError, match='01.avi'):
        videos = AvenueLayout(root).load('train')  # header may still claim all frames ...
        FrameStore(videos, GRAY, str(tmp_path / 'cache'))  # ... decoding finds the cut
    with pytest.raises(FrameDecodeError, match='01.avi'):
        videos = AvenueLayout(root).load('train')
        FrameStore(videos, GRAY, None).read(0, [videos[0].num_frames - 1])
    with open(path, 'wb') as f:
        f.write(b'\x00' * 1000)
    with pytest.raises(FrameDecodeError, match=r'cannot open video .*01\.avi'):
        AvenueLayout(root).load('train')
    # a container that opens but holds fewer frames than its header (and record) claims:
    # unlabelled, the frames that decode are used; labelled, it is an error
    ok = osp.join(root, 'training_videos', '02.avi')  # 10 frames
    for cache in (str(tmp_path / 'cache'), None):
        overstated = [VideoRecord(name='02', video_file=ok, num_frames=13)]
        store = FrameStore(overstated, GRAY, cache)
        v = overstated[0]
        assert (v.num_frames, v.header_frames, v.decoded_frames) == (10, 13, 10)
        assert store.read(0, [9]).shape[0] == 1
        with pytest.raises(IndexError, match='it has 10'):
            store.read(0, [10])
        labelled = [VideoRecord(name='02', video_file=ok, num_frames=13, labels=np.zeros(13),
                                label_source='gt.npy')]
        with pytest.raises(FrameDecodeError, match=r'02\.avi\): only 10 of its 13 frames '
                           r'decode, but its labels \(gt\.npy\).*misalign'):
            FrameStore(labelled, GRAY, cache)
    # labels that disagree with the header are checked against a decoded count
    v = VideoRecord(name='02', video_file=ok, num_frames=13, labels=np.zeros(10))
    BaseLayout.check_label_length(v, 'labels.npy')
    assert v.num_frames == 10
    v = VideoRecord(name='02', video_file=ok, num_frames=13, labels=np.zeros(11))
    with pytest.raises(DatasetError, match=r'11 entries but the video has 13 frames \(its '
                       r'header says 13, 10 decode\)'):
        BaseLayout.check_label_length(v, 'labels.npy')


def test_empty_split_and_empty_video(tmp_path):
    root = str(tmp_path / 'vf')
    make_video_folder(root)
    for name in os.listdir(osp.join(root, 'train')):
        p = osp.join(root, 'train', name)
        if osp.isdir(p):
            for n in os.listdir(p):
                os.remove(osp.join(p, n))
            os.rmdir(p)
        else:
            os.remove(p)
    with pytest.raises(DatasetError, match='the train split is empty'):
        VideoFolderLayout(root).load('train')
    root = str(tmp_path / 'fr')
    make_frames_dataset(root)
    os.makedirs(osp.join(root, 'training', 'frames', '03'))
    with pytest.raises(DatasetError, match=r"videos \['03'\] have no frames"):
        FramesLayout(root).load('train')


def test_mixed_resolutions(tmp_path):
    root = str(tmp_path)
    write_frames(osp.join(root, 'training', 'frames', '01'), 6)
    write_frames(osp.join(root, 'training', 'frames', '02'), 6, size=(16, 16))
    videos = FramesLayout(root).load('train')
    with pytest.raises(DatasetError, match=r'02/000.png decodes to shape \(16, 16\).*Resize'):
        FrameStore(videos, GRAY, str(tmp_path / 'cache'))
    lazy = FrameStore(videos, GRAY, None)
    lazy.read(0, [0, 1])
    with pytest.raises(DatasetError, match=r'mixes resolutions'):
        lazy.read(1, [0])
    resized = FrameStore(videos, GRAY + [dict(type='Resize', size=(8, 8))], None)
    assert resized.read(1, [0]).shape == (1, 8, 8)


# ---------------------------------------------------------------- prepare_dataset.py
def _prepare_main():
    tools = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tools', 'data')
    sys.path.insert(0, tools)
    try:
        import prepare_dataset
    finally:
        sys.path.remove(tools)
    return prepare_dataset.main


def test_prepare_dataset_builds_the_cache_training_reuses(tmp_path, capsys):
    main = _prepare_main()
    root = str(tmp_path / 'data')
    labels = make_frames_dataset(root)
    np.save(osp.join(root, 'ground_truth', 'frame_labels_tiny.npy'), np.concatenate(labels))
    cache = str(tmp_path / 'cache')
    assert main([root, '--size', '16', '16', '--window-length', '5', '--cache-dir', cache]) == 0
    out = capsys.readouterr().out
    assert 'FramesLayout' in out and '2 videos' in out and '22 frames' in out
    assert 'labels: 10 anomalous of 25 frames' in out and 'frame_labels_tiny.npy' in out
    assert out.count('cache built') == 2
    built = sorted(os.listdir(cache))
    # training builds the same dataset: it finds the cache and decodes nothing
    ds = VideoWindowDataset(dict(type='FramesLayout', root=root), split='train',
                            window_length=5, decode_pipeline=GRAY + [
                                dict(type='Resize', size=(16, 16))], cache_dir=cache)
    assert sorted(os.listdir(cache)) == built and ds.frames.cache_path in [
        osp.join(cache, n) for n in built]
    assert main([root, '--size', '16', '16', '--window-length', '5', '--cache-dir', cache]) == 0
    assert capsys.readouterr().out.count('up to date (reused)') == 2
    # from a config: its layout, window length and decode pipeline
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(
        "decode_pipeline = [dict(type='Grayscale'), dict(type='Resize', size=(8, 8))]\n"
        "layout = dict(type='FramesLayout', root='elsewhere')\n"
        "train_dataloader = dict(dataset=dict(type='VideoWindowDataset', layout=layout, "
        "split='train', window_length=3, decode_pipeline=decode_pipeline, pipeline=[]))\n"
        "test_dataloader = dict(dataset=dict(type='VideoWindowDataset', layout=layout, "
        "split='test', window_length=3, decode_pipeline=decode_pipeline, pipeline=[]))\n")
    assert main([root, '--config', str(cfg), '--cache-dir', cache]) == 0
    out = capsys.readouterr().out
    assert "'size': (8, 8)" in out and 'window length 3' in out and 'frames of 8x8' in out
    # a root in no known layout: exit status 2 and the layouts checked
    (tmp_path / 'nothing').mkdir()
    assert main([str(tmp_path / 'nothing'), '--no-cache']) == 2
    err = capsys.readouterr().err
    assert 'matches no known dataset layout' in err and 'UcsdLayout' in err
