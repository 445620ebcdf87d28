"""Arrow-of-time prediction: is the clip played forward or backward?"""
from typing import Dict, Optional, Sequence

from torch import Tensor, nn

from vadkit.models.heads import BaseTaskHead, ClipFeatures
from vadkit.registry import TASK_HEADS


@TASK_HEADS.register_module()
class ArrowOfTimeHead(BaseTaskHead):
    """Binary classifier on the encoder code: forward (class 0) or reversed (class 1).

    Unlike the playback-rate head, which max-pools the code over time, this head keeps
    time: the code ``(B, C, T', H', W')`` is folded to ``(B, C * T', H', W')`` (the order
    of the temporal slices is what tells forward from backward), then Conv2d 3x3 + ReLU,
    adaptive average pooling to ``pooled_size``, and an MLP to 2 logits. The loss is
    cross-entropy on the logits; the test score is the softmax probability of 'reversed'
    for the (forward) test window: normal motion should look forward, and motion the
    model cannot place in time scores higher.

    Args:
        name: Task name (loss ``loss_<name>``, score ``<name>``).
        input_key: The training clip (from ``SampleTemporalOrderClip``).
        label_key: Its label in the data samples.
        temporal_size: T' of the code, fixed by the backbone's temporal stride (1 for
            T = 8 and the default strides, 2 for T = 16); ``None`` computes it from
            ``clip_len`` assuming the default total temporal stride of 8.
        conv_channels, pooled_size, hidden: Sizes of the classifier.
    """

    def __init__(self,
                 name: str = 'aot',
                 input_key: str = 'aot_clip',
                 label_key: str = 'aot_label',
                 temporal_size: Optional[int] = None,
                 conv_channels: int = 32,
                 pooled_size: int = 2,
                 hidden: Sequence[int] = (64, ),
                 loss: dict = dict(type='CrossEntropyLoss'),
                 **kwargs) -> None:
        super().__init__(name=name, input_key=input_key, loss=loss, **kwargs)
        self.label_key = label_key
        if temporal_size is None:
            temporal_size = max(1, -(-self.clip_len // 8))
        self.temporal_size = temporal_size
        in_ch = self.code_channels * temporal_size
        self.conv = nn.Sequential(nn.Conv2d(in_ch, conv_channels, 3, padding=1),
                                  nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(pooled_size))
        dims = (conv_channels * pooled_size * pooled_size, ) + tuple(hidden)
        layers = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(a, b), nn.ReLU(inplace=True)]
        self.fc = nn.Sequential(*layers, nn.Linear(dims[-1], 2))

    def forward(self, feats: ClipFeatures) -> Tensor:
        code = feats.code
        b, c, t, h, w = code.shape
        if t != self.temporal_size:
            raise ValueError(f"task '{self.name}': the code has {t} time steps but the head "
                             f'was built for temporal_size={self.temporal_size}; set '
                             f'temporal_size={t} in its config')
        return self.fc(self.conv(code.reshape(b, c * t, h, w)).flatten(1))

    def loss(self, output: Tensor, feats: ClipFeatures, data_samples: dict) -> Tensor:
        if self.label_key not in data_samples:
            raise KeyError(f"task '{self.name}' needs '{self.label_key}' in each training "
                           "sample: add dict(type='SampleTemporalOrderClip') to the train "
                           f"pipeline and '{self.label_key}' to PackClipInputs meta_keys")
        return self.loss_fn(output, data_samples[self.label_key])

    def score(self, output: Tensor, feats: ClipFeatures) -> Dict[str, Tensor]:
        return {self.name: output.softmax(1)[:, 1]}
