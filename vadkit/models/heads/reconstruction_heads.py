"""Heads that produce frames: clip reconstruction (VCR) and future frame prediction (FFP)."""
from typing import Dict, Optional

import torch
from torch import Tensor, nn

from vadkit.registry import TASK_HEADS

from .base_task_head import BaseTaskHead, ClipFeatures


@TASK_HEADS.register_module()
class ClipReconstructionHead(BaseTaskHead):
    """VCR: ``tanh(Dec(Enc(X)))`` reconstructs the input clip; MSE loss by default; the test
    score is the measure averaged over the clip's frames (paper Eq. 3 and 12)."""

    uses_decoder = True

    def __init__(self, name: str = 'vcr', measure: dict = dict(type='MSE'),
                 loss: dict = dict(type='MSELoss'), **kwargs) -> None:
        super().__init__(name=name, measure=measure, loss=loss, **kwargs)

    def forward(self, feats: ClipFeatures) -> Tensor:
        return torch.tanh(feats.decoded)

    def loss(self, output: Tensor, feats: ClipFeatures, data_samples: dict) -> Tensor:
        return self.loss_fn(output, feats.inputs)

    def score_target(self, feats: ClipFeatures) -> Optional[Tensor]:
        return feats.inputs

    def score(self, output: Tensor, feats: ClipFeatures) -> Dict[str, Tensor]:
        return {k: m(output, feats.inputs).mean(1) for k, m in self.measures.items()}


@TASK_HEADS.register_module()
class FuturePredictionHead(BaseTaskHead):
    """FFP: one Conv3d over the pre-tanh decoder output (temporal stride ``clip_len``, so a
    single frame comes out) and tanh predicts frame T+1; MSE loss by default (Eq. 4 and 13)."""

    uses_decoder = True
    frames_after_clip = 1  # frame T+1

    def __init__(self, name: str = 'ffp', measure: dict = dict(type='MSE'),
                 loss: dict = dict(type='MSELoss'), **kwargs) -> None:
        super().__init__(name=name, measure=measure, loss=loss, **kwargs)
        c = self.frame_channels
        self.conv = nn.Conv3d(c, c, 3, stride=(self.clip_len, 1, 1), padding=1)

    def forward(self, feats: ClipFeatures) -> Tensor:
        return torch.tanh(self.conv(feats.decoded))[:, :, 0]

    def _target(self, feats: ClipFeatures) -> Tensor:
        if feats.clip.shape[2] <= self.clip_len:
            raise ValueError(
                f"task '{self.name}' predicts frame {self.clip_len + 1} but the clip has "
                f'{feats.clip.shape[2]} frames: sample windows of clip_len + 1 = '
                f'{self.clip_len + 1} frames (dataset window_length / SampleWindow length)')
        return feats.clip[:, :, self.clip_len]

    def loss(self, output: Tensor, feats: ClipFeatures, data_samples: dict) -> Tensor:
        return self.loss_fn(output, self._target(feats))

    def score_target(self, feats: ClipFeatures) -> Optional[Tensor]:
        return self._target(feats)

    def score(self, output: Tensor, feats: ClipFeatures) -> Dict[str, Tensor]:
        target = self._target(feats)
        return {k: m(output, target) for k, m in self.measures.items()}
