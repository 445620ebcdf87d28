"""Decoded frames of a split, read from disk once.

With a cache directory, every frame is decoded once, passed through the decode pipeline
(grayscale, resize, ...) and stored as uint8 in one memory-mapped ``.npy`` file beside a
JSON index. Training and testing then slice that file: no frame is decoded per clip, and
the operating system pages frames in and out (nothing is held in process memory). The
cache is keyed by the source files (resolved paths, sizes, modification times, frame
counts) and the decode pipeline, so it is rebuilt when either changes; a cache entry
whose array is missing or of the wrong length is rebuilt too. Jobs that need the same
entry at once build it once (a lock file beside it), and the array and its index are
written under temporary names and renamed into place, so a half-written entry is never
read. Decoding checks every frame:
an unreadable or truncated image, or a frame of another resolution, stops the build with an
error naming the file. Without a cache directory, frames are decoded on demand with a
small per-process LRU (video files are counted once, up front).

A video file that decodes to fewer frames than its record (its header's count) follows
the rule of :mod:`~vadkit.datasets.layouts.video_files`: an unlabelled video keeps the
frames that decode (a warning names the file and both counts when the shortfall is beyond
the header slack; the counts are recorded in the record and the cache index), while a
labelled test video is an error, since its labels are sized for the header.
"""
import hashlib
import json
import os
import os.path as osp
import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import List, Optional, Sequence, Tuple

import numpy as np
from mmengine.dist import barrier, get_rank, is_distributed
from mmengine.logging import print_log

from vadkit.utils.file_lock import exclusive_file_lock

from .dataset_errors import DatasetError, FrameDecodeError
from .frame_decoding import FrameDecoder, check_frame_shape, read_image
from .layouts.video_files import decode_frame_count, iter_video_file, settle_decoded_count
from .video_record import VideoRecord

__all__ = ['FrameDecodeError', 'FrameDecoder', 'FrameStore', 'default_cache_dir',
           'iter_video_file', 'read_image']

def _sources_digest(videos: Sequence[VideoRecord]) -> str:
    h = hashlib.sha1()
    for v in videos:
        files = [v.video_file] if v.video_file else v.frames
        h.update(f'{v.name}|{v.num_frames}|'.encode())
        for f in files:
            try:
                st = os.stat(f)
            except OSError as e:
                raise FrameDecodeError(f'cannot read {f} of video {v.name}: {e}; restore it '
                                       'or remove the video from the dataset') from e
            # realpath: data/ped2 symlinked to the real copy shares its cache entry
            h.update(f'{osp.realpath(f)}|{st.st_size}|{st.st_mtime_ns};'.encode())
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
        num_workers: Decoding threads when building the cache (OpenCV releases the GIL);
            default ``$VADKIT_CACHE_WORKERS`` or the number of CPUs, at most 8.
    """

    def __init__(self, videos: List[VideoRecord], decode_pipeline: Sequence[dict],
                 cache_dir: Optional[str] = None, name: str = 'frames',
                 lru_frames: int = 256, num_workers: Optional[int] = None) -> None:
        self.videos = videos
        self.decoder = FrameDecoder(decode_pipeline)
        self.cache_dir = cache_dir
        self.name = name
        self.offsets = np.cumsum([0] + [v.num_frames for v in videos])
        self.lru_frames = lru_frames
        self.num_workers = num_workers
        self._lru: OrderedDict = OrderedDict()
        self._video_frames: dict = {}
        self._frame_shape: Optional[Tuple[int, ...]] = None
        self._array = None
        self.cache_path: Optional[str] = None
        if cache_dir:
            self.cache_path = self._prepare_cache()
        elif any(v.video_file and v.decoded_frames is None for v in videos):
            self._check_decoded_counts(self._count_video_files())

    # ------------------------------------------------------------------ frame counts
    def _count_video_files(self) -> List[Optional[int]]:
        def count(v: VideoRecord) -> Optional[int]:
            if not v.video_file:
                return None
            return v.decoded_frames if v.decoded_frames is not None \
                else decode_frame_count(v.video_file)
        with ThreadPoolExecutor(self._workers()) as pool:
            return list(pool.map(count, self.videos))

    def _check_decoded_counts(self, counts: Sequence[Optional[int]]) -> None:
        """Match each video file's record to the frames that decode (``None``: not a
        video file or not counted): see the module docstring."""
        for v, n in zip(self.videos, counts):
            if v.video_file and n is not None:
                settle_decoded_count(v, n, self.name)

    # ------------------------------------------------------------------ cache
    def _cache_stem(self) -> str:
        key = hashlib.sha1((_sources_digest(self.videos) + self.decoder.signature()).encode())
        safe = ''.join(c if c.isalnum() or c in '-_' else '_' for c in self.name)
        return osp.join(self.cache_dir, f'{safe}-{key.hexdigest()[:16]}')

    def _cache_ok(self, stem: str) -> bool:
        """A complete cache entry: its index and an array of the expected length (a
        deleted or foreign ``.npy`` is rebuilt, never read)."""
        if not (osp.isfile(stem + '.json') and osp.isfile(stem + '.npy')):
            return False
        try:
            with open(stem + '.json') as f:
                index = json.load(f)
            arr = np.load(stem + '.npy', mmap_mode='r')
        except (OSError, ValueError):
            return False
        return (index.get('num_frames') == int(self.offsets[-1])
                and arr.shape[0] == int(self.offsets[-1])
                and list(arr.shape[1:]) == index.get('frame_shape'))

    def _prepare_cache(self) -> str:
        stem = self._cache_stem()
        if get_rank() == 0 and not self._cache_ok(stem):
            os.makedirs(self.cache_dir, exist_ok=True)
            # jobs started together build it once: the others wait, then find it complete
            with exclusive_file_lock(stem + '.lock', f'the frame cache {stem}.npy'):
                if not self._cache_ok(stem):
                    self._build_cache(stem)
        if is_distributed():
            # every process must get here: a dataset set up by the main process alone would
            # leave this barrier to pair with another one, and the run would fail later
            barrier()
        if not self._cache_ok(stem):
            raise DatasetError(f'frame cache {stem}.npy is incomplete or inconsistent with '
                               'the dataset; delete it (and its .json) to rebuild')
        with open(stem + '.json') as f:
            entries = json.load(f).get('videos') or []
        if len(entries) == len(self.videos):
            self._check_decoded_counts([e.get('decoded_frames') for e in entries])
        return stem + '.npy'

    def _workers(self) -> int:
        n = self.num_workers or int(os.environ.get('VADKIT_CACHE_WORKERS', 0)) \
            or os.cpu_count() or 1
        return max(1, min(8, n, len(self.videos)))

    def _build_cache(self, stem: str) -> None:
        from tqdm import tqdm
        total = int(self.offsets[-1])
        first = self._decode_first()
        shape = (total, ) + first.shape
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, suffix='.npy.tmp')
        os.close(fd)
        arr = np.lib.format.open_memmap(tmp, mode='w+', dtype=np.uint8, shape=shape)
        bar = tqdm(total=total, desc=f'caching {self.name} frames', unit='frame',
                   dynamic_ncols=True, mininterval=1.0)
        stop = threading.Event()  # set by the first failure: the other threads give up
        decoded: List[Optional[int]] = [None] * len(self.videos)

        def check(img: np.ndarray, where: str) -> np.ndarray:
            return check_frame_shape(img, first.shape, where)

        def fill_video(arr: np.ndarray, i: int) -> None:
            v, off = self.videos[i], int(self.offsets[i])
            try:
                if v.video_file:
                    frames = iter_video_file(v.video_file, v.num_frames, strict=False)
                    n = 0
                    for frame in frames:
                        if stop.is_set():
                            frames.close()
                            return
                        arr[off + n] = check(self.decoder.apply(frame),
                                             f'{v.video_file} (frame {n})')
                        n += 1
                        bar.update(1)
                    decoded[i] = n
                    if n < v.num_frames and v.labels is not None:
                        self._check_decoded_counts([None] * i + [n])  # fails at once
                else:
                    for j, path in enumerate(v.frames):
                        if stop.is_set():
                            return
                        arr[off + j] = check(self.decoder.read(path), path)
                        bar.update(1)
            except BaseException:
                stop.set()
                raise

        try:
            with ThreadPoolExecutor(self._workers()) as pool:
                futures = [pool.submit(fill_video, arr, i) for i in range(len(self.videos))]
                wait(futures, return_when=FIRST_EXCEPTION)
                for f in futures:
                    f.cancel()
                for f in futures:
                    if not f.cancelled() and f.exception() is not None:
                        raise f.exception()
            arr.flush()
            del arr
            os.replace(tmp, stem + '.npy')
        except BaseException:
            stop.set()
            if osp.exists(tmp):
                os.remove(tmp)
            raise
        finally:
            bar.close()
        index = dict(num_frames=total, frame_shape=list(first.shape),
                     videos=[dict(name=v.name, num_frames=v.num_frames, source=v.source,
                                  decoded_frames=n) for v, n in zip(self.videos, decoded)],
                     decode_pipeline=self.decoder.pipeline_cfg)
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, suffix='.json.tmp')
        with os.fdopen(fd, 'w') as f:
            json.dump(index, f, indent=1)
        os.replace(tmp, stem + '.json')
        print_log(f'cached {total} decoded frames of {len(self.videos)} videos in '
                  f'{stem}.npy ({total * first.size / 2**20:.0f} MiB)', logger='current')

    def _decode_first(self) -> np.ndarray:
        v = self.videos[0]
        if v.video_file:
            for frame in iter_video_file(v.video_file, 1):
                return self.decoder.apply(frame)
        return self.decoder.read(v.frames[0])

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

    def _checked(self, img: np.ndarray, where: str) -> np.ndarray:
        # The lazy path sees frames in any order: compare each with the first it decoded.
        if self._frame_shape is None:
            self._frame_shape = img.shape
        return check_frame_shape(img, self._frame_shape, where)

    def _decode_video_frames(self, i: int, indices: Sequence[int]) -> List[np.ndarray]:
        v = self.videos[i]
        if v.video_file:  # sequential formats: decode the whole video once per process
            if i not in self._video_frames:
                self._video_frames = {i: [
                    self._checked(self.decoder.apply(f), f'{v.video_file} (frame {n})')
                    for n, f in enumerate(iter_video_file(v.video_file, v.num_frames))]}
            return [self._video_frames[i][j] for j in indices]
        return [self._checked(self.decoder.read(v.frames[j]), v.frames[j]) for j in indices]

    def read(self, video_idx: int, indices: np.ndarray) -> np.ndarray:
        """Frames ``indices`` of video ``video_idx``, stacked: (L, H, W[, C]) uint8."""
        n = self.videos[video_idx].num_frames
        if len(indices) and not 0 <= min(indices) <= max(indices) < n:
            raise IndexError(f'frames {min(indices)}..{max(indices)} of video '
                             f'{self.videos[video_idx].name} asked for; it has {n}')
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
