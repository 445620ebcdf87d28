"""A refused run leaves no folder behind.

A runner makes its out dir (lock, config copy, a timestamped log folder) as it is built,
before the checkpoint, the model and the datasets are checked. A run refused at one of
those checks used to leave that folder, with a few log lines and no result, among the
runs that did produce one.
"""
import contextlib
import logging
import os
import os.path as osp
import shutil
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Set

from mmengine.dist import is_main_process

from .checkpoint_files import POINTER_NAME
from .errors import VadkitError
from .work_dir_lock import LOCK_NAME, holds_lock, unlock_work_dir


def wrote_checkpoints(names: Iterable[str]) -> bool:
    """Whether a run's new entries include a checkpoint (a result to keep, and to resume
    from, even when the run is refused later, e.g. for a non-finite loss)."""
    return any(n.endswith('.pth') or n == POINTER_NAME for n in names)


@contextlib.contextmanager
def nothing_left_if_refused(out_dir: str,
                            keep: Optional[Callable[[List[str]], bool]] = None
                            ) -> Iterator[None]:
    """Run the body (building a runner into ``out_dir`` and running it); if it is refused
    with a :class:`~vadkit.utils.errors.VadkitError`, remove what it made: ``out_dir``
    itself when it did not exist before (and the parent folders made for it, if left
    empty), else only the entries it added there. ``keep(new entry names)`` true keeps
    them all (e.g. :func:`wrote_checkpoints` for training).

    Only a run that took the out dir's lock removes anything: a run refused because
    another holds it (or before it locked) leaves every file alone, as they may be the
    other run's."""
    out_dir = osp.abspath(out_dir)
    made: List[str] = []  # the folders this run makes, deepest first
    folder = out_dir
    while not osp.lexists(folder):
        made.append(folder)
        folder = osp.dirname(folder)
    before = set() if made else set(os.listdir(out_dir))
    held_before = holds_lock(out_dir)  # re-entrant in one process: not this run's lock
    instances = _instance_names()
    try:
        yield
    except VadkitError:
        if holds_lock(out_dir) and not held_before and is_main_process():
            added = sorted(set(os.listdir(out_dir)) - before - {LOCK_NAME})
            if keep is None or not keep(added):
                _remove_made(out_dir, made, before)
                _forget_instances_since(instances)
        raise


def _managed_classes() -> list:
    from mmengine.logging import MMLogger
    from mmengine.visualization import Visualizer
    classes, todo = [], [MMLogger, Visualizer]
    while todo:  # each subclass keeps instances of its own
        cls = todo.pop()
        classes.append(cls)
        todo.extend(cls.__subclasses__())
    return classes


def _instance_names() -> Dict[type, Set[str]]:
    return {cls: set(cls._instance_dict) for cls in _managed_classes()}


def _forget_instances_since(before: Dict[type, Set[str]]) -> None:
    """Drop the loggers and visualizers the run made, which write into the removed folder:
    mmengine names them after the second the run started, and a later run in this process
    within that second would get them back."""
    for cls in _managed_classes():
        for name in set(cls._instance_dict) - before.get(cls, set()):
            instance = cls._instance_dict.pop(name)
            for handler in list(getattr(instance, 'handlers', [])):
                if isinstance(handler, logging.FileHandler):
                    handler.close()
                    instance.removeHandler(handler)


def _remove_made(out_dir: str, made: List[str], before: set) -> None:
    if made:
        shutil.rmtree(out_dir, ignore_errors=True)
    else:
        for name in set(os.listdir(out_dir)) - before - {LOCK_NAME}:
            path = osp.join(out_dir, name)
            if osp.isdir(path) and not osp.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.remove(path)
    unlock_work_dir(out_dir)  # after the removal: no other run wrote there meanwhile
    for folder in made[1:]:
        try:
            os.rmdir(folder)  # only if empty: another run may have started in it
        except OSError:
            break
