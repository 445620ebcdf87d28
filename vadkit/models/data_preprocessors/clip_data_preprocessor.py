"""Moves a batch to the device and turns uint8 clips into floats in [-1, 1] there."""
from typing import Dict, Optional, Union

import torch
from mmengine.model import BaseDataPreprocessor

from vadkit.registry import MODELS

#: What ``channels_last='auto'`` means on each device type. CPU: measured with
#: ``benchmarks/bench_train_test.py`` (oneDNN runs Conv3d/ConvTranspose3d faster on
#: channels-last 3D tensors; see docs/performance.md). CUDA: cuDNN's NDHWC kernels are the
#: ones that use tensor cores under mixed precision. Other devices keep the default layout.
AUTO_CHANNELS_LAST: Dict[str, bool] = {'cpu': True, 'cuda': True}


def memory_format_of(channels_last: bool) -> torch.memory_format:
    return torch.channels_last_3d if channels_last else torch.contiguous_format


@MODELS.register_module()
class ClipDataPreprocessor(BaseDataPreprocessor):
    """Clips travel as uint8 (4x fewer bytes through workers and to the GPU) and are
    scaled to [-1, 1] on the device: ``x / 127.5 - 1``.

    It also decides the memory layout of the clips, and through
    :meth:`use_channels_last` that of the model's 3D convolution weights (a
    :class:`~vadkit.models.detectors.MultiTaskAutoEncoder` follows its preprocessor when
    it is moved to a device). The layout changes speed only: scores agree with the default
    layout to float32 rounding (``tests/test_fast_path.py``).

    Args:
        channels_last: ``True``/``False``: clips in ``torch.channels_last_3d`` or in the
            default (contiguous) layout; ``'auto'``: per device type, from
            ``AUTO_CHANNELS_LAST`` (channels-last on CPU and CUDA).
        non_blocking: Copy batches to the device asynchronously (with pinned memory).
    """

    def __init__(self, channels_last: Union[bool, str] = 'auto',
                 non_blocking: Optional[bool] = True) -> None:
        super().__init__(non_blocking=non_blocking)
        if channels_last not in (True, False, 'auto'):
            raise ValueError(f"ClipDataPreprocessor: channels_last must be True, False or "
                             f"'auto', got {channels_last!r}")
        self.channels_last = channels_last

    def use_channels_last(self, device: Optional[Union[str, torch.device]] = None) -> bool:
        """Whether clips (and the model's 5-D weights) use channels-last 3D on ``device``
        (default: the device this preprocessor moves batches to)."""
        if self.channels_last != 'auto':
            return bool(self.channels_last)
        device = torch.device(device) if device is not None else self.device
        return AUTO_CHANNELS_LAST.get(device.type, False)

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs = data.get('inputs', {})
        for key, value in list(inputs.items()):
            if isinstance(value, torch.Tensor) and value.dtype == torch.uint8:
                fmt = memory_format_of(value.dim() == 5 and self.use_channels_last(value.device))
                # one pass into the target layout, then in place: x / 127.5 - 1
                clip = torch.empty_like(value, dtype=torch.float32, memory_format=fmt)
                inputs[key] = clip.copy_(value).div_(127.5).sub_(1.0)
        return dict(inputs=inputs, data_samples=data.get('data_samples', {}))
