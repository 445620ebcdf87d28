"""Users' own data: a folder of video files or frame folders per split, interval labels."""
import os
import os.path as osp
from typing import Dict, List, Optional

from vadkit.registry import DATASET_LAYOUTS

from ..dataset_errors import DatasetError
from ..video_record import VideoRecord
from .base_layout import (
    BaseLayout,
    has_entry,
    is_frame_folder_entry,
    is_video_entry,
    list_images,
    list_subdirs,
    list_videos,
    natural_key,
)
from .interval_labels import check_interval_end, labels_from_intervals
from .video_files import video_file_record

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
    ``[]``) marks a video with no anomaly. A label file named after no test video is an
    error (a misspelt name would otherwise leave its video unlabelled or unchecked).

    Frame numbers in label files are **0-based frame indices with the end inclusive** by
    default: ``10,19`` marks the 10 frames ``10..19``, the first frame being ``0``. Set
    ``label_index_base=1`` for files that count frames from 1 (as MATLAB and UCSD do) and
    ``interval_end='exclusive'`` for files whose end is the first frame after the interval
    (Python's ``[start, end)``: ``10,20`` marks ``10..19``). A file can state its own
    convention (see :mod:`~vadkit.datasets.layouts.interval_labels`).

    Args:
        root: Dataset root.
        split_dirs: Folder of each split under ``root``, e.g. ``dict(train='normal',
            test='eval')``; default ``train``/``training`` and ``test``/``testing``.
        label_dir: Folder of interval files (relative paths are taken from ``root``).
        label_index_base: Number of the first frame in label files: 0 (default) or 1.
        interval_end: ``'inclusive'`` (default: ``end`` is the last anomalous frame) or
            ``'exclusive'`` (``end`` is the first frame after the interval).
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
                 interval_end: str = 'inclusive', exact_frame_count: bool = False,
                 require_labels: bool = True) -> None:
        super().__init__(root, require_labels)
        if label_index_base not in (0, 1):
            raise ValueError(f'label_index_base must be 0 or 1, got {label_index_base!r}')
        self.split_dirs = dict(split_dirs or {})
        self.label_dir = label_dir
        self.label_index_base = label_index_base
        self.interval_end = check_interval_end(interval_end, type(self).__name__)
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
        videos += [video_file_record(p, self.exact_frame_count)
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
            self._check_label_names(videos, label_dirs, folder)
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
                            f'{self.label_index_base}-based frame numbers, end '
                            f'{self.interval_end}; an empty file means no anomaly), or set '
                            'require_labels=False')
                    continue
                note = ('' if not v.video_file or self.exact_frame_count else
                        ', or that its header gives the right frame count '
                        '(exact_frame_count=True counts frames by decoding)')
                v.labels, convention = labels_from_intervals(
                    path, v.num_frames, v.name, self.label_index_base, self.interval_end,
                    count_note=note)
                v.label_source = f'{osp.dirname(path)} (intervals, {convention})'
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

    def _check_label_names(self, videos: List[VideoRecord], label_dirs: List[str],
                           test_dir: str) -> None:
        """Every label file in ``label_dirs`` is named after a test video."""
        names = {v.name for v in videos}
        stray = [osp.join(d, n) for d in label_dirs for n in sorted(os.listdir(d))
                 if not n.startswith('.') and osp.splitext(n)[1].lower() in LABEL_EXTENSIONS
                 and osp.splitext(n)[0] not in names and osp.isfile(osp.join(d, n))]
        if not stray:
            return
        shown = sorted(names, key=natural_key)
        listed = ', '.join(shown[:8]) + (f', ... ({len(shown)} in all)' if len(shown) > 8
                                         else '')
        try:
            train = set(list_subdirs(self.split_dir('train'))) | {
                osp.splitext(osp.basename(p))[0] for p in list_videos(self.split_dir('train'))}
        except (DatasetError, OSError):
            train = set()
        in_train = [p for p in stray if osp.splitext(osp.basename(p))[0] in train]
        raise DatasetError(
            f'label files for videos that are not in the test split {test_dir}: '
            f'{", ".join(stray)}' + (f' ({", ".join(osp.basename(p) for p in in_train)} '
                                     'named after training videos)' if in_train else '')
            + f'. Test videos: {listed}. Rename each file after its test video '
            '(<video name>.csv/.json/.txt), add the missing video, or move the file away')

    @staticmethod
    def _label_path(name: str, label_dirs: List[str]) -> Optional[str]:
        for d in label_dirs:
            for ext in LABEL_EXTENSIONS:
                p = osp.join(d, name + ext)
                if osp.isfile(p):
                    return p
        return None
