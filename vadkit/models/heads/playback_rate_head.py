"""Playback-rate prediction (PRP): is the clip played at its original rate or faster?"""
import math
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vadkit.models.losses.standard_losses import CrossEntropyLoss
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

    ``rates`` (e.g. ``(1, 2, 3, 4, 5)``, the original rate first) gives each playback rate
    a class of its own: the model must tell how much faster a clip plays, a task the
    binary label lets it solve, and stop learning from, within the first epoch. It sets
    ``num_classes``; the class of a training clip comes from its stride
    (``stride_key``, which ``SamplePlaybackRateClip`` writes), so labels and classes
    cannot disagree. The score stays the probability that the clip is accelerated (of
    any class but the first), and ``<name>.rate`` adds the expected rate
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
                 rates: Optional[Sequence[int]] = None,
                 stride_key: str = 'prp_stride',
                 **kwargs) -> None:
        super().__init__(name=name, input_key=input_key, loss=loss, **kwargs)
        self.label_key, self.stride_key = label_key, stride_key
        self.rates = tuple(int(r) for r in rates) if rates is not None else None
        if self.rates is not None:
            if (len(self.rates) < 2 or self.rates[0] != 1 or min(self.rates) < 1
                    or len(set(self.rates)) < len(self.rates)
                    or num_classes not in (2, len(self.rates))):
                raise ValueError(
                    f'rates={tuple(rates)}: give each playback rate of the training clips '
                    'once, the original rate 1 first, e.g. rates=(1, 2, 3, 4, 5) for '
                    'strides (2, 3, 4, 5); it sets num_classes')
            num_classes = len(self.rates)
            class_of = torch.full((max(self.rates) + 1, ), -1, dtype=torch.long)
            class_of[list(self.rates)] = torch.arange(len(self.rates))
            self.register_buffer('_class_of_stride', class_of, persistent=False)
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

    def chance_loss(self) -> Optional[float]:
        """Cross-entropy of a uniform guess, ``ln(num_classes)`` (also with label
        smoothing); ``None`` for another loss."""
        if not isinstance(self.loss_fn, CrossEntropyLoss):
            return None
        return math.log(self.fc[-1].out_features)

    def forward(self, feats: ClipFeatures) -> Tensor:
        code = feats.code
        x = F.max_pool3d(code, kernel_size=(code.shape[2], 2, 2)).squeeze(2)
        return self.fc(self.pool(self.conv(x)).flatten(1))

    def loss(self, output: Tensor, feats: ClipFeatures, data_samples: dict) -> Tensor:
        if self.rates is None:
            if self.label_key not in data_samples:
                raise KeyError(f"task '{self.name}' needs '{self.label_key}' in each "
                               "training sample: add dict(type='SamplePlaybackRateClip') to "
                               'the train pipeline')
            return self.loss_fn(output, data_samples[self.label_key])
        if self.stride_key not in data_samples:
            raise KeyError(f"task '{self.name}' with rates={self.rates} needs each training "
                           f"clip's stride: add '{self.stride_key}' to the meta_keys of "
                           'PackClipInputs in the train pipeline')
        strides = data_samples[self.stride_key].long()
        known = (strides >= 1) & (strides < len(self._class_of_stride))
        labels = self._class_of_stride[strides.clamp(0, len(self._class_of_stride) - 1)]
        if not bool((known & (labels >= 0)).all()):
            raise ValueError(
                f"task '{self.name}': training clips of strides "
                f'{sorted(set(strides.tolist()))} but rates={self.rates}: give rates=(1, '
                '*strides) of SamplePlaybackRateClip')
        return self.loss_fn(output, labels)

    def score(self, output: Tensor, feats: ClipFeatures) -> Dict[str, Tensor]:
        p = output.softmax(1)
        scores = {self.name: p[:, 1:].sum(1)}  # accelerated (binary: p[:, 1] itself)
        if self.rates is not None:
            scores[f'{self.name}.rate'] = p @ p.new_tensor([float(r) for r in self.rates])
        return scores
