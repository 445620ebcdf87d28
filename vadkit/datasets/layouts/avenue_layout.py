"""CUHK Avenue as distributed: ``.avi`` videos and per-video ``volLabel`` pixel masks."""
import os.path as osp
from typing import List, Optional

from vadkit.registry import DATASET_LAYOUTS

from ..dataset_errors import DatasetError
from ..video_record import VideoRecord
from .base_layout import BaseLayout, has_entry, is_video_entry, list_videos
from .label_files import attach_label_file, find_label_file, read_vollabel
from .video_files import video_file_record

SPLIT_DIRS = {'train': 'training_videos', 'test': 'testing_videos'}
MASK_DIRS = ('testing_label_mask', 'ground_truth_demo/testing_label_mask')
MNAD_LABEL_FILES = ('frame_labels_avenue.npy', 'avenue.mat', 'frame_labels_*.npy')


@DATASET_LAYOUTS.register_module()
class AvenueLayout(BaseLayout):
    """CUHK Avenue in its native layout.

    ``training_videos/01.avi ...``, ``testing_videos/01.avi ...``. Two frame-label sets
    are in use and their results are not comparable, so the layout says which it read
    (``VideoRecord.label_source``, shown in the dataset's ``metainfo['label_sources']``):

    - ``label_set='masks'`` (default): from the pixel masks of the distribution,
      ``testing_label_mask/N_label.mat`` (``volLabel``, a 1xN cell of masks, one a frame;
      a frame is anomalous when its mask has any non-zero pixel). 3,712 anomalous frames.
    - ``label_set='mnad'``: the older whole-split file of MNAD-style code
      (``frame_labels_avenue.npy`` of shape (1, N), or ``avenue.mat`` with a ``gt`` cell of
      1-based ranges). 3,867 anomalous frames.

    Frame counts come from the container header (``CAP_PROP_FRAME_COUNT``); when they
    disagree with the labels the video is counted by decoding, and decoding checks that no
    video is truncated.

    Args:
        root: The folder holding ``training_videos`` and ``testing_videos``.
        label_set: ``'masks'`` or ``'mnad'``.
        label_file: For ``'masks'``, the mask folder (default: ``testing_label_mask`` or
            ``ground_truth_demo/testing_label_mask``); for ``'mnad'``, the label file
            (default: ``frame_labels_avenue.npy`` or ``avenue.mat`` in ``root`` or
            ``root/ground_truth``). Relative paths are taken from ``root``.
        exact_frame_count: Count every video's frames by decoding it instead of trusting
            its header (slower; for containers with unreliable headers).
        require_labels: See :class:`BaseLayout`.
    """

    detectable = True
    detect_priority = 20
    expects = ('training_videos/01.avi, testing_videos/01.avi, '
               'testing_label_mask/1_label.mat')
    LABEL_SETS = ('masks', 'mnad')

    def __init__(self, root: str, label_set: str = 'masks', label_file: Optional[str] = None,
                 exact_frame_count: bool = False, require_labels: bool = True) -> None:
        super().__init__(root, require_labels)
        if label_set not in self.LABEL_SETS:
            raise ValueError(f'label_set must be one of {self.LABEL_SETS}, got {label_set!r}')
        self.label_set = label_set
        self.label_file = label_file
        self.exact_frame_count = exact_frame_count

    @classmethod
    def matches(cls, root: str) -> bool:
        return any(has_entry(osp.join(root, d), is_video_entry) for d in SPLIT_DIRS.values())

    def _find_mask_dir(self) -> Optional[str]:
        candidates = [self.label_file] if self.label_file else MASK_DIRS
        for d in candidates:
            if osp.isdir(self.in_root(d)):
                return self.in_root(d)
        if not self.require_labels:
            return None
        raise DatasetError(
            f'no Avenue label masks in {[self.in_root(d) for d in candidates]}: unpack '
            "ground_truth_demo.zip into the dataset root, set label_file='<mask folder>', or "
            "use label_set='mnad' with the older frame_labels_avenue.npy")

    def _find_mnad_file(self) -> Optional[str]:
        path = find_label_file(self.label_file, self.root, MNAD_LABEL_FILES,
                               (self.root, osp.join(self.root, 'ground_truth')))
        if path is not None or not self.require_labels:
            return path
        raise DatasetError(
            f"label_set='mnad' needs the older frame label file: no "
            f'{" / ".join(MNAD_LABEL_FILES)} in {self.root} or {self.root}/ground_truth; set '
            "label_file, or use label_set='masks'")

    def load_videos(self, split: str) -> List[VideoRecord]:
        folder = osp.join(self.root, SPLIT_DIRS[split])
        if not osp.isdir(folder):
            raise DatasetError(f'{folder} does not exist: an Avenue dataset has '
                               f'{SPLIT_DIRS[split]}/01.avi ... under its root')
        videos = [video_file_record(p, self.exact_frame_count)
                  for p in list_videos(folder)]
        self.check_videos(videos, split, where=folder)
        if split == 'test':
            if self.label_set == 'masks':
                self._read_masks(videos)
            else:
                path = self._find_mnad_file()
                if path is not None:
                    attach_label_file(videos, path, f'{path} (label_set=mnad)')
        return videos

    def _read_masks(self, videos: List[VideoRecord]) -> None:
        mask_dir = self._find_mask_dir()
        if mask_dir is None:
            return
        for v in videos:
            names = [f'{v.name}_label.mat']
            if v.name.isdigit():
                names.insert(0, f'{int(v.name)}_label.mat')
            paths = [osp.join(mask_dir, n) for n in names]
            path = next((p for p in paths if osp.isfile(p)), None)
            if path is None:
                if self.require_labels:
                    raise DatasetError(
                        f'test video {v.video_file} has no label masks: expected '
                        f'{" or ".join(paths)}; restore the file from ground_truth_demo.zip '
                        'or remove the video')
                continue
            v.labels = read_vollabel(path)
            self.check_label_length(v, path)  # name this file, not the folder, if wrong
            v.label_source = f'{mask_dir} (label_set=masks)'

    def describe(self) -> str:
        return f'{type(self).__name__}({self.root}, label_set={self.label_set!r})'
