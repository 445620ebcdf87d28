"""Where frames come from: a video file, a frame folder, a live capture or an iterator.

A source yields *raw* frames (BGR or grey uint8, as OpenCV reads them); the detector then
applies the config's decode pipeline (Grayscale, Resize) to each, exactly as the test
dataset's :class:`~vadkit.datasets.frame_store.FrameStore` does. Frame folders are read with
the same ``cv2.imread`` flags as the dataset (grey when the pipeline starts with
``Grayscale``), so offline scores of a frame folder equal those of ``tools/test.py``.

A video file read to its end compares the frames that decoded with its header's count
(``header_frames``/``decoded_frames``) and warns with :class:`TruncatedVideoWarning` when
the file is truncated or corrupt (the rule of :mod:`vadkit.datasets.layouts.video_files`).
An explicit frame rate must be a finite number > 0; a source that tells none (frame
folders, some cameras) gets :data:`DEFAULT_FPS`, with ``fps_known`` False.
"""
import math
import os
import os.path as osp
from typing import Iterable, Iterator, List, Optional, Union

import cv2
import numpy as np

from vadkit.datasets.frame_store import read_image
from vadkit.datasets.layouts.base_layout import (
    IMAGE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    list_images,
    natural_key,
)
from vadkit.datasets.layouts.video_files import (
    TruncatedVideoWarning,
    frames_short,
    warn_if_truncated,
)
from vadkit.utils.errors import VadkitError

__all__ = ['DEFAULT_FPS', 'CaptureSource', 'FrameSource', 'ImageFolderSource', 'InputError',
           'IterableSource', 'TruncatedVideoWarning', 'VideoFileSource', 'check_fps',
           'discover_inputs', 'is_live_spec', 'open_source']

#: Frame rate assumed when a source does not tell (frame folders, some cameras).
DEFAULT_FPS = 25.0


class InputError(VadkitError, ValueError):
    """An input that cannot be scored; the message names it and says how to fix it."""


def _valid_fps(value: Optional[float]) -> Optional[float]:
    return float(value) if value is not None and math.isfinite(value) and value > 0 else None


def check_fps(fps: Optional[float], what: str = 'fps') -> Optional[float]:
    """An explicit frame rate as a float, ``None`` when not given; anything but a finite
    number > 0 is an :class:`InputError` (event times in seconds would be wrong)."""
    if fps is None:
        return None
    try:
        value = float(fps)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InputError(f'{what} must be a finite number of frames per second > 0, got '
                         f'{fps!r}; leave it out to use the video\'s own frame rate')
    return value


class FrameSource:
    """A named sequence of raw frames with a frame rate.

    Attributes:
        name: Short name (file stem or folder name), used for output files.
        location: The path, URL or camera index it reads.
        fps: Frames per second (for event times in seconds).
        num_frames: Number of frames if known in advance (for progress bars), else ``None``.
        fps_known: Whether ``fps`` was given or told by the source (else the default).
        header_frames: Frames a video file's header declares (``None`` for other sources).
        decoded_frames: Frames read by the last complete pass over the source (``None``
            until one ends).
        rereadable: Whether :meth:`frames` may be called more than once (an annotated video
            of an offline result re-reads its source).
        live: Whether the source is a live capture (no end, no known length).
    """

    rereadable = True
    live = False
    header_frames: Optional[int] = None
    decoded_frames: Optional[int] = None

    def __init__(self, name: str, location: str, fps: Optional[float] = None,
                 num_frames: Optional[int] = None, native_fps: Optional[float] = None) -> None:
        """``fps``: the user's frame rate (checked); ``native_fps``: the one the source
        reports (ignored when missing or invalid)."""
        self.name = name
        self.location = location
        rate = check_fps(fps) or _valid_fps(native_fps)
        self.fps = rate or DEFAULT_FPS
        self.fps_known = rate is not None
        self.num_frames = num_frames

    @property
    def frames_short(self) -> int:
        """Frames the header declares beyond those that decoded (0 when unknown)."""
        return frames_short(self.header_frames, self.decoded_frames)

    def frames(self, gray: bool = False) -> Iterator[np.ndarray]:
        """Yield raw uint8 frames; ``gray`` asks for single-channel frames where reading
        them that way is what the dataset does (image files)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.location!r}, fps={self.fps:g})'


class VideoFileSource(FrameSource):
    """A video file read with OpenCV."""

    def __init__(self, path: str, fps: Optional[float] = None) -> None:
        if not osp.exists(path):
            raise InputError(f'input {path!r} does not exist')
        if osp.getsize(path) == 0:
            raise InputError(f'video {path} is empty (0 bytes): no frames to score')
        cap = cv2.VideoCapture(path)
        if not cap.isOpened():
            raise InputError(f'cannot open video {path}: it is not a video file, it is '
                             'truncated, or its codec is one OpenCV cannot decode; '
                             're-encode it (e.g. ffmpeg -i IN -c:v libx264 OUT.mp4)')
        file_fps = cap.get(cv2.CAP_PROP_FPS)
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        cap.release()
        name = osp.splitext(osp.basename(path))[0]
        super().__init__(name, path, fps, count if count > 0 else None, native_fps=file_fps)
        self.header_frames = count if count > 0 else None

    def frames(self, gray: bool = False) -> Iterator[np.ndarray]:
        """The frames that decode; at the end, :attr:`decoded_frames` is set and a
        :class:`TruncatedVideoWarning` given when the file holds fewer than its header
        declares (beyond a slack of a frame or two)."""
        cap = cv2.VideoCapture(self.location)
        if not cap.isOpened():
            raise InputError(f'cannot open video {self.location}')
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
        self.decoded_frames = n
        warn_if_truncated(self.location, self.header_frames, n)


class ImageFolderSource(FrameSource):
    """A folder of frame images in natural order (``2.jpg`` before ``10.jpg``)."""

    def __init__(self, folder: str, fps: Optional[float] = None,
                 paths: Optional[List[str]] = None, name: Optional[str] = None) -> None:
        self.paths = list(paths) if paths is not None else list_images(folder)
        if not self.paths:
            raise InputError(f'frame folder {folder} holds no images '
                             f'({", ".join(IMAGE_EXTENSIONS)}): no frames to score')
        super().__init__(name or osp.basename(osp.normpath(folder)), folder, fps,
                         len(self.paths))

    def frames(self, gray: bool = False) -> Iterator[np.ndarray]:
        for p in self.paths:
            yield read_image(p, gray)


class CaptureSource(FrameSource):
    """A live source OpenCV opens: a camera index, or an RTSP/HTTP URL.

    Args:
        spec: Camera index (``0``) or URL.
        fps: Frame rate override (cameras often report 0).
        reconnect: Times to reopen a network stream that stops returning frames.
    """

    rereadable = False
    live = True

    def __init__(self, spec: Union[int, str], fps: Optional[float] = None,
                 reconnect: int = 0) -> None:
        self.spec = int(spec) if isinstance(spec, int) or str(spec).isdigit() else str(spec)
        self.reconnect = reconnect
        fps = check_fps(fps)  # before the device or stream is opened
        self._cap = cv2.VideoCapture(self.spec)
        if not self._cap.isOpened():
            raise InputError(f'cannot open live source {self.spec!r}: check the camera index '
                             'or URL (rtsp://, http://) and that OpenCV was built with the '
                             'backend it needs (FFmpeg/GStreamer)')
        name = f'camera{self.spec}' if isinstance(self.spec, int) else (
            ''.join(c if c.isalnum() else '_' for c in self.spec.split('://')[-1])[:48]
            or 'stream')
        super().__init__(name, str(self.spec), fps, None,
                         native_fps=self._cap.get(cv2.CAP_PROP_FPS))

    def frames(self, gray: bool = False) -> Iterator[np.ndarray]:
        if self._cap is None:
            raise InputError(f'live source {self.spec!r} can be read once')
        retries = self.reconnect
        try:
            while True:
                ok, frame = self._cap.read()
                if ok:
                    yield frame
                    continue
                if retries <= 0 or isinstance(self.spec, int):
                    break
                retries -= 1
                self._cap.release()
                self._cap = cv2.VideoCapture(self.spec)
        finally:
            self._cap.release()
            self._cap = None


class IterableSource(FrameSource):
    """Frames from Python: any iterable of uint8 arrays, (H, W) grey or (H, W, 3) BGR.
    It can be read once (a generator cannot be rewound)."""

    rereadable = False

    def __init__(self, frames: Iterable[np.ndarray], fps: Optional[float] = None,
                 name: str = 'frames') -> None:
        self._frames: Optional[Iterable[np.ndarray]] = frames
        n = len(frames) if hasattr(frames, '__len__') else None  # type: ignore[arg-type]
        super().__init__(name, '<iterable>', fps, n)
        self.rereadable = isinstance(frames, (list, tuple, np.ndarray))

    def frames(self, gray: bool = False) -> Iterator[np.ndarray]:
        if self._frames is None:
            raise InputError('this frame iterator was already consumed: pass a list, or a '
                             'new iterator, to score it again')
        frames = self._frames
        if not self.rereadable:
            self._frames = None
        for i, f in enumerate(frames):
            f = np.asarray(f)
            if f.dtype != np.uint8 or f.ndim not in (2, 3):
                raise InputError(f'frame {i} of the iterator is {f.dtype} {f.shape}: frames '
                                 'must be uint8 (H, W) grey or (H, W, 3) BGR arrays')
            yield f


def is_live_spec(spec: Union[int, str]) -> bool:
    """A camera index or a network URL (not a file path)."""
    s = str(spec)
    return isinstance(spec, int) or s.isdigit() or '://' in s


def open_source(obj, fps: Optional[float] = None, name: Optional[str] = None) -> FrameSource:
    """One source from a video path, a frame folder, a camera index/URL, an iterable of
    frames or a :class:`FrameSource`."""
    if isinstance(obj, FrameSource):
        return obj
    if isinstance(obj, (str, os.PathLike, int)):
        spec = os.fspath(obj) if not isinstance(obj, int) else obj
        if is_live_spec(spec) and not osp.exists(str(spec)):
            return CaptureSource(spec, fps)
        path = str(spec)
        if osp.isdir(path):
            if not list_images(path):
                raise InputError(f'{path} is a folder without frame images; to score a folder '
                                 'of videos or of frame folders, use discover_inputs() (the '
                                 'command line does this)')
            src = ImageFolderSource(path, fps)
        elif osp.isfile(path) or not osp.exists(path):
            src = VideoFileSource(path, fps)
        else:
            raise InputError(f'input {path!r} is neither a video file nor a frame folder')
        if name:
            src.name = name
        return src
    if isinstance(obj, Iterable):
        return IterableSource(obj, fps, name or 'frames')
    raise InputError(f'cannot read frames from {type(obj).__name__}: pass a video path, a '
                     'frame folder, a camera index/URL or an iterable of uint8 frames')


def discover_inputs(path: str) -> List[str]:
    """The inputs under ``path``, each for :func:`open_source`: the path itself (a video
    file, a frame folder, a camera index or URL), or the video files and frame folders a
    folder holds (one level deep), in natural order. Inputs are not opened here, so that
    one unreadable video does not stop the others."""
    if is_live_spec(path) and not osp.exists(path):
        return [path]
    if not osp.exists(path):
        raise InputError(f'input {path!r} does not exist')
    if osp.isfile(path) or list_images(path):
        return [path]
    found = []
    for entry in sorted(os.listdir(path), key=natural_key):
        full = osp.join(path, entry)
        if osp.isfile(full) and entry.lower().endswith(VIDEO_EXTENSIONS):
            found.append(full)
        elif osp.isdir(full) and list_images(full):
            found.append(full)
    if not found:
        raise InputError(f'{path} holds no video files ({", ".join(VIDEO_EXTENSIONS)}), no '
                         'frame images and no frame folders')
    return found


class CountedFrames:
    """Counts frames through an iterator and drives an optional tqdm bar (frames/s)."""

    def __init__(self, frames: Iterator[np.ndarray], source: FrameSource, progress: bool):
        self.frames, self.count = frames, 0
        self.bar = None
        if progress:
            from tqdm import tqdm
            self.bar = tqdm(total=source.num_frames, desc=source.name, unit='frame',
                            dynamic_ncols=True, mininterval=0.5, leave=True)

    def __iter__(self):
        for f in self.frames:
            self.count += 1
            if self.bar is not None:
                self.bar.update(1)
            yield f

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

