"""Common helpers of dataset layout readers.

A layout turns one way of storing a dataset on disk into :class:`VideoRecord` lists. The
base class does the checks every layout needs (the split exists and is not empty, no video
is empty, every test video has one label a frame), so that each reader only says where
frames and labels are, and every dataset fails the same clear way.
"""
import os
import os.path as osp
import re
from typing import List, Optional, Sequence

import numpy as np
from mmengine.logging import print_log

from ..dataset_errors import DatasetError
from ..video_record import VideoRecord
from .video_files import decode_frame_count

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp')
VIDEO_EXTENSIONS = ('.avi', '.mp4', '.mkv', '.mov', '.mpg', '.mpeg', '.webm', '.m4v', '.wmv',
                    '.flv', '.ts', '.mts', '.3gp', '.ogv')
SPLITS = ('train', 'test')


def natural_key(name: str) -> list:
    """Sort key that orders ``2.jpg`` before ``10.jpg`` whatever the zero padding."""
    # re.split alternates text and digit runs, so keys compare str with str, int with int.
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r'(\d+)', name)]


def _visible(name: str) -> bool:
    # macOS copies carry ``._001.tif`` resource forks and ``.DS_Store``: never frames.
    return not name.startswith('.')


def list_images(folder: str) -> List[str]:
    """Image files of ``folder`` in natural order (0- or 1-based names, any padding)."""
    names = [n for n in os.listdir(folder)
             if _visible(n) and n.lower().endswith(IMAGE_EXTENSIONS)]
    return [osp.join(folder, n) for n in sorted(names, key=natural_key)]


def list_videos(folder: str) -> List[str]:
    """Video files of ``folder`` in natural order."""
    names = [n for n in os.listdir(folder) if _visible(n)
             and n.lower().endswith(VIDEO_EXTENSIONS) and osp.isfile(osp.join(folder, n))]
    return [osp.join(folder, n) for n in sorted(names, key=natural_key)]


def list_subdirs(folder: str) -> List[str]:
    """Names of the sub-folders of ``folder`` in natural order."""
    return sorted((n for n in os.listdir(folder)
                   if _visible(n) and osp.isdir(osp.join(folder, n))), key=natural_key)


def has_entry(folder: str, predicate, limit: int = 64) -> bool:
    """Whether one of the first ``limit`` entries of ``folder`` satisfies ``predicate``:
    a bounded look, so that detecting a layout stays cheap on huge folders."""
    if not osp.isdir(folder):
        return False
    with os.scandir(folder) as it:
        for k, entry in enumerate(it):
            if k >= limit:
                return False
            if predicate(entry):
                return True
    return False


def is_image_entry(entry: os.DirEntry) -> bool:
    return _visible(entry.name) and entry.name.lower().endswith(IMAGE_EXTENSIONS)


def is_video_entry(entry: os.DirEntry) -> bool:
    return _visible(entry.name) and entry.name.lower().endswith(VIDEO_EXTENSIONS)


def is_frame_folder_entry(entry: os.DirEntry) -> bool:
    return (_visible(entry.name) and entry.is_dir()
            and has_entry(entry.path, is_image_entry, limit=16))


def check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    return split


class BaseLayout:
    """Reads one dataset layout into :class:`VideoRecord` lists, one per split.

    Subclasses implement :meth:`load_videos` (``split`` is ``'train'`` or ``'test'``; test
    videos carry per-frame 0/1 labels and a ``label_source``) and, to take part in
    :func:`~vadkit.datasets.layouts.detect_layout`, the cheap :meth:`matches` check with
    ``detectable = True``. :meth:`load` wraps :meth:`load_videos` with the checks shared by
    every layout.

    Args:
        root: Dataset root (``~`` is expanded).
        require_labels: Whether every test video must have labels. Set it to ``False`` only
            to score unlabelled videos (no AUROC can be computed then).
    """

    #: Whether :func:`detect_layout` tries this layout.
    detectable = False
    #: Detection order (lower first): specific native layouts before generic ones.
    detect_priority = 100
    #: What the layout looks like on disk, for error messages.
    expects = ''

    def __init__(self, root: str, require_labels: bool = True) -> None:
        self.root = osp.expanduser(str(root))
        self.require_labels = require_labels

    def in_root(self, path: str) -> str:
        """``path`` as given when absolute, else under the dataset root."""
        return path if osp.isabs(path) else osp.join(self.root, path)

    @classmethod
    def matches(cls, root: str) -> bool:
        """Whether ``root`` looks like this layout. Must be cheap: a few ``stat`` and
        bounded directory listings, no decoding."""
        return False

    def check_root(self) -> None:
        if not osp.isdir(self.root):
            raise DatasetError(
                f'dataset root {self.root!r} does not exist (cwd: {os.getcwd()}): pass '
                'the right folder with --data-root /path/to/dataset (tools/train.py, '
                'tools/test.py) or set data_root in the config')

    def load(self, split: str) -> List[VideoRecord]:
        """The videos of ``split``, checked (see :meth:`validate`)."""
        self.check_root()
        check_split(split)
        videos = self.load_videos(split)
        self.validate(videos, split)
        if split == 'test':
            sources = sorted({v.label_source for v in videos if v.label_source})
            if sources:
                n = sum(int(v.labels.sum()) for v in videos if v.labels is not None)
                total = sum(v.num_frames for v in videos)
                print_log(f'{self.describe()} test labels: {n} anomalous of {total} frames, '
                          f"from {', '.join(sources)}", logger='current')
        return videos

    def load_videos(self, split: str) -> List[VideoRecord]:
        raise NotImplementedError

    def validate(self, videos: Sequence[VideoRecord], split: str,
                 where: Optional[str] = None) -> None:
        """The checks every layout shares; errors name the video and the fix."""
        self.check_videos(videos, split, where)
        if split == 'test':
            self.check_labels(videos)

    def check_videos(self, videos: Sequence[VideoRecord], split: str,
                     where: Optional[str] = None) -> None:
        """The split has videos and none is empty (before labels are matched to them)."""
        where = where or self.root
        if not videos:
            raise DatasetError(f'{self.describe()}: the {split} split is empty (no videos '
                               f'found under {where}); check the root and the folder names')
        empty = [v.name for v in videos if v.num_frames <= 0]
        if empty:
            raise DatasetError(
                f'{self.describe()} {split}: videos {empty} have no frames (an empty frame '
                'folder, or a video file OpenCV reads as empty): remove them or re-extract '
                'the frames')

    def check_labels(self, videos: Sequence[VideoRecord]) -> None:
        """Every test video has one 0/1 label a frame (made ``uint8``)."""
        for v in videos:
            if v.labels is None:
                if self.require_labels:
                    raise DatasetError(
                        f'{self.describe()}: test video {v.name} ({v.source}) has no labels: '
                        'add its ground truth, or set require_labels=False in the layout '
                        'config to score unlabelled videos')
                continue
            self.check_label_length(v)

    @staticmethod
    def check_label_length(v: VideoRecord, source: Optional[str] = None) -> None:
        """``v.labels`` has one entry a frame of ``v`` (made 0/1 ``uint8``); ``source``
        names the label file in the error (default: ``v.label_source``)."""
        source = source or v.label_source
        v.labels = np.asarray(v.labels).reshape(-1)
        detail = ''
        fix = ('the label file belongs to another copy or extraction of this video; use the '
               'labels that came with these frames (or re-extract the frames)')
        if v.labels.size != v.num_frames and v.video_file:
            # Container headers can be off by a frame or two: ask the decoder before
            # calling the labels wrong.
            header = v.header_frames or v.num_frames
            exact = v.decoded_frames
            if exact is None:
                exact = decode_frame_count(v.video_file)
            v.header_frames, v.decoded_frames = header, exact
            if exact == v.labels.size:
                print_log(f'{v.video_file}: its header says {header} frames but '
                          f'{exact} decode, as many as its labels; using {exact}',
                          logger='current', level=30)
                v.num_frames = exact
            else:
                detail = f' (its header says {header}, {exact} decode)'
                if exact < min(header, v.labels.size):
                    fix = ('the video file is likely truncated or corrupt: re-download or '
                           're-encode it; or ') + fix
        if v.labels.size != v.num_frames:
            raise DatasetError(
                f'labels of test video {v.name} ({source}) have {v.labels.size} entries '
                f'but the video has {v.num_frames} frames{detail} ({v.source}): {fix}')
        v.labels = (v.labels != 0).astype(np.uint8)

    def describe(self) -> str:
        return f'{type(self).__name__}({self.root})'
