"""Whether each task of a trained model learned its pretext task, and what an ensemble does
with the tasks that did not.

A classifier that ends training at its chance loss (a uniform guess) scores every test
window alike but for noise: per-video rescaling stretches that noise over the whole [0, 1]
range and the fusion weighs it as much as a learned score. :class:`TaskSkillHook
<vadkit.engine.hooks.TaskSkillHook>` writes ``task_skill.json`` to the work dir at the end
of training; an ensemble's scores (its test, ``rescore.py`` of its members, detection with
its work dir) then average each score over the members whose task learned, and keep all
members where none did. The rule reads only the training loss: no test label is involved.
"""
import json
import os.path as osp
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np

from vadkit.utils.errors import VadkitError

TASK_SKILL_FILE = 'task_skill.json'


class TaskSkillFileError(VadkitError, ValueError):
    """A ``task_skill.json`` that cannot be read."""


def judge_task_skill(losses: Mapping[str, Sequence[float]], chances: Mapping[str, float],
                     window: int = 100, max_ratio: float = 0.9) -> Dict[str, dict]:
    """``{task: {'loss', 'chance', 'learned', 'iterations'}}``: a task learned when its mean
    training loss over the last ``window`` iterations (``losses[task]``, one value an
    iteration) is below ``max_ratio`` times its chance loss. Tasks without a chance loss or
    without a logged loss are not judged."""
    if window < 1 or not 0 < max_ratio <= 1:
        raise ValueError(f'window={window}, max_ratio={max_ratio}: window >= 1 and '
                         '0 < max_ratio <= 1')
    skill = {}
    for task, chance in chances.items():
        history = np.asarray(losses.get(task, ()), dtype=np.float64)
        if chance is None or not history.size:
            continue
        tail = history[-window:]
        loss = float(tail.mean())
        skill[task] = dict(loss=loss, chance=float(chance),
                           learned=bool(loss < max_ratio * chance), iterations=int(tail.size))
    return skill


def task_skill_text(skill: Mapping[str, dict], window: int, max_ratio: float) -> str:
    """The content of ``task_skill.json``."""
    return json.dumps(dict(rule=f'learned: mean training loss of the last {window} '
                           f'iterations < {max_ratio} x chance loss', tasks=skill), indent=2)


def not_learned_message(task: str, skill: Mapping) -> str:
    """The warning for a task that did not learn, with the fix."""
    return (f"task '{task}' did not learn: its training loss over the last "
            f"{skill['iterations']} iterations is {skill['loss']:.4f}, its chance loss "
            f"{skill['chance']:.4f} (a uniform guess), so its test score is noise. An "
            'ensemble leaves it out of its average; a single run fuses it as configured: '
            'train longer or with another seed (randomness.seed), or drop '
            f"'{task}' from test_evaluator.score_weights")


def read_task_skill(folder: str) -> Dict[str, dict]:
    """``{task: {'loss', 'chance', 'learned', ...}}`` written by ``TaskSkillHook`` into
    ``folder``; empty where there is no such file (runs of older vadkit, other tools)."""
    path = osp.join(folder, TASK_SKILL_FILE)
    if not osp.isfile(path):
        return {}
    try:
        with open(path) as f:
            tasks = json.load(f)['tasks']
        return {str(k): dict(v) for k, v in tasks.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise TaskSkillFileError(f'{path} cannot be read ({e}): delete it to use every task '
                                 'of this run, or train the run again') from e


def untrained_tasks(folder: Optional[str]) -> List[str]:
    """The tasks of the run in ``folder`` that ended training at their chance loss."""
    if not folder:
        return []
    return [task for task, skill in read_task_skill(folder).items()
            if not skill.get('learned', True)]


def score_of_task(score_name: str, task: str) -> bool:
    """Whether score ``score_name`` comes from task ``task`` (``prp``, ``prp.rate``)."""
    return score_name == task or score_name.startswith(task + '.')


def learned_members(score_name: str, untrained: Sequence[Sequence[str]]) -> List[int]:
    """Indices of the members (``untrained[i]``: member i's untrained tasks) whose score
    ``score_name`` comes from a task that learned; every member where none did."""
    learned = [i for i, tasks in enumerate(untrained)
               if not any(score_of_task(score_name, t) for t in tasks)]
    return learned or list(range(len(untrained)))


def describe_left_out(left_out: Mapping[str, Sequence[int]], runs: Sequence[str]) -> List[str]:
    """One line a score that an ensemble averaged without some runs (``runs``: their
    folders), for the terminal."""
    return [f"score '{name}' averaged without {', '.join(runs[k] for k in ks)}: its task "
            f'ended training at its chance loss there ({TASK_SKILL_FILE})'
            for name, ks in left_out.items()]
