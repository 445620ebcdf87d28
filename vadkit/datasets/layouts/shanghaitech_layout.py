"""ShanghaiTech Campus as distributed: training videos, test frame folders, per-video labels."""
import os.path as osp
import re
from typing import List, Optional

from vadkit.registry import DATASET_LAYOUTS

from ..dataset_errors import DatasetError
from ..video_record import VideoRecord
from .base_layout import BaseLayout, has_entry, is_frame_folder_entry, is_video_entry, list_videos
from .frames_layout import frame_folder_videos
from .label_files import attach_label_file, read_video_npy
from .video_files import video_file_record

_SCENE = re.compile(r'(\d+)_')


def scene_of(name: str) -> Optional[int]:
    """Scene number of a ShanghaiTech video name (``01_001`` or ``01_0014`` -> 1)."""
    m = _SCENE.match(name)
    return int(m.group(1)) if m else None


@DATASET_LAYOUTS.register_module()
class ShanghaiTechLayout(BaseLayout):
    """ShanghaiTech Campus in its native layout.

    Training: ``training/videos/SS_VVV.avi`` (330 videos; a copy with extracted
    ``training/frames/SS_VVV/`` folders works too). Testing: ``testing/frames/SS_VVVV/NNN.jpg``
    (107 videos), labels ``testing/test_frame_mask/SS_VVVV.npy`` (one 0/1 entry a frame).
    All 13 scenes are pooled unless ``scene`` picks one.

    Args:
        root: The folder holding ``training`` and ``testing``.
        scene: Keep only this scene's videos (1-13), in both splits; ``None`` pools all.
        label_dir: Folder of per-video label ``.npy`` files (default
            ``testing/test_frame_mask``); relative paths are taken from ``root``.
        label_file: Instead of ``label_dir``, one whole-split file such as
            ``frame_labels_shanghai.npy`` ((1, N) or 1-D, all 107 test videos in order).
        exact_frame_count: Count training videos' frames by decoding instead of trusting
            their headers.
        require_labels: See :class:`BaseLayout`.
    """

    detectable = True
    detect_priority = 30
    expects = ('training/videos/01_001.avi, testing/frames/01_0014/000.jpg, '
               'testing/test_frame_mask/01_0014.npy')

    def __init__(self, root: str, scene: Optional[int] = None, label_dir: Optional[str] = None,
                 label_file: Optional[str] = None, exact_frame_count: bool = False,
                 require_labels: bool = True) -> None:
        super().__init__(root, require_labels)
        self.scene = None if scene is None else int(scene)
        self.label_dir = label_dir
        self.label_file = label_file
        self.exact_frame_count = exact_frame_count

    @classmethod
    def matches(cls, root: str) -> bool:
        # its own marks: per-video label masks, or training kept as videos
        return (osp.isdir(osp.join(root, 'testing', 'test_frame_mask'))
                and has_entry(osp.join(root, 'testing', 'frames'), is_frame_folder_entry)
                or has_entry(osp.join(root, 'training', 'videos'), is_video_entry))

    def _keep(self, videos: List[VideoRecord], where: str) -> List[VideoRecord]:
        if self.scene is None:
            return videos
        kept = [v for v in videos if scene_of(v.name) == self.scene]
        if not kept:
            scenes = sorted({scene_of(v.name) for v in videos} - {None})
            raise DatasetError(f'{where} has no video of scene {self.scene} (scenes found: '
                               f'{scenes}); video names should start with the scene, e.g. '
                               f'{self.scene:02d}_001')
        return kept

    def load_videos(self, split: str) -> List[VideoRecord]:
        if split == 'train':
            folder = osp.join(self.root, 'training', 'videos')
            if osp.isdir(folder):
                videos = [video_file_record(p, self.exact_frame_count)
                          for p in list_videos(folder)]
            elif osp.isdir(osp.join(self.root, 'training', 'frames')):
                folder = osp.join(self.root, 'training', 'frames')
                videos = frame_folder_videos(folder)
            else:
                raise DatasetError(f'{folder} does not exist: ShanghaiTech has its training '
                                   'videos in training/videos/01_001.avi ...')
            videos = self._keep(videos, folder)
            self.check_videos(videos, split, where=folder)
            return videos
        folder = osp.join(self.root, 'testing', 'frames')
        if not osp.isdir(folder):
            raise DatasetError(f'{folder} does not exist: ShanghaiTech has its test frames in '
                               'testing/frames/01_0014/000.jpg ...')
        videos = frame_folder_videos(folder)
        self.check_videos(videos, split, where=folder)
        if self.label_file:
            attach_label_file(videos, self.in_root(self.label_file))
            return self._keep(videos, folder)
        videos = self._keep(videos, folder)
        label_dir = self.in_root(self.label_dir or osp.join('testing', 'test_frame_mask'))
        if not osp.isdir(label_dir):
            if self.require_labels:
                raise DatasetError(
                    f'{label_dir} does not exist: ShanghaiTech test labels are '
                    'testing/test_frame_mask/<video>.npy; set label_dir, or label_file for '
                    'one frame_labels_shanghai.npy')
            return videos
        for v in videos:
            path = osp.join(label_dir, f'{v.name}.npy')
            if not osp.isfile(path):
                if self.require_labels:
                    raise DatasetError(f'test video {v.source} has no labels: {path} does '
                                       'not exist; restore it or remove the video folder')
                continue
            v.labels = read_video_npy(path)
            self.check_label_length(v, path)
            v.label_source = label_dir
        return videos

    def describe(self) -> str:
        scene = f', scene={self.scene}' if self.scene is not None else ''
        return f'{type(self).__name__}({self.root}{scene})'
