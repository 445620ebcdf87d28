"""Checkpoint files that are never half-written, and read with one clear error when bad.

Every checkpoint (and the ``last_checkpoint`` pointer) is written to a temporary file in the
same directory, flushed to disk and renamed over the final name, so a crash leaves either
the old file or the new one, never a truncated one. Reading uses
``torch.load(weights_only=True)``: no code from a file ever runs; a file that is empty,
truncated, corrupt or carries pickled objects raises :class:`UnreadableCheckpointError`
naming the file and the reason in one line.
"""
import glob
import os
import os.path as osp
import pickle
import re
from typing import Any, Callable, List, Optional, Tuple

import torch

from .errors import VadkitError
from .fault_injection import crash_point

#: Prefix of the temporary files of atomic writes (skipped when looking for checkpoints).
TEMP_PREFIX = '.tmp-'
#: mmengine's pointer to the newest checkpoint of a work dir.
POINTER_NAME = 'last_checkpoint'


class UnreadableCheckpointError(VadkitError, ValueError):
    """A checkpoint file that is missing, empty, truncated, corrupt or unsafe to load."""


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str, write: Callable[[Any], None], binary: bool = True,
                 point: str = 'checkpoint_write') -> None:
    """Write ``path`` through ``write(file)`` so that it appears complete or not at all:
    a temporary file in the same directory, fsync, then ``os.replace``."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = osp.join(folder, temp_name_for(osp.basename(path)))
    try:
        with open(tmp, 'wb' if binary else 'w') as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        crash_point(point)
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    _fsync_dir(folder)


def finish_atomic_write(tmp: str, path: str) -> None:
    """Move an already written ``tmp`` (same directory) over ``path`` durably."""
    with open(tmp, 'rb+') as f:
        os.fsync(f.fileno())
    crash_point('checkpoint_write')
    os.replace(tmp, path)
    _fsync_dir(osp.dirname(osp.abspath(path)))


def temp_name_for(filename: str) -> str:
    """The temporary name of an atomic write of ``filename`` by this process."""
    return f'{TEMP_PREFIX}{os.getpid()}-{filename}'


def remove_stale_temp_files(folder: str) -> List[str]:
    """Delete the temporary files that killed writers left in ``folder`` (call it only
    while holding the folder's lock, when no writer can be running)."""
    stale = glob.glob(osp.join(folder, TEMP_PREFIX + '*'))
    for path in stale:
        os.remove(path)
    return stale


def write_text_atomic(path: str, text: str) -> None:
    atomic_write(path, lambda f: f.write(text), binary=False, point='pointer_write')


def save_checkpoint_atomic(checkpoint: dict, path: str) -> None:
    atomic_write(path, lambda f: torch.save(checkpoint, f))


_GLOBAL = re.compile(r'GLOBAL ([\w.]+)')
_UNPICKLER = re.compile(r'WeightsUnpickler error:\s*(\S[^\n]*)')


def _reason(error: BaseException) -> str:
    """The gist of a loading error in a few words (PyTorch's advice left out)."""
    text = str(error).strip()
    found = _UNPICKLER.search(text)
    if found:
        return found.group(1).strip().rstrip('.')
    line = text.splitlines()[0] if text else ''
    line = line.split('. ')[0].rstrip('.')
    line = line.replace('PytorchStreamReader failed reading zip archive: ', '')
    return line.strip() or type(error).__name__


def read_checkpoint(path: str, map_location: Any = 'cpu') -> dict:
    """Load a checkpoint with ``weights_only=True``.

    Raises:
        UnreadableCheckpointError: The file is missing, empty, truncated, corrupt, not a
            dict, or carries pickled code/objects (then nothing from it was run).
    """
    if not osp.isfile(path):
        raise UnreadableCheckpointError(f'checkpoint {path} does not exist')
    if osp.getsize(path) == 0:
        raise UnreadableCheckpointError(
            f'checkpoint {path} is empty (0 bytes): its write never finished. '
            'Use another checkpoint, or train again')
    try:
        ckpt = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        found = _GLOBAL.search(str(e))
        if found is None:  # not refused for what it holds: a broken pickle stream
            raise UnreadableCheckpointError(
                f'checkpoint {path} is corrupt ({_reason(e)}). Use another checkpoint (e.g. '
                'an earlier epoch_*.pth), or train again') from None
        what = f' ({found.group(1)})'
        raise UnreadableCheckpointError(
            f'checkpoint {path} carries code or Python objects{what} that vadkit refuses to '
            'load; nothing from it was run. Use a checkpoint saved by vadkit, or one that '
            "holds only tensors and plain values, e.g. torch.save({'state_dict': sd}, path)"
        ) from None
    except Exception as e:  # noqa: BLE001 - zip/pickle errors of a broken file
        raise UnreadableCheckpointError(
            f'checkpoint {path} is corrupt or truncated ({_reason(e)}). Use another '
            'checkpoint (e.g. an earlier epoch_*.pth), or train again') from None
    if not isinstance(ckpt, dict):
        raise UnreadableCheckpointError(
            f'checkpoint {path} holds a {type(ckpt).__name__}, not a dict of weights: '
            'is it a vadkit/mmengine checkpoint?')
    return ckpt


def checkpoint_candidates(work_dir: str) -> List[str]:
    """Checkpoints of ``work_dir``, newest first: the ``last_checkpoint`` pointer's target,
    then every ``*.pth`` by modification time (temporary files skipped).

    The pointer holds the absolute path the run saved to. A file of that name in
    ``work_dir`` itself comes first: after the work dir was moved or copied, the pointer
    still names the old place, which may be gone or, for a copy, hold other weights later
    (a copy trained on, or the original retrained)."""
    found = [p for p in glob.glob(osp.join(work_dir, '*.pth'))
             if not osp.basename(p).startswith(TEMP_PREFIX)]
    found.sort(key=lambda p: (osp.getmtime(p), p), reverse=True)
    pointer = osp.join(work_dir, POINTER_NAME)
    if osp.isfile(pointer):
        with open(pointer) as f:
            target = f.read().strip()
        if target and not osp.isabs(target):
            target = osp.join(work_dir, target)
        own = osp.join(work_dir, osp.basename(target)) if target else ''
        if own and osp.isfile(own):  # moved or copied since: this folder's file of that name
            target = own
        if target and osp.isfile(target):
            found = [target] + [p for p in found if osp.abspath(p) != osp.abspath(target)]
    return found


def check_resumable(checkpoint: dict, path: str) -> None:
    """Raise :class:`UnreadableCheckpointError` if ``checkpoint`` holds no training state."""
    meta = checkpoint.get('meta')
    if not isinstance(meta, dict) or 'epoch' not in meta or 'iter' not in meta:
        raise UnreadableCheckpointError(
            f'checkpoint {path} holds weights only, no training state to resume (epoch, '
            f'optimizer): start a new training from it with load_from={path!r} instead')


def newest_readable_checkpoint(work_dir: str, map_location: Any = 'cpu', resumable: bool = True
                               ) -> Tuple[Optional[str], Optional[dict], List[str]]:
    """The newest checkpoint of ``work_dir`` that reads (and holds a training state, if
    ``resumable``), its content, and why the newer ones were skipped (one line each)."""
    skipped = []
    for path in checkpoint_candidates(work_dir):
        try:
            checkpoint = read_checkpoint(path, map_location)
            if resumable:
                check_resumable(checkpoint, path)
            return path, checkpoint, skipped
        except UnreadableCheckpointError as e:
            skipped.append(str(e))
    return None, None, skipped
