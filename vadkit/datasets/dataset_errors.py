"""Errors of datasets on disk: their own module, so that the layouts and the video-file
readers share them without importing each other."""
from vadkit.utils.errors import VadkitError


class DatasetError(VadkitError, ValueError):
    """A dataset on disk that cannot be read as configured; the message says how to fix it."""


class FrameDecodeError(DatasetError):
    """A frame or video that cannot be decoded (missing, empty, truncated or corrupt)."""
