from .base_layout import BaseLayout, DatasetError, natural_key
from .frames_layout import FramesLayout
from .synthetic_layout import SyntheticLayout

__all__ = ['BaseLayout', 'DatasetError', 'natural_key', 'FramesLayout', 'SyntheticLayout']
