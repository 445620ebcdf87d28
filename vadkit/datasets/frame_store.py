"""Decoded frames of a split, read from disk once.

With a cache directory, every frame is decoded once, passed through the decode pipeline
(grayscale, resize, ...) and stored as uint8 in one memory-mapped ``.npy`` file beside a
JSON index. Training and testing then slice that file: no frame is decoded per clip, and
the operating system pages frames in and out (nothing is held in process memory). The
cache is keyed by the source files (paths, sizes, modification times) and the decode
pipeline, so it is rebuilt when either changes. Without a cache directory, frames are
decoded on demand with a small per-process LRU.
"""
import hashlib
import json
import os
import os.path as osp
import tempfile
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, List, Optional, Sequence

import cv2
import numpy as np
from mmengine.dataset import Compose
from mmengine.dist import barrier, get_rank, is_distributed
from mmengine.logging import print_log

from .layouts.base_layout import DatasetError
from .video_record import VideoRecord


class FrameDecodeError(DatasetError):
    """A frame or video that cannot be decoded."""


def read_image(path: str, gray: bool = False) -> np.ndarray:
    img = cv2.imread(path, cv2.IMREAD_GRAYSCALE if gray else cv2.IMREAD_COLOR)
    if img is None:
        raise FrameDecodeError(
            f'cannot read frame {path}: the file is missing, empty or not a valid image. '
            'Re-extract this frame, or remove its video from the dataset.')
    return img


def iter_video_file(path: str, expected: Optional[int] = None) -> Iterator[np.ndarray]:
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise FrameDecodeError(f'cannot open video {path}: missing, unreadable or in a '
                               'codec OpenCV cannot decode; re-encode it (e.g. to H.264 mp4)')
    n = 0
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            n += 1
            yield frame
    finally:
        cap.release()
    if expected is not None and n < expected:
        raise FrameDecodeError(f'video {path} ended after {n} of its {expected} frames: the '
                               'file is truncated or corrupt; re-encode or replace it')


class FrameDecoder:
    """Decodes one frame and applies the decode pipeline (a list of transform configs)."""

    def __init__(self, pipeline: Sequence[dict]) -> None:
        self.pipeline_cfg = [dict(c) for c in pipeline]
        self.gray = bool(pipeline) and pipeline[0].get('type') == 'Grayscale'
        self.pipeline = Compose(list(pipeline))

    def apply(self, img: np.ndarray) -> np.ndarray:
        out = self.pipeline(dict(img=img))['img']
        return np.ascontiguousarray(out, dtype=np.uint8)

    def read(self, path: str) -> np.ndarray:
        return self.apply(read_image(path, self.gray))

    def signature(self) -> str:
        return json.dumps(self.pipeline_cfg, sort_keys=True, default=str)


def _sources_digest(videos: Sequence[VideoRecord]) -> str:
    h = hashlib.sha1()
    for v in videos:
        files = [v.video_file] if v.video_file else v.frames
        h.update(f'{v.name}|{v.num_frames}|'.encode())
        for f in files:
            st = os.stat(f)
            h.update(f'{osp.abspath(f)}|{st.st_size}|{st.st_mtime_ns};'.encode())
    return h.hexdigest()


def default_cache_dir() -> str:
    return os.environ.get('VADKIT_CACHE_DIR', osp.join(osp.expanduser('~'), '.cache', 'vadkit'))


class FrameStore:
    """Random access to the decoded frames of a list of videos.

    Args:
        videos: The split's videos.
        decode_pipeline: Transform configs applied to each decoded frame.
        cache_dir: Where to keep the decoded-frame cache; ``None`` decodes on demand.
        name: A name for the cache files (dataset and split).
        lru_frames: Decoded frames kept per process when there is no cache.
    """

    def __init__(self, videos: List[VideoRecord], decode_pipeline: Sequence[dict],
                 cache_dir: Optional[str] = None, name: str = 'frames',
                 lru_frames: int = 256) -> None:
        self.videos = videos
        self.decoder = FrameDecoder(decode_pipeline)
        self.cache_dir = cache_dir
        self.name = name
        self.offsets = np.cumsum([0] + [v.num_frames for v in videos])
        self.lru_frames = lru_frames
        self._lru: OrderedDict = OrderedDict()
        self._video_frames: dict = {}
        self._array = None
        self.cache_path: Optional[str] = None
        if cache_dir:
            self.cache_path = self._prepare_cache()

    # ------------------------------------------------------------------ cache
    def _cache_stem(self) -> str:
        key = hashlib.sha1((_sources_digest(self.videos) + self.decoder.signature()).encode())
        safe = ''.join(c if c.isalnum() or c in '-_' else '_' for c in self.name)
        return osp.join(self.cache_dir, f'{safe}-{key.hexdigest()[:16]}')

    def _prepare_cache(self) -> str:
        stem = self._cache_stem()
        if get_rank() == 0 and not osp.isfile(stem + '.json'):
            os.makedirs(self.cache_dir, exist_ok=True)
            self._build_cache(stem)
        if is_distributed():
            barrier()
        with open(stem + '.json') as f:
            index = json.load(f)
        if index['num_frames'] != int(self.offsets[-1]):
            raise DatasetError(f'frame cache {stem}.npy is inconsistent with the dataset; '
                               'delete it to rebuild')
        return stem + '.npy'

    def _build_cache(self, stem: str) -> None:
        from tqdm import tqdm
        total = int(self.offsets[-1])
        first = self._decode_video_frames(0, [0])[0]
        shape = (total, ) + first.shape
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, suffix='.npy.tmp')
        os.close(fd)
        arr = np.lib.format.open_memmap(tmp, mode='w+', dtype=np.uint8, shape=shape)
        bar = tqdm(total=total, desc=f'caching {self.name} frames', unit='frame',
                   dynamic_ncols=True, mininterval=1.0)

        def check(img: np.ndarray, where: str) -> np.ndarray:
            if img.shape != first.shape:
                raise DatasetError(
                    f'{where} decodes to shape {img.shape} but earlier frames to '
                    f'{first.shape}: the dataset mixes resolutions; add dict(type=\'Resize\', '
                    'size=(H, W)) to the decode pipeline')
            return img

        def fill_video(i: int) -> None:
            v, off = self.videos[i], int(self.offsets[i])
            if v.video_file:
                n = 0
                for n, frame in enumerate(iter_video_file(v.video_file, v.num_frames)):
                    if n >= v.num_frames:
                        break
                    arr[off + n] = check(self.decoder.apply(frame), v.video_file)
                    bar.update(1)
            else:
                for j, path in enumerate(v.frames):
                    arr[off + j] = check(self.decoder.read(path), path)
                    bar.update(1)

        try:
            workers = max(1, min(8, os.cpu_count() or 1))
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(fill_video, range(len(self.videos))))
            arr.flush()
            del arr
            os.replace(tmp, stem + '.npy')
        except BaseException:
            if osp.exists(tmp):
                os.remove(tmp)
            raise
        finally:
            bar.close()
        index = dict(num_frames=total, frame_shape=list(first.shape),
                     videos=[dict(name=v.name, num_frames=v.num_frames, source=v.source)
                             for v in self.videos],
                     decode_pipeline=self.decoder.pipeline_cfg)
        with open(stem + '.json.tmp', 'w') as f:
            json.dump(index, f, indent=1)
        os.replace(stem + '.json.tmp', stem + '.json')
        print_log(f'cached {total} decoded frames of {len(self.videos)} videos in '
                  f'{stem}.npy ({total * first.size / 2**20:.0f} MiB)', logger='current')

    # ------------------------------------------------------------------ reading
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state['_array'], state['_lru'], state['_video_frames'] = None, OrderedDict(), {}
        return state

    @property
    def array(self) -> np.ndarray:
        if self._array is None:
            self._array = np.load(self.cache_path, mmap_mode='r')
        return self._array

    def _decode_video_frames(self, i: int, indices: Sequence[int]) -> List[np.ndarray]:
        v = self.videos[i]
        if v.video_file:  # sequential formats: decode the whole video once per process
            if i not in self._video_frames:
                self._video_frames = {i: [self.decoder.apply(f) for f in
                                          iter_video_file(v.video_file, v.num_frames)]}
            return [self._video_frames[i][j] for j in indices]
        return [self.decoder.read(v.frames[j]) for j in indices]

    def read(self, video_idx: int, indices: np.ndarray) -> np.ndarray:
        """Frames ``indices`` of video ``video_idx``, stacked: (L, H, W[, C]) uint8."""
        if self.cache_path:
            base = int(self.offsets[video_idx])
            idx = np.asarray(indices) + base
            if idx.size and np.all(np.diff(idx) == 1):
                return np.array(self.array[idx[0]:idx[-1] + 1])
            return self.array[idx]
        out = []
        for j in np.asarray(indices).tolist():
            key = (video_idx, j)
            frame = self._lru.get(key)
            if frame is None:
                frame = self._decode_video_frames(video_idx, [j])[0]
                self._lru[key] = frame
                if len(self._lru) > self.lru_frames:
                    self._lru.popitem(last=False)
            else:
                self._lru.move_to_end(key)
            out.append(frame)
        return np.stack(out)
