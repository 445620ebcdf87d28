"""A video as a dataset layout describes it: where its frames are and their labels."""
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np


@dataclass
class VideoRecord:
    """One video of a split.

    Attributes:
        name: Video name (e.g. ``01`` or ``Test003``).
        frames: Paths of its frame images in temporal order (empty for a video file).
        video_file: Path of a video file (when frames are not stored as images).
        num_frames: Number of frames.
        labels: Per-frame 0/1 labels (test videos), or ``None``.
        label_source: Where the labels came from (a file path), for the record.
        header_frames: Frames the video file's header declares (``None``: no header count,
            or frame images).
        decoded_frames: Frames that decoded, once counted (by an exact count, or by the
            frame store); ``num_frames`` is then at most this.
    """
    name: str
    frames: List[str] = field(default_factory=list)
    video_file: Optional[str] = None
    num_frames: int = 0
    labels: Optional[np.ndarray] = None
    label_source: Optional[str] = None
    header_frames: Optional[int] = None
    decoded_frames: Optional[int] = None

    def __post_init__(self) -> None:
        if self.frames and not self.num_frames:
            self.num_frames = len(self.frames)

    @property
    def frames_short(self) -> int:
        """Frames the header declares beyond those that decoded (0 when not counted)."""
        if not self.header_frames or self.decoded_frames is None:
            return 0
        return max(0, self.header_frames - self.decoded_frames)

    @property
    def source(self) -> str:
        return self.video_file or (self.frames[0].rsplit('/', 1)[0] if self.frames else '')
