from ..dataset_errors import DatasetError, FrameDecodeError
from .auto_layout import AutoLayout, detect_layout, detectable_layouts
from .avenue_layout import AvenueLayout
from .base_layout import BaseLayout, natural_key
from .frames_layout import FramesLayout
from .shanghaitech_layout import ShanghaiTechLayout
from .synthetic_layout import SyntheticLayout
from .ucsd_layout import UcsdLayout
from .video_folder_layout import VideoFolderLayout

__all__ = [
    'AutoLayout', 'AvenueLayout', 'BaseLayout', 'DatasetError', 'FrameDecodeError',
    'FramesLayout', 'ShanghaiTechLayout', 'SyntheticLayout', 'UcsdLayout', 'VideoFolderLayout',
    'detect_layout', 'detectable_layouts', 'natural_key'
]
