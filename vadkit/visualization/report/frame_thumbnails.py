"""Small JPEG thumbnails of the frames around each event peak, for the report to embed.

Frames come from the run's dataset, found through its config's test layout (with the data
root overridden by ``--data-root``). Only a few frames around each event's peak are embedded
(base64), and at most ``max_events`` events get them (the highest peaks first), so the
report stays small enough to send by mail. When the frames are not at hand the report says
why instead.
"""
import base64
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

#: Frames embedded around a peak, as offsets from it.
PEAK_OFFSETS = (-6, -3, 0, 3, 6)


@dataclass
class Thumbnails:
    """``{video name: {frame index: data URI}}``, or why there are none; ``heatmaps`` the
    same frames with the model's error heat map over them (when a model scored them)."""
    images: Dict[str, Dict[int, str]] = field(default_factory=dict)
    heatmaps: Dict[str, Dict[int, str]] = field(default_factory=dict)
    note: str = ''

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.images.values())


def test_videos_from_config(config_path: str, data_root: Optional[str] = None):
    """The test split's :class:`VideoRecord` list of a config, or a reason string when its
    frames are not at hand."""
    from mmengine.config import Config

    from vadkit.datasets.layouts import BaseLayout  # noqa: F401 (registers the layouts)
    from vadkit.registry import DATASET_LAYOUTS
    from vadkit.utils.run_config import set_data_root
    try:
        cfg = Config.fromfile(config_path, import_custom_modules=False)
    except Exception as e:  # a config copy from another version or with missing plugins
        return f'the config {config_path} could not be read ({type(e).__name__}: {e})'
    layout = (cfg.get('test_dataloader') or {}).get('dataset', {}).get('layout')
    if not layout:
        return f'the config {config_path} names no test dataset layout'
    root = osp.expanduser(str(data_root or layout.get('root', '')))
    if not osp.isdir(root):
        return (f'the data root {root!r} does not exist here; pass --data-root '
                '/path/to/dataset to embed frames')
    if data_root:
        set_data_root(cfg, data_root)
        layout = cfg.test_dataloader.dataset.layout
    try:
        reader = DATASET_LAYOUTS.build(layout)
        up_to_date = getattr(reader, '_up_to_date', None)
        if up_to_date is not None and not up_to_date():  # never regenerate synthetic data
            return (f'the synthetic videos under {root} were made with other arguments than '
                    "the run's (train or test the config once to generate them)")
        return reader.load('test')
    except Exception as e:  # any dataset error: the report is still made, without frames
        return f'the test videos under {root} could not be listed ({e})'


def read_frame(record, index: int) -> Optional[np.ndarray]:
    """Frame ``index`` of a video record (a frame image or a video file), BGR."""
    import cv2
    if record.frames:
        if not 0 <= index < len(record.frames):
            return None
        return cv2.imread(record.frames[index], cv2.IMREAD_COLOR)
    if record.video_file:
        cap = cv2.VideoCapture(record.video_file)
        try:
            cap.set(cv2.CAP_PROP_POS_FRAMES, index)
            ok, frame = cap.read()
        finally:
            cap.release()
        return frame if ok else None
    return None


def encode_thumbnail(image: np.ndarray, width: int, quality: int = 70) -> str:
    """A ``data:image/jpeg;base64,...`` URI of ``image`` scaled to ``width`` pixels."""
    import cv2
    h, w = image.shape[:2]
    if w > width:
        image = cv2.resize(image, (width, max(1, round(h * width / w))),
                           interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError('JPEG encoding failed')
    return 'data:image/jpeg;base64,' + base64.b64encode(buf.tobytes()).decode('ascii')


def peak_frames(peaks: Sequence[Tuple[str, int, float]],
                max_events: int) -> Dict[str, List[int]]:
    """``{video: frames}`` to embed: :data:`PEAK_OFFSETS` around the ``max_events`` highest
    of ``(video, peak frame, peak score)``."""
    chosen = sorted(peaks, key=lambda p: -p[2])[:max_events]
    wanted: Dict[str, List[int]] = {}
    for video, peak, _ in chosen:
        wanted.setdefault(video, []).extend(max(0, peak + d) for d in PEAK_OFFSETS)
    return {v: sorted(set(f)) for v, f in wanted.items()}


def make_thumbnails(config_path: Optional[str], peaks: Sequence[Tuple[str, int, float]],
                    data_root: Optional[str] = None, max_events: int = 60,
                    width: int = 160) -> Thumbnails:
    """Thumbnails around the event peaks, read from the run's dataset."""
    if not peaks:
        return Thumbnails(note='no event, so no frame is embedded')
    if not config_path or not osp.isfile(config_path):
        return Thumbnails(note='frames are not available: no config copy in the run folder '
                          '(pass --config)')
    records = test_videos_from_config(config_path, data_root)
    if isinstance(records, str):
        return Thumbnails(note=f'frames are not available: {records}')
    by_name = {r.name: r for r in records}
    out = Thumbnails()
    missing = []
    for video, frames in peak_frames(peaks, max_events).items():
        record = by_name.get(video)
        if record is None:
            missing.append(video)
            continue
        for f in frames:
            image = read_frame(record, f)
            if image is not None:
                out.images.setdefault(video, {})[f] = encode_thumbnail(image, width)
    shown = min(len(peaks), max_events)
    out.note = (f'{out.count} frames embedded around the peaks of {shown} of {len(peaks)} '
                f'events (the highest peaks; frames {", ".join(map(str, PEAK_OFFSETS))} '
                'from each peak)')
    if missing:
        out.note += f'; videos not found in the dataset: {", ".join(missing)}'
    return out
