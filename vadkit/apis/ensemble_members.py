"""Detection with an ensemble of short runs (a config with ``ensemble = dict(members=K)``).

``tools/train.py`` trains the members in ``<work_dir>/member<i>`` and writes
``<work_dir>/ensemble.json``; its test scores the ensemble as
:meth:`vadkit.evaluation.FrameScores.average` does: each score rescaled per video in each
member, averaged over the members, then rescaled and fused once more. Detection given the
ensemble's work dir does the same on any video, so its offline scores are those of the
ensemble's test for the same frames. The rescaling needs whole videos: an ensemble detects
offline only. Where the ensemble measured its fusion weights across its members
(``ensemble.score_weights='reliability'``), detection fuses with the weights its test
measured, kept in ``ensemble.json``.
"""
import json
import os.path as osp
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

from vadkit.engine.ensemble import ENSEMBLE_FILE, member_work_dir
from vadkit.evaluation.task_skill import learned_members, untrained_tasks
from vadkit.utils.checkpoint_files import checkpoint_candidates

from .sources import InputError


def is_ensemble_dir(path: Optional[str]) -> bool:
    """Whether ``path`` is the work dir of a trained ensemble."""
    return bool(path) and osp.isdir(path) and osp.isfile(osp.join(path, ENSEMBLE_FILE))


@dataclass(frozen=True)
class TrainedEnsemble:
    """What detection needs of a trained ensemble, read from its ``ensemble.json`` once."""

    #: the last checkpoint of each member (the one its test used)
    member_checkpoints: List[str]
    #: the fusion weights measured across the members; ``None``: the config's
    score_weights: Optional[Dict[str, float]]


def read_ensemble(work_dir: str) -> TrainedEnsemble:
    """The members' checkpoints and measured weights of the ensemble trained in ``work_dir``.

    Raises:
        InputError: If ``ensemble.json`` cannot be read, a member has no checkpoint, or
            the recorded weights are not ``{score name: number}``.
    """
    path = osp.join(work_dir, ENSEMBLE_FILE)
    try:
        with open(path) as f:
            info = json.load(f)
        if not isinstance(info['members'], list):
            raise TypeError('members is not a list')
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(f'cannot read the ensemble\'s members from {path} ({e}): train the '
                         'ensemble again with tools/train.py, or give one member\'s '
                         'checkpoint') from e
    checkpoints = []
    for i in range(len(info['members'])):
        folder = member_work_dir(work_dir, i)  # where it is now, not where it trained
        found = checkpoint_candidates(folder) if osp.isdir(folder) else []
        if not found:
            raise InputError(f'member {i} of the ensemble in {work_dir} has no checkpoint '
                             f'(nothing in {folder}): finish its training with '
                             f'tools/train.py <config> --work-dir {work_dir} --resume')
        checkpoints.append(found[0])  # the last one it saved: the one its test used
    if not checkpoints:
        raise InputError(f'{path} lists no members: train the ensemble again')
    weights = info.get('score_weights')
    if weights is not None:
        if not isinstance(weights, dict) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool)
                for v in weights.values()):
            raise InputError(f'{path}: score_weights={weights!r} is not {{score name: '
                             'weight}; test the ensemble again (tools/train.py <config> '
                             '--work-dir <it> --resume --test)')
        weights = {str(k): float(v) for k, v in weights.items()}
    return TrainedEnsemble(checkpoints, weights)


def member_untrained_tasks(checkpoints: Sequence[str]) -> List[List[str]]:
    """Each member's tasks that ended training at their chance loss (``task_skill.json``
    in the folder of its checkpoint, as the ensemble's test read it)."""
    return [untrained_tasks(osp.dirname(c)) for c in checkpoints]


def average_rescaled(raws: Sequence[Dict[str, np.ndarray]],
                     normalizer_of: Callable[[str], Callable],
                     untrained: Optional[Sequence[Sequence[str]]] = None
                     ) -> Dict[str, np.ndarray]:
    """Each score of one video rescaled in each member (``normalizer_of(name)``, the test
    evaluator's per-video normalizer), averaged over the members whose task of it learned
    (``untrained[i]``: member i's untrained tasks; all members where none did), as
    :meth:`vadkit.evaluation.FrameScores.average` does for the ensemble's test."""
    untrained = untrained if untrained is not None else [[] for _ in raws]
    normalizers = {n: normalizer_of(n) for n in raws[0]}
    return {n: np.mean([np.asarray(norm(raws[k][n]), dtype=np.float64)
                        for k in learned_members(n, untrained)], axis=0)
            for n, norm in normalizers.items()}
