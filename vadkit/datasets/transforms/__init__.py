from .clip_sampling import SamplePlaybackRateClip, SampleWindow
from .formatting import PackClipInputs
from .frame_transforms import Grayscale, Resize, ScaleToRange

__all__ = ['SamplePlaybackRateClip', 'SampleWindow', 'PackClipInputs', 'Grayscale', 'Resize',
           'ScaleToRange']
