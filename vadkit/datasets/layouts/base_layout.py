"""Common helpers of dataset layout readers."""
import os
import os.path as osp
import re
from typing import List

from ..video_record import VideoRecord

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp')
VIDEO_EXTENSIONS = ('.avi', '.mp4', '.mkv', '.mov', '.mpg', '.mpeg', '.webm', '.m4v')


def natural_key(name: str) -> list:
    """Sort key that orders ``2.jpg`` before ``10.jpg`` whatever the zero padding."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r'(\d+)', name)]


def list_images(folder: str) -> List[str]:
    """Image files of ``folder`` in natural order."""
    names = [n for n in os.listdir(folder) if n.lower().endswith(IMAGE_EXTENSIONS)]
    return [osp.join(folder, n) for n in sorted(names, key=natural_key)]


def list_subdirs(folder: str) -> List[str]:
    return sorted((n for n in os.listdir(folder) if osp.isdir(osp.join(folder, n))),
                  key=natural_key)


class DatasetError(ValueError):
    """A dataset on disk that cannot be read as configured; the message says how to fix it."""


class BaseLayout:
    """Reads one dataset layout into :class:`VideoRecord` lists, one per split.

    Subclasses implement :meth:`load`; ``split`` is ``'train'`` or ``'test'``. Test videos
    carry per-frame labels.
    """

    def __init__(self, root: str) -> None:
        self.root = osp.expanduser(str(root))

    def check_root(self) -> None:
        if not osp.isdir(self.root):
            raise DatasetError(
                f'dataset root {self.root!r} does not exist (cwd: {os.getcwd()}): set '
                "data_root in the config or pass --cfg-options data_root=/path/to/dataset")

    def load(self, split: str) -> List[VideoRecord]:
        raise NotImplementedError

    def describe(self) -> str:
        return f'{type(self).__name__}({self.root})'
