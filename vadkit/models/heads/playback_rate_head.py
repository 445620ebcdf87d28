"""Playback-rate prediction (PRP): is the clip played at its original rate or faster?"""
from typing import Dict

import torch.nn.functional as F
from torch import Tensor, nn

from vadkit.registry import TASK_HEADS

from .base_task_head import BaseTaskHead, ClipFeatures


@TASK_HEADS.register_module()
class PlaybackRateHead(BaseTaskHead):
    """Classifier on the encoder output: max-pool (space by 2, time collapsed), Conv2d 3x3,
    max-pool to ``pooled_size``, then FC 128 -> FC 32 -> FC ``num_classes`` logits.

    At the paper's size (a 256x2x16x16 code) this is exactly the reference head (MaxPool3d(2),
    Conv2d 256->32, MaxPool2d(2), 512 -> 128 -> 32 -> 2), but it ends in logits: the loss is
    cross-entropy on logits by default (``dict(type='CrossEntropyLoss', label_smoothing=...)``
    softens its targets) and the test score the softmax probability of the accelerated
    class (Eq. 5-7 and 14). Smaller inputs keep the same head through adaptive pooling.
    """

    def __init__(self,
                 name: str = 'prp',
                 input_key: str = 'prp_clip',
                 label_key: str = 'prp_label',
                 num_classes: int = 2,
                 conv_channels: int = 32,
                 pooled_size: int = 4,
                 hidden: tuple = (128, 32),
                 loss: dict = dict(type='CrossEntropyLoss'),
                 **kwargs) -> None:
        super().__init__(name=name, input_key=input_key, loss=loss, **kwargs)
        self.label_key = label_key
        self.conv = nn.Conv2d(self.code_channels, conv_channels, 3, padding=1)
        self.pool = nn.AdaptiveMaxPool2d(pooled_size)
        dims = (conv_channels * pooled_size * pooled_size, ) + tuple(hidden)
        layers = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(a, b), nn.ReLU(inplace=True)]
        self.fc = nn.Sequential(*layers, nn.Linear(dims[-1], num_classes))

    def forward(self, feats: ClipFeatures) -> Tensor:
        code = feats.code
        x = F.max_pool3d(code, kernel_size=(code.shape[2], 2, 2)).squeeze(2)
        return self.fc(self.pool(self.conv(x)).flatten(1))

    def loss(self, output: Tensor, feats: ClipFeatures, data_samples: dict) -> Tensor:
        if self.label_key not in data_samples:
            raise KeyError(f"task '{self.name}' needs '{self.label_key}' in each training "
                           "sample: add dict(type='SamplePlaybackRateClip') to the train "
                           'pipeline')
        return self.loss_fn(output, data_samples[self.label_key])

    def score(self, output: Tensor, feats: ClipFeatures) -> Dict[str, Tensor]:
        return {self.name: output.softmax(1)[:, -1]}
