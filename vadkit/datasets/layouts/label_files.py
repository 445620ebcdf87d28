"""Readers of frame-level ground truth files, each returning 0/1 arrays, one a frame.

Whole-split files (one file for all test videos, in order):

- ``.npy``: all test frames concatenated, shape (1, N) or (N,) (``frame_labels_<name>.npy``
  of the "frames" layout; some ShanghaiTech copies are 1-D).
- ``.mat``: a ``gt`` cell with one ``[start; end]`` (2xK) array of 1-based inclusive
  ranges a video (``ped2.mat``, ``avenue.mat`` of MNAD-style code).
- ``.m``: UCSD's ``UCSDped{1,2}.m``, one ``gt_frame = [a:b, c:d]`` line a video, 1-based
  inclusive, several ranges allowed (Ped1).

Per-video files: ShanghaiTech's ``test_frame_mask/<video>.npy`` (one entry a frame),
Avenue's ``testing_label_mask/N_label.mat`` (``volLabel``: one pixel mask a frame). Interval
files of users' own data are read by :mod:`.interval_labels`.
"""
import glob
import os.path as osp
import re
from typing import List, Optional, Sequence, Tuple

import numpy as np

from ..dataset_errors import DatasetError
from ..video_record import VideoRecord
from .interval_labels import read_interval_file  # noqa: F401  (its former home)

Ranges = List[Tuple[int, int]]


def _ranges_to_labels(ranges: Ranges, n: int, name: str, source: str,
                      base: int = 1) -> np.ndarray:
    """0/1 labels of ``n`` frames from inclusive ``(start, end)`` ranges numbered from
    ``base``."""
    y = np.zeros(n, dtype=np.uint8)
    for a, b in ranges:
        if not base <= a <= b <= n - 1 + base:
            raise DatasetError(
                f'ground truth {source} marks frames {a}-{b} ({base}-based, end inclusive) of '
                f'test video {name}, which has {n} frames (valid: {base}-{n - 1 + base}): '
                'check that the label file belongs to these frames')
        y[a - base:b - base + 1] = 1
    return y


def labels_from_ranges(ranges: Sequence[Ranges], counts: Sequence[int],
                       names: Sequence[str], source: str) -> List[np.ndarray]:
    """Per-video 0/1 arrays from 1-based inclusive ``(start, end)`` ranges."""
    if len(ranges) != len(counts):
        raise DatasetError(f'ground truth {source} has ranges for {len(ranges)} test videos '
                           f'but the test split has {len(counts)} videos ({list(names)}): '
                           'the label file belongs to another dataset or some videos are '
                           'missing')
    return [_ranges_to_labels(rs, n, name, source) for rs, n, name in zip(ranges, counts, names)]


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


def _load_npy(path: str) -> np.ndarray:
    try:
        arr = np.load(path, allow_pickle=False)
    except ValueError as e:  # object arrays need pickle: never load those implicitly
        raise DatasetError(f'{path}: not a numeric label array ({e}); save the labels as '
                           'one 0/1 integer array') from e
    except OSError as e:
        raise DatasetError(f'{path}: cannot read this .npy file ({e}); it is truncated or '
                           'not a NumPy file') from e
    return arr


def read_npy_labels(path: str, counts, names) -> List[np.ndarray]:
    """``frame_labels_<name>.npy``: (1, N) or (N,) labels of all test videos in order."""
    arr = _load_npy(path)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise DatasetError(f'{path}: expected labels of shape (1, N) or (N,), got {arr.shape}')
    return split_concatenated((arr != 0).astype(np.uint8), counts, names, path)


def read_video_npy(path: str) -> np.ndarray:
    """One video's labels, one entry a frame (ShanghaiTech ``test_frame_mask/<video>.npy``)."""
    arr = _load_npy(path)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise DatasetError(f'{path}: expected one label a frame, shape (N,), got {arr.shape}')
    return (arr != 0).astype(np.uint8)


def _loadmat(path: str, variable: str) -> np.ndarray:
    from scipy.io import loadmat
    try:
        mat = loadmat(path, variable_names=[variable])
    except NotImplementedError as e:  # scipy's answer to MATLAB v7.3 (HDF5) files
        raise DatasetError(
            f'{path} is a MATLAB v7.3 (HDF5) file, which scipy cannot read: re-save it in '
            f"MATLAB with save('{osp.basename(path)}', '{variable}', '-v7')") from e
    except Exception as e:  # noqa: BLE001  (scipy raises many types on corrupt files)
        raise DatasetError(f'{path}: cannot read this MATLAB file ({type(e).__name__}: {e}); '
                           'it is truncated or not a .mat file') from e
    if variable not in mat:
        from scipy.io import whosmat
        found = sorted(name for name, _, _ in whosmat(path))
        raise DatasetError(f'{path}: no variable "{variable}" (found {found})')
    return mat[variable]


def read_mat_ranges(path: str, counts, names) -> List[np.ndarray]:
    """A MATLAB file whose ``gt`` cell holds one ``[start; end]`` (2xK) array a video."""
    cells = _loadmat(path, 'gt').reshape(-1)
    ranges = []
    for cell in cells:
        a = np.asarray(cell, dtype=np.int64)  # (stored as uint8 in some files: widen first)
        if a.size == 0:
            ranges.append([])
            continue
        a = a.reshape(2, -1) if (a.ndim == 2 and a.shape[0] == 2) or a.size == 2 \
            else a.reshape(-1, 2).T
        ranges.append([(int(s), int(e)) for s, e in zip(a[0], a[1])])
    return labels_from_ranges(ranges, counts, names, path)


_GT_FRAME = re.compile(r'gt_frame\s*=\s*\[([^\]]*)\]')
_TOKEN = re.compile(r'(\d+)(?:\s*:\s*(\d+))?')


def parse_m_ranges(text: str) -> List[Ranges]:
    """The ``gt_frame`` ranges of a UCSD ``.m`` file, one list a video, 1-based inclusive:
    ``[61:180]``, ``[5:90, 140:200]`` (Ped1), ``[1:20 50:80]``, single frames ``[7]``."""
    text = re.sub(r'%[^\n]*', '', text)  # MATLAB comments
    return [[(int(a), int(b or a)) for a, b in _TOKEN.findall(body)]
            for body in _GT_FRAME.findall(text)]


def read_m_ranges(path: str, counts, names) -> List[np.ndarray]:
    """UCSD's ``UCSDped{1,2}.m``: one ``gt_frame = [a:b, c:d]`` a test video, 1-based."""
    with open(path) as f:
        ranges = parse_m_ranges(f.read())
    if not ranges:
        raise DatasetError(f'{path}: no "gt_frame = [a:b]" line found; is this the UCSD '
                           'ground truth file (UCSDped1.m / UCSDped2.m)?')
    return labels_from_ranges(ranges, counts, names, path)


LABEL_READERS = {'.npy': read_npy_labels, '.mat': read_mat_ranges, '.m': read_m_ranges}


def read_label_file(path: str, counts, names) -> List[np.ndarray]:
    """Labels of every test video from one whole-split file (.npy, .mat or .m)."""
    ext = osp.splitext(path)[1].lower()
    if ext not in LABEL_READERS:
        raise DatasetError(f'unknown label file type {path!r}: use .npy, .mat or .m')
    if not osp.isfile(path):
        raise DatasetError(f'label file {path!r} does not exist')
    return LABEL_READERS[ext](path, counts, names)


def find_label_file(given: Optional[str], base: str, patterns: Sequence[str],
                    folders: Sequence[str]) -> Optional[str]:
    """The whole-split label file of a layout: ``given`` (relative to ``base``) when set,
    else the first match of the first pattern found in any of ``folders``; ``None`` when
    nothing matches (the layout says what it looked for)."""
    if given:
        return given if osp.isabs(given) else osp.join(base, given)
    for pattern in patterns:
        for folder in folders:
            found = sorted(glob.glob(osp.join(folder, pattern)))
            if found:
                return found[0]
    return None


def attach_label_file(videos: Sequence[VideoRecord], path: str,
                      source: Optional[str] = None) -> None:
    """Read the whole-split file ``path`` into the ``labels`` of ``videos`` (in order);
    ``source`` (default: ``path``) is what errors later name as their origin."""
    labels = read_label_file(path, [v.num_frames for v in videos], [v.name for v in videos])
    for v, y in zip(videos, labels):
        v.labels, v.label_source = y, source or path


def read_vollabel(path: str) -> np.ndarray:
    """Avenue's ``N_label.mat``: ``volLabel`` is a 1xN cell of pixel masks, one a frame; a
    frame is anomalous when its mask has any non-zero pixel."""
    cells = _loadmat(path, 'volLabel')
    if cells.dtype == object:
        masks = cells.reshape(-1)
        return np.array([np.any(np.asarray(m)) for m in masks], dtype=np.uint8)
    # a numeric (H, W, N) volume, as some re-saved copies store it
    if cells.ndim == 3:
        return np.any(cells, axis=(0, 1)).astype(np.uint8)
    raise DatasetError(f'{path}: volLabel should be a 1xN cell of masks (or an HxWxN '
                       f'array), got {cells.dtype} {cells.shape}')
