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
    outputs_clips = True

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


class NextFramePredictionHead(BaseTaskHead):
    """A task that predicts frame T+1 of the test window and is trained and scored by how
    far its prediction is from it; subclasses say how they predict (:meth:`forward`)."""

    frames_after_clip = 1  # frame T+1

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


@TASK_HEADS.register_module()
class FuturePredictionHead(NextFramePredictionHead):
    """FFP: one Conv3d over the pre-tanh decoder output (temporal stride ``clip_len``, so a
    single frame comes out) and tanh predicts frame T+1; MSE loss by default (Eq. 4 and 13).
    With kernel 3 and padding 1 that frame is computed from the decoder's frames 0 and 1
    only, as in the reference code (kernel 3, stride 16).

    Args:
        residual: Predict the change from frame T instead of frame T+1 itself: the head's
            output is ``x_T + conv(decoded)``, its conv starting at zero, so the untrained
            head is the copy-the-last-frame predictor (``FrameDifferenceHead``) and training
            learns the change normal footage makes. Not in the paper (``False``, the paper's
            head): a bottlenecked decoder blurs every frame it draws, and its error on the
            static background and on textures buries the error on what moved.
    """

    uses_decoder = True

    def __init__(self, name: str = 'ffp', measure: dict = dict(type='MSE'),
                 loss: dict = dict(type='MSELoss'), residual: bool = False,
                 **kwargs) -> None:
        super().__init__(name=name, measure=measure, loss=loss, **kwargs)
        c = self.frame_channels
        self.residual = bool(residual)
        self.conv = nn.Conv3d(c, c, 3, stride=(self.clip_len, 1, 1), padding=1)
        if self.residual:
            self._zero_conv()

    def _zero_conv(self) -> None:
        nn.init.zeros_(self.conv.weight)
        nn.init.zeros_(self.conv.bias)

    def init_weights(self) -> None:
        super().init_weights()
        if self.residual:  # an init_cfg must not turn the residual head into noise
            self._zero_conv()

    def forward(self, feats: ClipFeatures) -> Tensor:
        if self.residual:
            return feats.inputs[:, :, self.clip_len - 1] + self.conv(feats.decoded)[:, :, 0]
        return torch.tanh(self.conv(feats.decoded))[:, :, 0]
