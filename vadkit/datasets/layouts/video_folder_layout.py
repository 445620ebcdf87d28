"""Users' own data: a folder of video files or frame folders per split, interval labels."""
import os.path as osp
from typing import Dict, List, Optional

from vadkit.registry import DATASET_LAYOUTS

from ..video_record import VideoRecord
from .base_layout import (BaseLayout, DatasetError, has_entry, is_frame_folder_entry,
                          is_video_entry, list_images, list_subdirs, list_videos)
from .label_files import labels_from_intervals
from .video_files import video_frame_count

DEFAULT_SPLIT_DIRS = {'train': ('train', 'training'), 'test': ('test', 'testing')}
LABEL_EXTENSIONS = ('.csv', '.json', '.txt')
DEFAULT_LABEL_DIRS = ('labels', 'test_labels', 'annotations')


@DATASET_LAYOUTS.register_module()
class VideoFolderLayout(BaseLayout):
    """A folder per split holding video files (any format OpenCV reads) and/or frame
    folders (one folder of images a video), with optional per-video interval labels::

        <root>/train/cam1_morning.mp4          # a video file ...
        <root>/train/cam2/000001.jpg ...       # ... or a folder of frames
        <root>/test/cam1_evening.mp4
        <root>/labels/cam1_evening.csv         # anomalous intervals of that test video

    Video names are file stems / folder names. A test video's labels are
    ``<label_dir>/<name>.csv`` (rows ``start,end``; a ``start,end`` header and ``#``
    comments are allowed), ``<name>.json`` (``[[start, end], ...]``) or ``<name>.txt``
    (like CSV), looked up in ``label_dir``, else ``<root>/labels``, ``<root>/test_labels``,
    ``<root>/annotations``, then beside the video in the test folder. An empty file (or
    ``[]``) marks a video with no anomaly.

    Frame numbers in label files are **0-based frame indices with the end inclusive** by
    default: ``10,19`` marks the 10 frames ``10..19``, the first frame being ``0``. Set
    ``label_index_base=1`` for files that count frames from 1 (as MATLAB and UCSD do).

    Args:
        root: Dataset root.
        split_dirs: Folder of each split under ``root``, e.g. ``dict(train='normal',
            test='eval')``; default ``train``/``training`` and ``test``/``testing``.
        label_dir: Folder of interval files (relative paths are taken from ``root``).
        label_index_base: Number of the first frame in label files: 0 (default) or 1.
        exact_frame_count: Count video files' frames by decoding instead of trusting their
            headers (slower; for containers with missing or unreliable frame counts).
        require_labels: See :class:`BaseLayout`; with ``False``, test videos without a
            label file are loaded unlabelled.
    """

    detectable = True
    detect_priority = 90
    expects = ('train/<video>.mp4 or train/<video>/<frame>.jpg, the same under test/, '
               '[labels/<video>.csv]')

    def __init__(self, root: str, split_dirs: Optional[Dict[str, str]] = None,
                 label_dir: Optional[str] = None, label_index_base: int = 0,
                 exact_frame_count: bool = False, require_labels: bool = True) -> None:
        super().__init__(root, require_labels)
        if label_index_base not in (0, 1):
            raise ValueError(f'label_index_base must be 0 or 1, got {label_index_base!r}')
        self.split_dirs = dict(split_dirs or {})
        self.label_dir = label_dir
        self.label_index_base = label_index_base
        self.exact_frame_count = exact_frame_count

    @staticmethod
    def _has_videos(folder: str) -> bool:
        return has_entry(folder, lambda e: is_video_entry(e) or is_frame_folder_entry(e))

    @classmethod
    def matches(cls, root: str) -> bool:
        return any(cls._has_videos(osp.join(root, d))
                   for names in DEFAULT_SPLIT_DIRS.values() for d in names)

    def split_dir(self, split: str) -> str:
        if split in self.split_dirs:
            return osp.join(self.root, self.split_dirs[split])
        candidates = [osp.join(self.root, d) for d in DEFAULT_SPLIT_DIRS[split]]
        for d in candidates:
            if osp.isdir(d):
                return d
        raise DatasetError(f'no {split} folder in {self.root} (looked for '
                           f'{", ".join(DEFAULT_SPLIT_DIRS[split])}): create '
                           f'{candidates[0]}/ or set split_dirs=dict({split}=...)')

    def load_videos(self, split: str) -> List[VideoRecord]:
        folder = self.split_dir(split)
        if not osp.isdir(folder):
            raise DatasetError(f'{folder} does not exist: put the {split} videos there or '
                               'set split_dirs in the layout config')
        videos = [VideoRecord(name=name, frames=list_images(osp.join(folder, name)))
                  for name in list_subdirs(folder)]
        videos += [VideoRecord(name=osp.splitext(osp.basename(p))[0], video_file=p,
                               num_frames=video_frame_count(p, self.exact_frame_count))
                   for p in list_videos(folder)]
        seen: Dict[str, VideoRecord] = {}
        for v in videos:
            if v.name in seen:
                raise DatasetError(f'two {split} videos are named {v.name!r} in {folder} '
                                   f'({seen[v.name].source} and {v.source}): rename one')
            seen[v.name] = v
        self.check_videos(videos, split, where=folder)
        if split == 'test':
            label_dirs = self._label_dirs(folder)
            for v in videos:
                path = self._label_path(v.name, label_dirs)
                if path is None:
                    if self.require_labels:
                        first = label_dirs[0] if self.label_dir else osp.join(
                            self.root, DEFAULT_LABEL_DIRS[0])
                        raise DatasetError(
                            f'test video {v.source} has no labels (looked for {v.name}.csv/'
                            f'.json/.txt in {", ".join(label_dirs)}): write its anomalous '
                            f'intervals to {osp.join(first, v.name)}.csv (rows "start,end", '
                            f'{self.label_index_base}-based frame numbers, end inclusive; an '
                            'empty file means no anomaly), or set require_labels=False')
                    continue
                v.labels = labels_from_intervals(path, v.num_frames, v.name,
                                                 self.label_index_base)
                v.label_source = (f'{osp.dirname(path)} (intervals, '
                                  f'{self.label_index_base}-based)')
        return videos

    def _label_dirs(self, test_dir: str) -> List[str]:
        if self.label_dir:
            d = self.label_dir if osp.isabs(self.label_dir) else osp.join(self.root,
                                                                           self.label_dir)
            if not osp.isdir(d):
                raise DatasetError(f'label_dir {d} does not exist')
            return [d]
        dirs = [osp.join(self.root, d) for d in DEFAULT_LABEL_DIRS]
        return [d for d in dirs if osp.isdir(d)] + [test_dir]

    @staticmethod
    def _label_path(name: str, label_dirs: List[str]) -> Optional[str]:
        for d in label_dirs:
            for ext in LABEL_EXTENSIONS:
                p = osp.join(d, name + ext)
                if osp.isfile(p):
                    return p
        return None
