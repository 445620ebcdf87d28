"""Video files and frame folders written on the fly for the tests: MJPG/mp4v videos of given
grey frames, random-noise MJPG files and truncation of a file's bytes."""
import glob
import os
import os.path as osp
from pathlib import Path

import cv2
import numpy as np

from vadkit.datasets.layouts.video_files import HEADER_SLACK_FRAMES


def write_video(path: Path, frames, fps: float = 10.0, fourcc: str = 'MJPG') -> str:
    """Grey frames -> a video file (MJPG .avi or mp4v .mp4)."""
    h, w = frames[0].shape[:2] if len(frames) else (32, 32)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (w, h), False)
    assert writer.isOpened()
    for f in frames:
        writer.write(f)
    writer.release()
    return str(path)


def read_frames(folder) -> list:
    return [cv2.imread(p, cv2.IMREAD_GRAYSCALE) for p in sorted(glob.glob(f'{folder}/*.png'))]


HEADER = 60


def write_mjpg(path: str, n: int = HEADER, size=(48, 64), seed: int = 0) -> str:
    """An MJPG .avi of ``n`` random grey frames (cv2.VideoWriter)."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    rng = np.random.default_rng(seed)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), 10.0, size[::-1], False)
    assert writer.isOpened()
    for _ in range(n):
        writer.write(rng.integers(0, 256, size, dtype=np.uint8))
    writer.release()
    return path


def truncate(path: str, keep: float = 0.5) -> int:
    """Cut the file's bytes to ``keep`` of them; returns how many frames still decode (the
    header keeps its count)."""
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:int(len(data) * keep)])
    cap = cv2.VideoCapture(path)
    assert cap.isOpened() and int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == HEADER
    n = 0
    while cap.grab():
        n += 1
    cap.release()
    assert 0 < n < HEADER - HEADER_SLACK_FRAMES
    return n
