"""Folders written whole or not at all: generated data that readers may open at any time."""
import os
import os.path as osp
import shutil
import tempfile
from typing import Callable


def write_folder_atomically(dest: str, fill: Callable[[str], None], prefix: str) -> None:
    """Let ``fill`` write a new folder beside ``dest`` (a temporary name starting with
    ``prefix``), then put it in ``dest``'s place: an existing ``dest`` is renamed aside first
    and removed after, so no reader ever sees a half-written or half-deleted folder, and a
    failure in ``fill`` leaves ``dest`` as it was."""
    parent = osp.dirname(osp.abspath(dest))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix=prefix)
    try:
        fill(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if osp.exists(dest):
        old = tempfile.mkdtemp(dir=parent, prefix=f'{prefix}old-')
        os.replace(dest, osp.join(old, 'folder'))
    os.replace(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
