"""Video files (any container and codec OpenCV reads): opening, counting and decoding frames.

Layouts need a frame count per video without decoding it (to index windows and check
labels), so they read the container's header (``CAP_PROP_FRAME_COUNT``). Headers can be
missing (some ``.webm``/``.mkv``) or off by a frame or two; :func:`video_frame_count` then
counts by decoding, and the frame store checks while decoding that a video really holds
the frames its record promises, so a truncated file is reported by name, never padded.
"""
from typing import Iterator, Optional

import cv2
import numpy as np

from .base_layout import FrameDecodeError


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


def iter_video_file(path: str, expected: Optional[int] = None) -> Iterator[np.ndarray]:
    """Decoded BGR frames of a video in order; at most ``expected`` of them, and an error
    naming the file when it ends before ``expected`` frames (truncated or corrupt)."""
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
    if expected is not None and n < expected:
        raise FrameDecodeError(
            f'video {path} ended after {n} of its {expected} frames: the file is truncated '
            'or corrupt (or its header overstates the frame count); re-download or '
            're-encode it')
