"""Future frame prediction by a U-Net of its own, beside the shared autoencoder."""
from typing import Sequence

import torch
from torch import Tensor

from vadkit.models.layers import UNet2d
from vadkit.registry import TASK_HEADS

from .base_task_head import ClipFeatures
from .reconstruction_heads import NextFramePredictionHead

#: Liu et al.'s intensity and gradient losses, weights 1 and 1
PREDICTION_LOSS = dict(type='WeightedSumLoss', terms=[
    dict(type='MSELoss'), dict(type='MeasureLoss', measure=dict(type='GradientDifference'))])


@TASK_HEADS.register_module()
class UNetFuturePredictionHead(NextFramePredictionHead):
    """FFP by a 2-D U-Net (:class:`~vadkit.models.layers.UNet2d`) that reads the clip's
    last ``in_frames`` frames (stacked as channels) and predicts frame T+1.

    The paper's FFP head draws frame T+1 through the autoencoder's bottleneck, so its
    error mixes blur of the whole scene with what moved. This head has its own weights
    and skip connections (the future-frame predictor of Liu et al., CVPR 2018), trained
    by the same multi-task loss as the other tasks; it does not read the shared encoder.
    Scored by minus the PSNR (Liu et al.'s score) by default.

    Args:
        in_frames: How many frames before T+1 it reads (at most the model's ``clip_len``).
        widths: The U-Net's channels at each scale, finest first.
    """

    def __init__(self, name: str = 'ffp', in_frames: int = 4,
                 widths: Sequence[int] = (16, 32, 64, 128),
                 measure: dict = dict(type='NegativePSNR'),
                 loss: dict = PREDICTION_LOSS, **kwargs) -> None:
        super().__init__(name=name, measure=measure, loss=loss, **kwargs)
        if not 1 <= int(in_frames) <= self.clip_len:
            raise ValueError(f"task '{name}' (UNetFuturePredictionHead): in_frames="
                             f'{in_frames} must be between 1 and the clip length '
                             f'{self.clip_len}')
        self.in_frames = int(in_frames)
        self.unet = UNet2d(self.in_frames * self.frame_channels, self.frame_channels, widths)

    def forward(self, feats: ClipFeatures) -> Tensor:
        frames = feats.clip[:, :, self.clip_len - self.in_frames:self.clip_len]
        b, c, t, h, w = frames.shape
        return torch.tanh(self.unet(frames.transpose(1, 2).reshape(b, t * c, h, w)))
