"""Playback-rate prediction (PRP): is the clip played at its original rate or faster?"""
from typing import Dict, List, Optional, Sequence

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

    ``rates`` (e.g. ``(1, 2, 3, 4, 5)``) is the playback rate of each class, for a head
    trained with a class per stride (``SamplePlaybackRateClip(label_per_stride=True)``);
    it sets ``num_classes``. The score stays the probability that the clip is accelerated
    (of any class but the first), and ``<name>.rate`` adds the expected rate
    ``sum(p_k * rate_k)``: how much faster than normal the clip looks.
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
                 rates: Optional[Sequence[float]] = None,
                 **kwargs) -> None:
        super().__init__(name=name, input_key=input_key, loss=loss, **kwargs)
        self.label_key = label_key
        self.rates = tuple(float(r) for r in rates) if rates is not None else None
        if self.rates is not None:
            if len(self.rates) < 2 or num_classes not in (2, len(self.rates)):
                raise ValueError(
                    f'rates={tuple(rates)} needs one rate per class, the original rate first '
                    f'(e.g. rates=(1, 2, 3, 4, 5) with num_classes=5, or num_classes left out)')
            num_classes = len(self.rates)
        self.num_classes = num_classes
        self.conv = nn.Conv2d(self.code_channels, conv_channels, 3, padding=1)
        self.pool = nn.AdaptiveMaxPool2d(pooled_size)
        dims = (conv_channels * pooled_size * pooled_size, ) + tuple(hidden)
        layers = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(a, b), nn.ReLU(inplace=True)]
        self.fc = nn.Sequential(*layers, nn.Linear(dims[-1], num_classes))

    @classmethod
    def score_names_of(cls, name: str, cfg: dict) -> List[str]:
        return super().score_names_of(name, cfg) + ([f'{name}.rate'] if cfg.get('rates')
                                                    else [])

    def forward(self, feats: ClipFeatures) -> Tensor:
        code = feats.code
        x = F.max_pool3d(code, kernel_size=(code.shape[2], 2, 2)).squeeze(2)
        return self.fc(self.pool(self.conv(x)).flatten(1))

    def loss(self, output: Tensor, feats: ClipFeatures, data_samples: dict) -> Tensor:
        if self.label_key not in data_samples:
            raise KeyError(f"task '{self.name}' needs '{self.label_key}' in each training "
                           "sample: add dict(type='SamplePlaybackRateClip') to the train "
                           'pipeline')
        labels = data_samples[self.label_key]
        top = int(labels.max())  # every batch: one may hold only the classes of both kinds
        if top >= self.num_classes:
            raise ValueError(
                f"task '{self.name}' has {self.num_classes} classes but a training clip is "
                f'labelled {top}: SamplePlaybackRateClip(label_per_stride=True) needs the '
                'head\'s rates=(1, *strides)')
        return self.loss_fn(output, labels)

    def score(self, output: Tensor, feats: ClipFeatures) -> Dict[str, Tensor]:
        p = output.softmax(1)
        scores = {self.name: p[:, 1:].sum(1)}  # accelerated (binary: p[:, 1] itself)
        if self.rates is not None:
            scores[f'{self.name}.rate'] = p @ p.new_tensor(self.rates)
        return scores
