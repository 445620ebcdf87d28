"""Video files (any container and codec OpenCV reads): opening, counting and decoding frames.

Layouts need a frame count per video without decoding it (to index windows and check
labels), so they read the container's header (``CAP_PROP_FRAME_COUNT``). Headers can be
missing (some ``.webm``/``.mkv``) or off by a frame or two; :func:`video_frame_count` then
counts by decoding, and the frame store, while decoding, fits each record to the frames
that really decode (:func:`settle_decoded_count`): a truncated file is reported by name,
never padded.

Decoded counts are compared with the header's by one rule, everywhere videos are read
(dataset loading, ``tools/detect.py`` offline and ``--stream``, ``tools/calibrate.py``): a
video whose decoded frames fall short of its header by at most :data:`HEADER_SLACK_FRAMES`
has a header that lies a little (common: a trailing empty packet, or a count estimated from
the duration) and passes without a warning; a larger shortfall means a truncated or corrupt
file and is warned about with the file, both counts and the fix. Both counts are recorded
either way (``header_frames``/``decoded_frames``). A shortfall of any size is an error where
frames are matched to per-frame labels: labels sized for the header would misalign.
"""
import contextlib
import os.path as osp
import sys
import warnings
from typing import Iterator, Optional

import cv2
import numpy as np

from ..dataset_errors import FrameDecodeError
from ..video_record import VideoRecord

#: Frames a container header may overstate the decodable ones by without a warning.
HEADER_SLACK_FRAMES = 2


class TruncatedVideoWarning(UserWarning):
    """A video decodes to fewer frames than its header declares (beyond the slack)."""


def frames_short(header_frames: Optional[int], decoded_frames: Optional[int]) -> int:
    """Frames the header declares beyond those that decode (0 when either is unknown)."""
    if not header_frames or decoded_frames is None:
        return 0
    return max(0, int(header_frames) - int(decoded_frames))


def is_truncated(header_frames: Optional[int], decoded_frames: Optional[int]) -> bool:
    """Short by more than :data:`HEADER_SLACK_FRAMES`: a truncated or corrupt file rather
    than a header that lies a little."""
    return frames_short(header_frames, decoded_frames) > HEADER_SLACK_FRAMES


def shortfall_message(path: str, header_frames: int, decoded_frames: int) -> str:
    """The warning of a video that decodes short of its header: file, counts, cause, fix."""
    return (f'video {path}: only {decoded_frames} of the {header_frames} frames its header '
            f'declares decode ({header_frames - decoded_frames} missing): the file is likely '
            'truncated or corrupt; only its first frames are used. Re-download it, or '
            're-encode it (e.g. ffmpeg -i IN -c:v libx264 OUT.mp4)')


@contextlib.contextmanager
def plain_video_warnings(prefix: str = 'warning: ') -> Iterator[None]:
    """Within, each :class:`TruncatedVideoWarning` is printed to stderr as one plain line
    (no source line), every time it happens: what command-line tools want. Other warnings
    and everything outside are left as they were."""
    with warnings.catch_warnings():
        warnings.simplefilter('always', TruncatedVideoWarning)
        previous = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, TruncatedVideoWarning):
                print(f'{prefix}{message}', file=sys.stderr, flush=True)
            else:
                previous(message, category, filename, lineno, file, line)
        warnings.showwarning = show
        yield


def warn_if_truncated(path: str, header_frames: Optional[int], decoded_frames: int) -> bool:
    """Warn (:class:`TruncatedVideoWarning`) when :func:`is_truncated`; returns whether."""
    if not is_truncated(header_frames, decoded_frames):
        return False
    warnings.warn(shortfall_message(path, int(header_frames), decoded_frames),
                  TruncatedVideoWarning, stacklevel=3)
    return True


def open_video(path: str) -> 'cv2.VideoCapture':
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        cap.release()
        raise FrameDecodeError(
            f'cannot open video {path}: the file is missing, truncated, or in a codec '
            'OpenCV cannot decode; re-encode it (e.g. ffmpeg -i in -c:v libx264 out.mp4) or '
            'extract its frames into a folder of images')
    return cap


def header_frame_count(path: str) -> int:
    """The frame count the container declares (may be 0 or approximate)."""
    cap = open_video(path)
    try:
        return max(0, int(round(cap.get(cv2.CAP_PROP_FRAME_COUNT))))
    finally:
        cap.release()


def decode_frame_count(path: str) -> int:
    """The number of frames that really decode (reads the whole file)."""
    cap = open_video(path)
    n = 0
    try:
        while cap.grab():
            n += 1
    finally:
        cap.release()
    return n


def video_frame_count(path: str, exact: bool = False) -> int:
    """Frames of a video: the header's count, or counted by decoding when ``exact`` or
    when the header has none."""
    n = 0 if exact else header_frame_count(path)
    return n if n > 0 else decode_frame_count(path)


def video_file_record(path: str, exact: bool = False) -> VideoRecord:
    """The record of a video file, named by its stem. Its frame count is the header's, or
    counted by decoding when ``exact`` or when the header has none; a decoded count is
    compared with the header's (see the module's rule) and both are recorded."""
    name = osp.splitext(osp.basename(path))[0]
    header = header_frame_count(path)
    if header > 0 and not exact:
        return VideoRecord(name=name, video_file=path, num_frames=header,
                           header_frames=header)
    decoded = decode_frame_count(path)
    if is_truncated(header, decoded):
        from mmengine.logging import print_log
        print_log(shortfall_message(path, header, decoded), logger='current', level=30)
    return VideoRecord(name=name, video_file=path, num_frames=decoded,
                       header_frames=header or None, decoded_frames=decoded)


def settle_decoded_count(v: VideoRecord, decoded: int, where: str = '') -> None:
    """Record that ``decoded`` frames of ``v.video_file`` decode and fit ``v`` to them: an
    unlabelled video keeps those frames (warned when truncated, logged at debug level when
    the header lies a little); a labelled one decoding short of its labels is an error."""
    from mmengine.logging import print_log
    if v.decoded_frames is None:
        v.decoded_frames = int(decoded)
    if v.header_frames is None:
        v.header_frames = v.num_frames
    if decoded >= v.num_frames:
        return
    if v.labels is not None:
        raise FrameDecodeError(
            f'test video {v.name} ({v.video_file}): only {decoded} of its {v.num_frames} '
            f'frames decode, but its labels ({v.label_source}) have one entry for each of '
            f'the {v.num_frames}: frames and labels would misalign. The file is likely '
            'truncated or corrupt: re-download it or re-encode it (e.g. ffmpeg -i IN -c:v '
            'libx264 OUT.mp4)')
    if is_truncated(v.num_frames, decoded):
        print_log((f'{where}: ' if where else '')
                  + shortfall_message(v.video_file, v.num_frames, decoded),
                  logger='current', level=30)
    else:
        print_log(f'{v.video_file}: its header says {v.num_frames} frames, {decoded} '
                  f'decode; using {decoded}', logger='current', level=10)
    v.num_frames = int(decoded)


def iter_video_file(path: str, expected: Optional[int] = None,
                    strict: bool = True) -> Iterator[np.ndarray]:
    """Decoded BGR frames of a video in order; at most ``expected`` of them, and, when
    ``strict``, an error naming the file when it ends before ``expected`` frames
    (truncated or corrupt). Callers that count the frames themselves pass
    ``strict=False``."""
    cap = open_video(path)
    n = 0
    try:
        while expected is None or n < expected:
            ok, frame = cap.read()
            if not ok or frame is None:
                break
            n += 1
            yield frame
    finally:
        cap.release()
    if strict and expected is not None and n < expected:
        raise FrameDecodeError(
            f'video {path} ended after {n} of its {expected} frames: the file is truncated '
            'or corrupt (or its header overstates the frame count); re-download or '
            're-encode it')
