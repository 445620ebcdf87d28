from .clip_data_preprocessor import AUTO_CHANNELS_LAST, ClipDataPreprocessor
from .device_frame_cache import DeviceFrameCache

__all__ = ['AUTO_CHANNELS_LAST', 'ClipDataPreprocessor', 'DeviceFrameCache']
