"""Windows of consecutive frames over the videos of a split."""
import os.path as osp
from typing import Optional, Sequence

import numpy as np
from mmengine.dataset import Compose
from mmengine.logging import print_log
from torch.utils.data import Dataset

from vadkit.registry import DATASET_LAYOUTS, DATASETS

from .dataset_errors import DatasetError
from .frame_store import FrameStore, default_cache_dir
from .transforms.clip_augmentation import check_augmentation_placement

#: Window length and decode pipeline of a dataset config that gives none (detection on
#: such a config uses them too).
DEFAULT_WINDOW_LENGTH = 17
DEFAULT_DECODE_PIPELINE = (dict(type='Grayscale'), )


@DATASETS.register_module()
class VideoWindowDataset(Dataset):
    """Indexes every ``(video, start)`` window of ``window_length`` frames of a split.

    A sample is built by the ``pipeline`` from the window's position: clip samplers
    (``SampleWindow``, ``SamplePlaybackRateClip``, or a plugin's) read the frames each task
    needs through ``results['read_frames']``, and ``PackClipInputs`` makes tensors. Test
    windows are indexed in order per video with stride 1; window ``(v, s)`` scores frame
    ``s + window_length - 1`` of video ``v``.

    Args:
        layout: Config of the dataset layout reader (``DATASET_LAYOUTS``).
        split: ``'train'`` or ``'test'``.
        window_length: Frames per window (T + 1 for LUSS-AE).
        pipeline: Transform configs turning a window position into a sample.
        decode_pipeline: Transform configs applied to every decoded frame (grayscale,
            resize); their output is what the frame cache stores.
        cache_dir: Decoded-frame cache directory; ``'auto'`` uses ``$VADKIT_CACHE_DIR`` or
            ``~/.cache/vadkit``; ``None`` decodes frames on demand.
        window_stride: Step between window starts.
        test_mode: Set by mmengine for test datasets; only affects logging.
    """

    def __init__(self,
                 layout: dict,
                 split: str = 'train',
                 window_length: int = DEFAULT_WINDOW_LENGTH,
                 pipeline: Sequence[dict] = (),
                 decode_pipeline: Sequence[dict] = DEFAULT_DECODE_PIPELINE,
                 cache_dir: Optional[str] = 'auto',
                 window_stride: int = 1,
                 test_mode: bool = False) -> None:
        check_augmentation_placement(pipeline, decode_pipeline, test_mode or split == 'test',
                                     where=f'the {split} dataset')
        self.layout = DATASET_LAYOUTS.build(layout)
        self.split = split
        self.window_length = window_length
        self.window_stride = window_stride
        videos = self.layout.load(split)
        short = [v for v in videos if v.num_frames < window_length]
        if short:
            names = ', '.join(f'{v.name} ({v.num_frames})' for v in short)
            print_log(f'{self.layout.describe()} {split}: skipping {len(short)} video(s) '
                      f'shorter than a window of {window_length} frames: {names}',
                      logger='current', level=30)
        self.videos = [v for v in videos if v.num_frames >= window_length]
        if not self.videos:
            raise DatasetError(
                f'{self.layout.describe()} {split}: no video has the {window_length} frames '
                'a window needs; lower the window length (clip_len) or add longer videos')
        if cache_dir == 'auto':
            cache_dir = default_cache_dir()
        root_name = osp.basename(osp.normpath(getattr(self.layout, 'root', 'data')))
        self.frames = FrameStore(self.videos, decode_pipeline, cache_dir,
                                 name=f'{root_name}-{split}')
        starts = [np.arange(0, v.num_frames - window_length + 1, window_stride)
                  for v in self.videos]
        self._video_idx = np.concatenate(
            [np.full(len(s), i, dtype=np.int64) for i, s in enumerate(starts)])
        self._start = np.concatenate(starts).astype(np.int64)
        self.pipeline = Compose(list(pipeline))

    @property
    def metainfo(self) -> dict:
        return dict(video_names=[v.name for v in self.videos],
                    num_frames=[v.num_frames for v in self.videos],
                    window_length=self.window_length,
                    label_sources=sorted({v.label_source for v in self.videos
                                          if v.label_source}))

    def __len__(self) -> int:
        return len(self._start)

    def window(self, idx: int) -> dict:
        """The position of window ``idx`` and a frame reader: the pipeline's input."""
        v_idx, start = int(self._video_idx[idx]), int(self._start[idx])
        video = self.videos[v_idx]
        frame_idx = start + self.window_length - 1
        results = dict(video_idx=v_idx, video_name=video.name, start=start,
                       frame_idx=frame_idx, num_frames=video.num_frames,
                       window_length=self.window_length,
                       read_frames=lambda ids, _v=v_idx: self.frames.read(_v, ids))
        if video.labels is not None:
            results['label'] = int(video.labels[frame_idx])
        return results

    def __getitem__(self, idx: int) -> dict:
        return self.pipeline(self.window(idx))

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.layout.describe()}, split={self.split}, '
                f'{len(self.videos)} videos, {len(self)} windows of {self.window_length})')

