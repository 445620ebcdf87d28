"""Decoding one frame: an image file read with its errors named, the decode pipeline
applied, and the one-resolution check of a dataset's frames."""
import json
from typing import Sequence, Tuple

import cv2
import numpy as np
from mmengine.dataset import Compose

from .dataset_errors import DatasetError, FrameDecodeError

_JPEG_SOI, _JPEG_EOI = b'\xff\xd8', b'\xff\xd9'


def read_image(path: str, gray: bool = False) -> np.ndarray:
    """Decode one image file; errors name the file. A JPEG cut short decodes "fine" in
    OpenCV (grey lower part, a warning on stderr), so JPEGs must end with their EOI marker."""
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as e:
        raise FrameDecodeError(f'cannot read frame {path}: {e}. Restore the file, or remove '
                               'its video from the dataset.') from e
    if data.size == 0:
        raise FrameDecodeError(f'frame {path} is an empty file: re-extract this frame, or '
                               'remove its video from the dataset.')
    raw = data.tobytes() if data.size < 64 else data[:2].tobytes() + data[-64:].tobytes()
    if raw[:2] == _JPEG_SOI and _JPEG_EOI not in raw[2:]:
        raise FrameDecodeError(f'frame {path} is a truncated JPEG (no end-of-image marker): '
                               're-extract or re-download this frame.')
    img = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE if gray else cv2.IMREAD_COLOR)
    if img is None:
        raise FrameDecodeError(
            f'cannot read frame {path}: the file is truncated or not a valid image. '
            'Re-extract this frame, or remove its video from the dataset.')
    return img


def check_frame_shape(img: np.ndarray, first: Tuple[int, ...], where: str) -> np.ndarray:
    """``img`` when it has the shape of the first frame decoded; else an error naming
    ``where`` (one array holds every frame, so a dataset must decode to one resolution)."""
    if img.shape != tuple(first):
        raise DatasetError(
            f'{where} decodes to shape {tuple(img.shape)} but earlier frames to '
            f"{tuple(first)}: the dataset mixes resolutions; add dict(type='Resize', "
            'size=(H, W)) to the decode pipeline')
    return img


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
