from .base_task_head import BaseTaskHead, ClipFeatures
from .playback_rate_head import PlaybackRateHead
from .reconstruction_heads import ClipReconstructionHead, FuturePredictionHead

__all__ = ['BaseTaskHead', 'ClipFeatures', 'ClipReconstructionHead', 'FuturePredictionHead',
           'PlaybackRateHead']
