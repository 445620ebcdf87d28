"""The "frames" layout most VAD code uses: ``<root>/{training,testing}/frames/<video>/*.jpg``."""
import glob
import os.path as osp
from typing import List, Optional

from vadkit.registry import DATASET_LAYOUTS

from ..video_record import VideoRecord
from .base_layout import BaseLayout, DatasetError, list_images, list_subdirs
from .label_files import read_label_file

SPLIT_DIRS = {'train': 'training', 'test': 'testing'}


@DATASET_LAYOUTS.register_module()
class FramesLayout(BaseLayout):
    """Frame folders per video; test labels from one file.

    Args:
        root: Dataset root.
        label_file: Test labels: ``.npy`` (all test frames concatenated, (1, N) or (N,)),
            ``.mat`` (a ``gt`` cell of 1-based [start; end] ranges) or UCSD's ``.m``. Relative
            paths are taken from ``root``. ``None`` looks for ``frame_labels_*.npy``, then
            ``*.mat``, then ``*.m`` in ``root`` and ``root/ground_truth``.
    """

    def __init__(self, root: str, label_file: Optional[str] = None) -> None:
        super().__init__(root)
        self.label_file = label_file

    def _find_label_file(self) -> str:
        if self.label_file:
            return self.label_file if osp.isabs(self.label_file) else osp.join(
                self.root, self.label_file)
        for pattern in ('frame_labels_*.npy', '*.mat', '*.m'):
            for folder in (self.root, osp.join(self.root, 'ground_truth')):
                found = sorted(glob.glob(osp.join(folder, pattern)))
                if found:
                    return found[0]
        raise DatasetError(
            f'no test labels found in {self.root} or {self.root}/ground_truth (looked for '
            'frame_labels_*.npy, *.mat, *.m): set label_file in the layout config')

    def load(self, split: str) -> List[VideoRecord]:
        self.check_root()
        if split not in SPLIT_DIRS:
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        folder = osp.join(self.root, SPLIT_DIRS[split], 'frames')
        if not osp.isdir(folder):
            raise DatasetError(f'{folder} does not exist: a frames-layout dataset has '
                               f'{SPLIT_DIRS[split]}/frames/<video>/<frame>.jpg under its root')
        videos = []
        for name in list_subdirs(folder):
            frames = list_images(osp.join(folder, name))
            videos.append(VideoRecord(name=name, frames=frames, num_frames=len(frames)))
        if not videos:
            raise DatasetError(f'{folder} holds no video folders: the {split} split is empty')
        empty = [v.name for v in videos if v.num_frames == 0]
        if empty:
            raise DatasetError(f'videos {empty} in {folder} contain no image frames '
                               f'(.jpg/.png/.tif/.bmp): remove them or re-extract the frames')
        if split == 'test':
            path = self._find_label_file()
            labels = read_label_file(path, [v.num_frames for v in videos],
                                     [v.name for v in videos])
            for v, y in zip(videos, labels):
                v.labels, v.label_source = y, path
        return videos
