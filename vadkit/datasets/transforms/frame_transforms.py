"""Per-frame transforms, applied once when a frame is decoded (and cached)."""
from typing import Sequence, Tuple, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from vadkit.registry import TRANSFORMS


@TRANSFORMS.register_module()
class Grayscale(BaseTransform):
    """BGR ``img`` (H, W, 3) -> grayscale (H, W)."""

    def transform(self, results: dict) -> dict:
        img = results['img']
        if img.ndim == 3:
            results['img'] = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        return results


@TRANSFORMS.register_module()
class Resize(BaseTransform):
    """Resize ``img`` to ``size`` = (height, width); area interpolation when shrinking
    (no aliasing), bilinear when enlarging."""

    def __init__(self, size: Union[int, Sequence[int]]) -> None:
        self.size: Tuple[int, int] = (size, size) if isinstance(size, int) else tuple(size)

    def transform(self, results: dict) -> dict:
        img = results['img']
        h, w = self.size
        if img.shape[:2] != (h, w):
            shrink = img.shape[0] * img.shape[1] > h * w
            results['img'] = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA
                                        if shrink else cv2.INTER_LINEAR)
        return results

    def __repr__(self) -> str:
        return f'Resize(size={self.size})'


@TRANSFORMS.register_module()
class ScaleToRange(BaseTransform):
    """uint8 clips -> float32 in [low, high]. The data preprocessor does this on the device
    by default; use this transform only to get floats out of the dataset itself."""

    def __init__(self, keys: Sequence[str] = ('window', ), low: float = -1.0,
                 high: float = 1.0) -> None:
        self.keys, self.low, self.high = tuple(keys), low, high

    def transform(self, results: dict) -> dict:
        for k in self.keys:
            if k in results:
                x = results[k].astype(np.float32) / 255.0
                results[k] = x * (self.high - self.low) + self.low
        return results
