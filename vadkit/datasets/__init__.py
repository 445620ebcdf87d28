from .frame_store import FrameDecodeError, FrameStore
from .layouts import *  # noqa: F401,F403
from .synthetic import generate_synthetic_dataset
from .transforms import *  # noqa: F401,F403
from .video_record import VideoRecord
from .video_window_dataset import VideoWindowDataset

__all__ = ['FrameDecodeError', 'FrameStore', 'generate_synthetic_dataset', 'VideoRecord',
           'VideoWindowDataset']
