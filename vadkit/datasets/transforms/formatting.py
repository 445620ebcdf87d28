"""Pack sampled clips into model inputs."""
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from vadkit.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PackClipInputs(BaseTransform):
    """Clips (L, H, W) or (L, H, W, C) -> tensors (C, L, H, W) under ``inputs``; scalar
    ``meta_keys`` (labels, indices) -> tensors under ``data_samples``.

    Clips stay uint8 (cast and scaled on the device by the data preprocessor).
    """

    def __init__(self, keys: Sequence[str] = ('window', ),
                 meta_keys: Sequence[str] = ('video_idx', 'frame_idx', 'label')) -> None:
        self.keys, self.meta_keys = tuple(keys), tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        inputs = {}
        for k in self.keys:
            clip = np.ascontiguousarray(results[k])
            t = torch.from_numpy(clip)
            inputs[k] = t.unsqueeze(0) if t.dim() == 3 else t.permute(3, 0, 1, 2).contiguous()
        samples = {k: torch.as_tensor(results[k]) for k in self.meta_keys if k in results}
        return dict(inputs=inputs, data_samples=samples)
