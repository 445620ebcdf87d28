"""The "frames" layout most VAD code uses: ``<root>/{training,testing}/frames/<video>/*.jpg``."""
import os.path as osp
from typing import List, Optional

from vadkit.registry import DATASET_LAYOUTS

from ..dataset_errors import DatasetError
from ..video_record import VideoRecord
from .base_layout import BaseLayout, has_entry, is_frame_folder_entry, list_images, list_subdirs
from .label_files import attach_label_file, find_label_file

SPLIT_DIRS = {'train': 'training', 'test': 'testing'}


def frame_folder_videos(folder: str) -> List[VideoRecord]:
    """One video a sub-folder of ``folder``, its images in natural order."""
    videos = []
    for name in list_subdirs(folder):
        frames = list_images(osp.join(folder, name))
        videos.append(VideoRecord(name=name, frames=frames, num_frames=len(frames)))
    return videos


@DATASET_LAYOUTS.register_module()
class FramesLayout(BaseLayout):
    """Frame folders per video; test labels from one file.

    ``<root>/training/frames/<video>/<frame>.jpg`` and ``<root>/testing/frames/...``
    (any image type OpenCV reads; frames in natural order, 0- or 1-based names, any zero
    padding), test labels of all test videos, in video order, in one file.

    Args:
        root: Dataset root.
        label_file: Test labels: ``.npy`` (all test frames concatenated, (1, N) or (N,)),
            ``.mat`` (a ``gt`` cell of 1-based [start; end] ranges) or UCSD's ``.m``. Relative
            paths are taken from ``root``. ``None`` looks for ``frame_labels_*.npy``, then
            ``*.mat``, then ``*.m`` in ``root`` and ``root/ground_truth``.
        require_labels: See :class:`BaseLayout`.
    """

    detectable = True
    detect_priority = 40
    expects = ('training/frames/<video>/000.jpg, testing/frames/<video>/000.jpg, '
               '[ground_truth/]frame_labels_<name>.npy (or .mat/.m)')

    def __init__(self, root: str, label_file: Optional[str] = None,
                 require_labels: bool = True) -> None:
        super().__init__(root, require_labels)
        self.label_file = label_file

    @classmethod
    def matches(cls, root: str) -> bool:
        return any(has_entry(osp.join(root, d, 'frames'), is_frame_folder_entry)
                   for d in SPLIT_DIRS.values())

    def _find_label_file(self) -> Optional[str]:
        path = find_label_file(self.label_file, self.root, ('frame_labels_*.npy', '*.mat', '*.m'),
                               (self.root, osp.join(self.root, 'ground_truth')))
        if path is not None or not self.require_labels:
            return path
        raise DatasetError(
            f'no test labels found in {self.root} or {self.root}/ground_truth (looked for '
            'frame_labels_*.npy, *.mat, *.m): set label_file in the layout config')

    def load_videos(self, split: str) -> List[VideoRecord]:
        folder = osp.join(self.root, SPLIT_DIRS[split], 'frames')
        if not osp.isdir(folder):
            raise DatasetError(f'{folder} does not exist: a frames-layout dataset has '
                               f'{SPLIT_DIRS[split]}/frames/<video>/<frame>.jpg under its root')
        videos = frame_folder_videos(folder)
        self.check_videos(videos, split, where=folder)
        if split == 'test':
            path = self._find_label_file()
            if path is not None:
                attach_label_file(videos, path)
        return videos
