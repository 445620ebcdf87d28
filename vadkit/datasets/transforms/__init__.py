from .clip_augmentation import (
    ClipGaussianNoise,
    ClipRandomBrightnessContrast,
    ClipRandomHorizontalFlip,
    ClipRandomResizedCrop,
    ClipRandomReverse,
)
from .clip_sampling import SamplePlaybackRateClip, SampleWindow
from .formatting import PackClipInputs
from .frame_transforms import Grayscale, Resize, ScaleToRange

__all__ = ['SamplePlaybackRateClip', 'SampleWindow', 'PackClipInputs', 'Grayscale', 'Resize',
           'ScaleToRange', 'ClipRandomHorizontalFlip', 'ClipRandomResizedCrop',
           'ClipRandomBrightnessContrast', 'ClipRandomReverse', 'ClipGaussianNoise']
