"""A model-free baseline score: how much the last frame changed."""
from typing import Dict, Optional

from torch import Tensor

from vadkit.registry import TASK_HEADS

from .base_task_head import BaseTaskHead, ClipFeatures


@TASK_HEADS.register_module()
class FrameDifferenceHead(BaseTaskHead):
    """The error of predicting frame T+1 by copying frame T: ``measure(x_T, x_{T+1})``.

    No parameters and no training loss: a baseline scored beside the learned tasks, and
    the trivial predictor FFP should beat. Where anomalies are fast objects among slow ones
    (UCSD Ped2's bikes and carts), the amount of change alone separates much of the test
    set, so a method's gain over this score is what it learned. It reads the test window
    like FFP (``frames_after_clip = 1``) and scores with any error measure (MSE by
    default; its error map is where the frame changed).
    """

    frames_after_clip = 1  # frame T+1

    def __init__(self, name: str = 'motion', measure: dict = dict(type='MSE'),
                 loss_weight: float = 0.0, **kwargs) -> None:
        if loss_weight:
            raise ValueError(f"task '{name}' (FrameDifferenceHead) has nothing to train: "
                             'leave loss_weight at 0')
        super().__init__(name=name, measure=measure, loss_weight=0.0, **kwargs)

    def _frame(self, feats: ClipFeatures, t: int) -> Tensor:
        if feats.clip.shape[2] <= self.clip_len:
            raise ValueError(
                f"task '{self.name}' compares frames {self.clip_len} and {self.clip_len + 1} "
                f'but the clip has {feats.clip.shape[2]} frames: sample windows of clip_len '
                f'+ 1 = {self.clip_len + 1} frames (dataset window_length)')
        return feats.clip[:, :, t]

    def forward(self, feats: ClipFeatures) -> Tensor:
        return self._frame(feats, self.clip_len - 1)

    def loss(self, output: Tensor, feats: ClipFeatures, data_samples: dict) -> Tensor:
        return output.new_zeros(())

    def score_target(self, feats: ClipFeatures) -> Optional[Tensor]:
        return self._frame(feats, self.clip_len)

    def score(self, output: Tensor, feats: ClipFeatures) -> Dict[str, Tensor]:
        target = self.score_target(feats)
        return {k: m(output, target) for k, m in self.measures.items()}
