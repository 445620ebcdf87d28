"""UCSD Ped1 / Ped2 as distributed: TIFF frame folders and the ``UCSDped{1,2}.m`` labels."""
import os
import os.path as osp
import re
from typing import List, Optional, Union

from vadkit.registry import DATASET_LAYOUTS

from ..dataset_errors import DatasetError
from ..video_record import VideoRecord
from .base_layout import BaseLayout, has_entry, list_images, list_subdirs
from .label_files import attach_label_file, find_label_file

SPLIT_DIRS = {'train': 'Train', 'test': 'Test'}
_VIDEO_DIR = {'train': re.compile(r'train\d+', re.I), 'test': re.compile(r'test\d+', re.I)}
_SUBSET_DIR = re.compile(r'ucsdped(\d)', re.I)


def _is_ucsd_dataset_dir(folder: str) -> bool:
    """``folder`` has ``Train/TrainNNN`` or ``Test/TestNNN`` sub-folders."""
    return any(
        has_entry(osp.join(folder, d), lambda e, s=s: e.is_dir() and bool(
            _VIDEO_DIR[s].fullmatch(e.name))) for s, d in SPLIT_DIRS.items())


@DATASET_LAYOUTS.register_module()
class UcsdLayout(BaseLayout):
    """UCSD Ped1 / Ped2 in their native layout.

    ``UCSDped2/Train/Train001/001.tif ...``, ``UCSDped2/Test/Test001/001.tif ...``; the
    pixel-mask folders ``TestNNN_gt`` are not videos and are ignored. Test labels come
    from the dataset's ``UCSDped2.m`` (in ``Test/``): one ``gt_frame = [a:b]`` line a test
    video, in video order, 1-based and inclusive, several ranges allowed
    (``[5:90, 140:200]``, as in Ped1).

    Args:
        root: The ``UCSDped1``/``UCSDped2`` folder itself, or the folder that holds them
            (``UCSD_Anomaly_Dataset.v1p2``), then ``subset`` says which.
        subset: ``'ped1'`` or ``'ped2'`` (also ``1``, ``2``, ``'UCSDped2'``); needed only
            when ``root`` holds both.
        label_file: Ground truth file (``.m``, or a frames-layout ``.mat``/``.npy``);
            relative paths are taken from the dataset folder. ``None`` looks for
            ``UCSDped*.m`` then ``*.m`` in ``Test/``, the dataset folder and ``root``.
        require_labels: See :class:`BaseLayout`.
    """

    detectable = True
    detect_priority = 10
    expects = ('UCSDped2/Train/Train001/001.tif, UCSDped2/Test/Test001/001.tif, '
               'UCSDped2/Test/UCSDped2.m (root: UCSDped2 or the folder holding it)')

    def __init__(self, root: str, subset: Optional[Union[str, int]] = None,
                 label_file: Optional[str] = None, require_labels: bool = True) -> None:
        super().__init__(root, require_labels)
        self.subset = subset
        self.label_file = label_file

    @classmethod
    def matches(cls, root: str) -> bool:
        if _is_ucsd_dataset_dir(root):
            return True
        return has_entry(root, lambda e: e.is_dir() and bool(_SUBSET_DIR.fullmatch(e.name))
                         and _is_ucsd_dataset_dir(e.path))

    @property
    def dataset_dir(self) -> str:
        """The ``UCSDpedN`` folder."""
        if _is_ucsd_dataset_dir(self.root) and self.subset is None:
            return self.root
        found = {int(m.group(1)): osp.join(self.root, n) for n in os.listdir(self.root)
                 if (m := _SUBSET_DIR.fullmatch(n)) and osp.isdir(osp.join(self.root, n))}
        if self.subset is not None:
            m = re.search(r'(\d)\s*$', str(self.subset))
            if m and int(m.group(1)) in found:
                return found[int(m.group(1))]
            if _is_ucsd_dataset_dir(self.root):
                return self.root
            raise DatasetError(
                f'{self.root} holds no UCSDped folder for subset={self.subset!r} (found '
                f'{sorted(osp.basename(p) for p in found.values())})')
        if len(found) == 1:
            return next(iter(found.values()))
        if found:
            raise DatasetError(
                f'{self.root} holds {sorted(osp.basename(p) for p in found.values())}: set '
                "subset='ped1' or subset='ped2' in the layout config, or point root at one")
        raise DatasetError(
            f'{self.root} is not a UCSD dataset folder: expected Train/Train001/001.tif and '
            'Test/Test001/001.tif under it (or a UCSDped1/UCSDped2 folder holding them)')

    def _find_label_file(self, folder: str) -> Optional[str]:
        path = find_label_file(self.label_file, folder, ('UCSDped*.m', '*.m'),
                               (osp.join(folder, 'Test'), folder, self.root))
        if path is not None or not self.require_labels:
            return path
        raise DatasetError(
            f'no UCSD ground truth (UCSDped1.m / UCSDped2.m) found in {folder}/Test or '
            f'{folder}: copy it there or set label_file in the layout config')

    def load_videos(self, split: str) -> List[VideoRecord]:
        folder = self.dataset_dir
        split_dir = osp.join(folder, SPLIT_DIRS[split])
        if not osp.isdir(split_dir):
            raise DatasetError(f'{split_dir} does not exist: a UCSD dataset has '
                               f'{SPLIT_DIRS[split]}/{SPLIT_DIRS[split]}001/001.tif ...')
        videos = []
        for name in list_subdirs(split_dir):
            if _VIDEO_DIR[split].fullmatch(name):  # not TestNNN_gt mask folders
                frames = list_images(osp.join(split_dir, name))
                videos.append(VideoRecord(name=name, frames=frames, num_frames=len(frames)))
        self.check_videos(videos, split, where=split_dir)
        if split == 'test':
            path = self._find_label_file(folder)
            if path is not None:
                attach_label_file(videos, path)
        return videos

    def describe(self) -> str:
        subset = f', subset={self.subset!r}' if self.subset is not None else ''
        return f'{type(self).__name__}({self.root}{subset})'
