"""Pseudo-anomalies made from normal videos: a labelled set for choosing settings without
the test labels.

Ped2, Avenue and ShanghaiTech have no validation split, and a practitioner's own site has
no labelled anomalies at all. This module turns normal (training) videos into labelled
test videos by inserting one synthetic event in each, of a kind that is generic to
surveillance footage rather than to one dataset:

- ``fast_object``: a region of the scene where something moved (the box of most
  frame-to-frame change in a random frame) is cut out and slides across the frame, its
  edges feathered, crossing it in 25 frames (``speed`` = 1/25 of the frame a frame);
  labelled while it is visible. An object of the site's own appearance moving too fast,
  like a cyclist or a runner among pedestrians.
- ``skip``: for a stretch of the video every ``rate``-th frame is kept (the scene plays
  ``rate`` times too fast); labelled over that stretch. Everything moving too fast.

Events start between a quarter and a half of the video, as anomalies do in the test sets.
Every choice is drawn from a seeded generator, so the same arguments give the same videos.
The settings of this module were fixed before any test figure of the sets it makes was
seen; a model was trained on these very videos, so their normal frames score lower than
unseen ones: compare settings on them, not their AUROC with a test set's.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmengine.logging import print_log

from vadkit.registry import DATASET_LAYOUTS
from vadkit.utils.folder_replace import write_folder_atomically

from .dataset_errors import DatasetError
from .frame_store import FrameStore
from .layouts.base_layout import natural_key
from .video_record import VideoRecord

__all__ = ['PSEUDO_ANOMALY_KINDS', 'insert_fast_object', 'insert_skip',
           'make_pseudo_anomaly_video', 'write_pseudo_anomaly_dataset']

PSEUDO_ANOMALY_KINDS = ('fast_object', 'skip')
LABEL_FILE = 'ground_truth/frame_labels_pseudo.npy'
META_FILE = 'pseudo_anomalies.json'
MIN_FRAMES = 8


def _event_start(n: int, rng: np.random.Generator) -> int:
    return int(rng.integers(n // 4, max(n // 2, n // 4 + 1)))


def _feathered_ellipse(h: int, w: int) -> np.ndarray:
    """A soft ellipse filling an ``h x w`` box, 1 inside and fading to 0 at the border: a
    pasted region without the sharp rectangular edge any autoencoder would flag."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = ((yy + 0.5 - h / 2) / (h / 2)) ** 2 + ((xx + 0.5 - w / 2) / (w / 2)) ** 2
    return np.clip((1.0 - r) * 3.0, 0.0, 1.0)


def _moving_box(frames: np.ndarray, box_h: int, box_w: int,
                rng: np.random.Generator) -> Tuple[int, int, int]:
    """``(frame, top, left)`` of the ``box_h x box_w`` box with the most frame-to-frame
    change in a random frame (a random box when nothing moves)."""
    n, h, w = frames.shape[:3]
    t = int(rng.integers(1, n))
    diff = np.abs(frames[t].astype(np.float32) - frames[t - 1].astype(np.float32))
    if diff.ndim == 3:
        diff = diff.mean(-1)
    energy = cv2.boxFilter(diff, -1, (box_w, box_h), normalize=True,
                           borderType=cv2.BORDER_CONSTANT)
    # centres that keep the whole box inside the frame
    cy0, cx0 = box_h // 2, box_w // 2
    inner = energy[cy0:h - (box_h - cy0) + 1, cx0:w - (box_w - cx0) + 1]
    if inner.size == 0 or float(inner.max()) <= 1e-6:
        return t, int(rng.integers(0, h - box_h + 1)), int(rng.integers(0, w - box_w + 1))
    cy, cx = np.unravel_index(int(np.argmax(inner)), inner.shape)
    return t, int(cy), int(cx)


def insert_fast_object(frames: np.ndarray, rng: np.random.Generator, speed: float = 1 / 25,
                       box: Tuple[float, float] = (1 / 6, 1 / 12)) -> Tuple[np.ndarray, dict]:
    """Slide a region where something moved across ``frames`` (``(N, H, W[, C])`` uint8).

    Returns the new frames and the event: its kind, source frame and box, path and the
    0/1 label of each frame (1 while the region is visible).
    """
    n, h, w = frames.shape[:3]
    box_h, box_w = max(4, int(round(h * box[0]))), max(4, int(round(w * box[1])))
    if box_h >= h or box_w >= w:
        raise DatasetError(f'frames of {h}x{w} are too small for a pseudo-anomaly region of '
                           f'{box_h}x{box_w} (at least 4 pixels a side): use larger frames')
    src_t, top, left = _moving_box(frames, box_h, box_w, rng)
    patch = frames[src_t, top:top + box_h, left:left + box_w].astype(np.float32)
    alpha = _feathered_ellipse(box_h, box_w)
    if patch.ndim == 3:
        alpha = alpha[..., None]
    horizontal = bool(rng.random() < 0.5)
    direction = float(rng.choice([-1.0, 1.0]))
    extent, across = (w, h) if horizontal else (h, w)
    size_along, size_across = (box_w, box_h) if horizontal else (box_h, box_w)
    step = max(1.0, speed * extent) * direction
    lane = int(rng.integers(0, across - size_across + 1))
    pos = -float(size_along) if direction > 0 else float(extent)
    start = _event_start(n, rng)
    out = frames.copy()
    labels = np.zeros(n, dtype=np.uint8)
    for t in range(start, n):
        p = int(round(pos))
        a, b = max(p, 0), min(p + size_along, extent)
        if a < b:
            src = slice(a - p, b - p)
            if horizontal:
                region = out[t, lane:lane + box_h, a:b].astype(np.float32)
                m, src_patch = alpha[:, src], patch[:, src]
            else:
                region = out[t, a:b, lane:lane + box_w].astype(np.float32)
                m, src_patch = alpha[src], patch[src]
            mixed = np.clip(np.rint(m * src_patch + (1 - m) * region), 0, 255).astype(np.uint8)
            if horizontal:
                out[t, lane:lane + box_h, a:b] = mixed
            else:
                out[t, a:b, lane:lane + box_w] = mixed
            labels[t] = 1
        elif (direction > 0 and p >= extent) or (direction < 0 and p + size_along <= 0):
            break
        pos += step
    event = dict(kind='fast_object', source_frame=src_t, box=[top, left, box_h, box_w],
                 direction=('right' if direction > 0 else 'left') if horizontal
                 else ('down' if direction > 0 else 'up'),
                 lane=lane, pixels_per_frame=abs(step), start=start)
    return out, dict(event, labels=labels)


def insert_skip(frames: np.ndarray, rng: np.random.Generator, rate: int = 3,
                fraction: float = 1 / 6) -> Tuple[np.ndarray, dict]:
    """Play a stretch of ``frames`` ``rate`` times too fast (keep every ``rate``-th frame).

    The video gets shorter by the frames skipped. Returns the new frames and the event,
    with one 0/1 label a new frame (1 over the stretch).
    """
    n = frames.shape[0]
    start = _event_start(n, rng)
    length = max(1, min(int(round(n * fraction)), (n - start) // rate))
    keep = np.concatenate([np.arange(start), start + rate * np.arange(length),
                           np.arange(start + rate * length, n)])
    labels = np.zeros(keep.size, dtype=np.uint8)
    labels[start:start + length] = 1
    event = dict(kind='skip', rate=rate, start=start, length=length,
                 source_frames=[start, int(start + rate * length)])
    return frames[keep], dict(event, labels=labels)


_INSERT = dict(fast_object=insert_fast_object, skip=insert_skip)


def make_pseudo_anomaly_video(frames: np.ndarray, kind: str,
                              rng: np.random.Generator) -> Tuple[np.ndarray, dict]:
    """One pseudo-anomalous video of ``kind`` (see :data:`PSEUDO_ANOMALY_KINDS`)."""
    if kind not in _INSERT:
        raise DatasetError(f'unknown pseudo-anomaly kind {kind!r}; choose from '
                           f'{list(PSEUDO_ANOMALY_KINDS)}')
    if frames.shape[0] < MIN_FRAMES:
        raise DatasetError(f'a video of {frames.shape[0]} frames is too short for a '
                           f'pseudo-anomaly (at least {MIN_FRAMES})')
    return _INSERT[kind](frames, rng)


def _check_out_dir(out: str, overwrite: bool) -> None:
    if not osp.exists(out):
        return
    if not osp.isdir(out):
        raise DatasetError(f'{out} exists and is not a folder: choose another --out')
    if not os.listdir(out):
        return
    if not osp.isfile(osp.join(out, META_FILE)):
        raise DatasetError(f'{out} holds files but no pseudo-anomaly set ({META_FILE}): '
                           'vadkit never replaces a folder it did not make; choose an empty '
                           'or new --out')
    if not overwrite:
        raise DatasetError(f'{out} already holds a pseudo-anomaly set: pass --overwrite to '
                           'replace it, or choose another --out')


def write_pseudo_anomaly_dataset(root: str, out: str, layout: Optional[dict] = None,
                                 kinds: Sequence[str] = PSEUDO_ANOMALY_KINDS, seed: int = 0,
                                 max_videos: Optional[int] = None,
                                 overwrite: bool = False) -> Dict[str, object]:
    """Write a frames-layout test set under ``out`` made from the training videos of the
    dataset at ``root``: one pseudo-anomaly a video, kinds taken in turn.

    ``out/testing/frames/<video>/<frame>.png`` (lossless), the labels in
    ``out/ground_truth/frame_labels_pseudo.npy`` and every event in
    ``out/pseudo_anomalies.json``. Any config tests on it with ``--data-root out`` (its
    layout is detected). Returns the metadata written.
    """
    kinds = list(kinds)
    if not kinds:
        raise DatasetError('give at least one pseudo-anomaly kind')
    for k in kinds:
        if k not in PSEUDO_ANOMALY_KINDS:
            raise DatasetError(f'unknown pseudo-anomaly kind {k!r}; choose from '
                               f'{list(PSEUDO_ANOMALY_KINDS)}')
    _check_out_dir(out, overwrite)
    reader = DATASET_LAYOUTS.build(layout or dict(type='AutoLayout', root=root))
    videos: List[VideoRecord] = reader.load('train')
    # the frames layout reads the written folders in natural order and gives them the
    # label file's entries in that order: write them in it, or labels go to other videos
    videos = sorted(videos, key=lambda v: natural_key(v.name))
    names = [v.name for v in videos]
    if len(set(names)) != len(names):
        raise DatasetError(f'{reader.describe()}: training videos share a name '
                           f'({sorted({n for n in names if names.count(n) > 1})}): one '
                           'folder a video cannot hold them; rename them')
    short = [v for v in videos if v.num_frames < MIN_FRAMES]
    if short:
        print_log(f'{reader.describe()}: leaving out {len(short)} training video(s) shorter '
                  f'than the {MIN_FRAMES} frames a pseudo-anomaly needs: '
                  f"{', '.join(f'{v.name} ({v.num_frames})' for v in short)}",
                  logger='current', level=30)
        videos = [v for v in videos if v.num_frames >= MIN_FRAMES]
    if not videos:
        raise DatasetError(f'{reader.describe()}: no training video has the {MIN_FRAMES} '
                           'frames a pseudo-anomaly needs; give longer normal videos')
    if max_videos is not None:
        if max_videos < 1:
            raise DatasetError(f'--max-videos must be at least 1, got {max_videos}')
        videos = videos[:max_videos]
    store = FrameStore(videos, decode_pipeline=[], cache_dir=None)
    meta = dict(source_root=osp.abspath(root), layout=reader.describe(), kinds=kinds,
                seed=seed, videos=[])

    def fill(tmp: str) -> None:
        all_labels = []
        for i, video in enumerate(videos):
            frames = store.read(i, np.arange(video.num_frames))
            kind = kinds[i % len(kinds)]
            try:
                new, event = make_pseudo_anomaly_video(frames, kind,
                                                       np.random.default_rng([seed, i]))
            except DatasetError as e:
                raise DatasetError(f'training video {video.name} ({video.source}): {e}') \
                    from None
            labels = event.pop('labels')
            folder = osp.join(tmp, 'testing', 'frames', video.name)
            os.makedirs(folder)
            for t, frame in enumerate(new):
                if not cv2.imwrite(osp.join(folder, f'{t:05d}.png'), frame):
                    raise DatasetError(f'cannot write {folder}/{t:05d}.png: check the '
                                       'space and permissions of --out')
            all_labels.append(labels)
            meta['videos'].append(dict(video=video.name, source=video.source,
                                       frames=int(len(new)),
                                       anomalous_frames=int(labels.sum()), **event))
        os.makedirs(osp.join(tmp, 'ground_truth'))
        np.save(osp.join(tmp, LABEL_FILE),
                np.concatenate(all_labels)[None].astype(np.uint8))
        with open(osp.join(tmp, META_FILE), 'w') as f:
            json.dump(meta, f, indent=1)

    write_folder_atomically(out, fill, prefix='.pseudo-')
    return meta
