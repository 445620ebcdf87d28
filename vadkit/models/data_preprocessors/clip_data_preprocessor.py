"""Moves a batch to the device and turns uint8 clips into floats in [-1, 1] there."""
from typing import Dict, Optional, Union

import torch
from mmengine.model import BaseDataPreprocessor

from vadkit.registry import MODELS

Layout = Union[bool, str]

#: What ``channels_last='auto'`` means, per device type and phase (measured with
#: ``benchmarks/bench_train_test.py``; docs/performance.md). CPU (oneDNN): channels-last 3D
#: runs the LUSS-AE test pass 1.5-1.7x faster at 128 and 256 px and training 1.1-1.7x
#: faster (at 256 px its weight gradients are slower, but contiguous convolutions copy
#: their largest activations between layouts; with THP_MEM_ALLOC_ENABLE=1 the two train
#: alike). CUDA: channels-last (NDHWC) is cuDNN's tensor-core layout (TF32 and mixed
#: precision); confirm with ``benchmarks/gpu_check.sh``. Other devices: the default layout.
AUTO_CHANNELS_LAST: Dict[str, Dict[str, bool]] = {
    'cpu': dict(train=True, test=True),
    'cuda': dict(train=True, test=True),
}


def memory_format_of(channels_last: bool) -> torch.memory_format:
    return torch.channels_last_3d if channels_last else torch.contiguous_format


@MODELS.register_module()
class ClipDataPreprocessor(BaseDataPreprocessor):
    """Clips travel as uint8 (4x fewer bytes through workers and to the GPU) and are
    scaled to [-1, 1] on the device: ``x / 127.5 - 1``.

    It also decides the memory layout of the clips and, through
    :meth:`use_channels_last`, that of the model's 3D convolution weights: a
    :class:`~vadkit.models.detectors.MultiTaskAutoEncoder` takes the training layout when
    it is moved to a device, and ``vadkit.engine.inference_model`` (the test loop) the
    test layout for the test. The layout changes speed only: scores agree with the default
    layout to float32 rounding (``tests/test_engine/test_fast_path.py``).

    Args:
        channels_last: ``True``: clips in ``torch.channels_last_3d``; ``False``: the
            default (contiguous) layout; ``'auto'``: per device type and phase, from
            ``AUTO_CHANNELS_LAST``; or ``dict(train=..., test=...)`` of those, one for
            training and one for testing.
        non_blocking: Copy batches to the device asynchronously (with pinned memory).
    """

    def __init__(self, channels_last: Union[Layout, Dict[str, Layout]] = 'auto',
                 non_blocking: Optional[bool] = True) -> None:
        super().__init__(non_blocking=non_blocking)
        layouts = (dict(channels_last) if isinstance(channels_last, dict) else
                   dict(train=channels_last, test=channels_last))
        if set(layouts) != {'train', 'test'} or any(
                v not in (True, False, 'auto') for v in layouts.values()):
            raise ValueError(f"ClipDataPreprocessor: channels_last must be True, False, 'auto' "
                             f"or dict(train=..., test=...) of those, got {channels_last!r}")
        self.channels_last = layouts

    def use_channels_last(self, device: Optional[Union[str, torch.device]] = None,
                          training: bool = False) -> bool:
        """Whether clips (and the model's 5-D weights) are channels-last 3D on ``device``
        (default: the device this preprocessor moves batches to) when training or
        testing."""
        phase = 'train' if training else 'test'
        setting = self.channels_last[phase]
        if setting != 'auto':
            return bool(setting)
        device = torch.device(device) if device is not None else self.device
        return AUTO_CHANNELS_LAST.get(device.type, {}).get(phase, False)

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs = data.get('inputs', {})
        for key, value in list(inputs.items()):
            if isinstance(value, torch.Tensor) and value.dtype == torch.uint8:
                fmt = memory_format_of(
                    value.dim() == 5 and self.use_channels_last(value.device, training))
                # one pass into the target layout, then in place: x / 127.5 - 1
                clip = torch.empty_like(value, dtype=torch.float32, memory_format=fmt)
                inputs[key] = clip.copy_(value).div_(127.5).sub_(1.0)
        return dict(inputs=inputs, data_samples=data.get('data_samples', {}))
