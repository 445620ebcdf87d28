from .base_task_head import BaseTaskHead, ClipFeatures
from .frame_difference_head import FrameDifferenceHead
from .playback_rate_head import PlaybackRateHead
from .reconstruction_heads import (
    ClipReconstructionHead,
    FuturePredictionHead,
    NextFramePredictionHead,
)
from .unet_prediction_head import UNetFuturePredictionHead

__all__ = ['BaseTaskHead', 'ClipFeatures', 'ClipReconstructionHead', 'FrameDifferenceHead',
           'FuturePredictionHead', 'NextFramePredictionHead', 'PlaybackRateHead',
           'UNetFuturePredictionHead']
