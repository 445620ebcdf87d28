"""Tiny dataset folders written on the fly in each layout the datasets read (frames, UCSD,
Avenue, ShanghaiTech, video folders): frame t of every video is grey at a known level, so
that order and decoding are visible."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import scipy.io as sio

from vadkit.datasets import FrameStore

SIZE = (32, 48)  # H, W: multiples of 16 keep MJPG happy
GRAY = [dict(type='Grayscale')]


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
