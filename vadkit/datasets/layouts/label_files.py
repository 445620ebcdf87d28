"""Readers of frame-level ground truth files, each returning one 0/1 array per test video."""
import os.path as osp
import re
from typing import List, Sequence

import numpy as np

from .base_layout import DatasetError


def labels_from_ranges(ranges: Sequence[Sequence[tuple]], counts: Sequence[int],
                       names: Sequence[str], source: str) -> List[np.ndarray]:
    """Per-video 0/1 arrays from 1-based inclusive ``(start, end)`` ranges."""
    if len(ranges) != len(counts):
        raise DatasetError(f'ground truth {source} has ranges for {len(ranges)} test videos '
                           f'but the test split has {len(counts)} videos ({list(names)})')
    labels = []
    for rs, n, name in zip(ranges, counts, names):
        y = np.zeros(n, dtype=np.uint8)
        for a, b in rs:
            if not 1 <= a <= b <= n:
                raise DatasetError(
                    f'ground truth {source} marks frames {a}-{b} (1-based) of test video '
                    f'{name}, which has {n} frames: check that the label file belongs to '
                    'these frames')
            y[a - 1:b] = 1
        labels.append(y)
    return labels


def split_concatenated(flat: np.ndarray, counts: Sequence[int], names: Sequence[str],
                       source: str) -> List[np.ndarray]:
    """Split labels of all test videos concatenated in order."""
    if flat.size != sum(counts):
        raise DatasetError(
            f'ground truth {source} has {flat.size} frame labels but the {len(counts)} test '
            f'videos have {sum(counts)} frames: the label file does not match these frames '
            '(another dataset, a different frame extraction, or missing videos)')
    bounds = np.cumsum([0] + list(counts))
    return [flat[bounds[i]:bounds[i + 1]].astype(np.uint8) for i in range(len(counts))]


def read_npy_labels(path: str, counts, names) -> List[np.ndarray]:
    """``frame_labels_<name>.npy``: (1, N) or (N,) labels of all test videos in order."""
    arr = np.load(path)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise DatasetError(f'{path}: expected labels of shape (1, N) or (N,), got {arr.shape}')
    return split_concatenated((arr != 0).astype(np.uint8), counts, names, path)


def read_mat_ranges(path: str, counts, names) -> List[np.ndarray]:
    """A MATLAB file whose ``gt`` cell holds one ``[start; end]`` (2xK) array a video."""
    from scipy.io import loadmat
    mat = loadmat(path)
    if 'gt' not in mat:
        raise DatasetError(f'{path}: no variable "gt" (found {sorted(k for k in mat if not k.startswith("__"))})')
    cells = mat['gt'].reshape(-1)
    ranges = []
    for cell in cells:
        a = np.asarray(cell, dtype=np.int64)
        a = a.reshape(2, -1) if a.shape[0] == 2 or a.size == 2 else a.T.reshape(2, -1)
        ranges.append([(int(s), int(e)) for s, e in zip(a[0], a[1])])
    return labels_from_ranges(ranges, counts, names, path)


_GT_FRAME = re.compile(r'gt_frame\s*=\s*\[([^\]]*)\]')
_RANGE = re.compile(r'(\d+)\s*:\s*(\d+)')


def read_m_ranges(path: str, counts, names) -> List[np.ndarray]:
    """UCSD's ``UCSDped{1,2}.m``: one ``gt_frame = [a:b, c:d]`` a test video, 1-based."""
    with open(path) as f:
        text = f.read()
    ranges = [[(int(a), int(b)) for a, b in _RANGE.findall(m)] for m in _GT_FRAME.findall(text)]
    if not ranges:
        raise DatasetError(f'{path}: no "gt_frame = [a:b]" line found')
    return labels_from_ranges(ranges, counts, names, path)


LABEL_READERS = {'.npy': read_npy_labels, '.mat': read_mat_ranges, '.m': read_m_ranges}


def read_label_file(path: str, counts, names) -> List[np.ndarray]:
    ext = osp.splitext(path)[1].lower()
    if ext not in LABEL_READERS:
        raise DatasetError(f'unknown label file type {path!r}: use .npy, .mat or .m')
    if not osp.isfile(path):
        raise DatasetError(f'label file {path!r} does not exist')
    return LABEL_READERS[ext](path, counts, names)
