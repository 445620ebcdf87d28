"""Moves a batch to the device and turns uint8 clips into floats in [-1, 1] there."""
from typing import Optional

import torch
from mmengine.model import BaseDataPreprocessor

from vadkit.registry import MODELS


@MODELS.register_module()
class ClipDataPreprocessor(BaseDataPreprocessor):
    """Clips travel as uint8 (4x fewer bytes through workers and to the GPU) and are
    scaled to [-1, 1] on the device: ``x / 127.5 - 1``.

    Args:
        channels_last: Convert clips to ``torch.channels_last_3d`` (faster 3D convolutions
            on some devices).
    """

    def __init__(self, channels_last: bool = False, non_blocking: Optional[bool] = True) -> None:
        super().__init__(non_blocking=non_blocking)
        self.channels_last = channels_last

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs = data.get('inputs', {})
        for key, value in list(inputs.items()):
            if isinstance(value, torch.Tensor) and value.dtype == torch.uint8:
                value = value.float().div_(127.5).sub_(1.0)
                if self.channels_last and value.dim() == 5:
                    value = value.contiguous(memory_format=torch.channels_last_3d)
                inputs[key] = value
        return dict(inputs=inputs, data_samples=data.get('data_samples', {}))
