"""Ensembles of short runs of one config: its members train one after another with other
seeds, and their test scores are averaged per video.

On a small budget several short runs beat one long run of the same total time: a small
model's score per video depends on its seed more than on its last epochs
(``configs/luss_ae/README.md``). A config asks for it with ``ensemble = dict(members=K)``;
``tools/train.py`` then trains K members in ``<work_dir>/member<i>`` with seeds
``seed * K + i`` (so the members of seeds 0 and 1 never share a seed), tests each, and
scores the ensemble as ``tools/analysis/rescore.py`` does with several files: each score
rescaled per video in each member, averaged over the members, then rescaled and fused once
more (:meth:`FrameScores.average`).

``ensemble = dict(members=K, score_weights='reliability')`` fuses with weights the members
measure themselves, with no label: each weighted score's reliability across the members
(:func:`vadkit.evaluation.score_reliability`), so a score that is mostly seed noise on this
data counts for less. The config's own ``score_weights`` are reported beside it
(``micro_auroc_config_weights``); the weights and reliabilities are kept in
``ensemble.json``, and detection with the ensemble's work dir fuses with them.
"""
import copy
import json
import os
import os.path as osp
from typing import Callable, Dict, List, Optional, Tuple

from mmengine.config import Config
from mmengine.dist import is_main_process

from vadkit.evaluation import FrameScores
from vadkit.evaluation.metrics.frame_auroc_metric import compare_weights_metrics
from vadkit.evaluation.score_reliability import reliability_weights, score_reliability
from vadkit.evaluation.task_skill import describe_left_out
from vadkit.utils.cpu_share import reset_threads_used
from vadkit.utils.errors import VadkitError
from vadkit.utils.refused_run import nothing_left_if_refused, wrote_checkpoints
from vadkit.utils.work_dir_lock import lock_work_dir, unlock_work_dir

ENSEMBLE_KEYS = ('members', 'score_weights')
ENSEMBLE_FILE = 'ensemble.json'  # in the ensemble's work dir: each member's seed and figures
WEIGHT_RULES = ('reliability', )  # ensemble.score_weights: fusion weights measured by members
CONFIG_WEIGHTS_LABEL = 'config_weights'  # micro_auroc_<label>: the config's own score_weights


def member_work_dir(work_dir: str, index: int) -> str:
    """Where member ``index`` of the ensemble of ``work_dir`` trains."""
    return osp.join(work_dir, f'member{index}')


class EnsembleConfigError(VadkitError, ValueError):
    """An ``ensemble`` setting that cannot be trained as asked."""


def ensemble_members(cfg: Config) -> Optional[int]:
    """The number of members ``cfg.ensemble`` asks for; ``None`` for a single model."""
    ensemble = cfg.get('ensemble')
    if ensemble is None:
        return None
    if not isinstance(ensemble, dict):
        raise EnsembleConfigError(f'ensemble={ensemble!r}: write ensemble = dict(members=4), '
                                  'or ensemble = None for one model')
    unknown = sorted(set(ensemble) - set(ENSEMBLE_KEYS))
    if unknown:
        raise EnsembleConfigError(f'ensemble has unknown key(s) {unknown}; it takes '
                                  f'{list(ENSEMBLE_KEYS)}, e.g. ensemble = dict(members=4)')
    members = ensemble.get('members')
    if isinstance(members, bool) or not isinstance(members, int) or members < 1:
        raise EnsembleConfigError(f'ensemble.members={members!r}: give the number of models '
                                  'to train, an integer >= 1')
    rule = ensemble.get('score_weights')
    if rule is not None and rule not in WEIGHT_RULES:
        raise EnsembleConfigError(f'ensemble.score_weights={rule!r}: give one of '
                                  f'{list(WEIGHT_RULES)}, or leave it out to fuse with the '
                                  "test evaluator's score_weights")
    if rule == 'reliability' and members < 2:
        raise EnsembleConfigError(f"ensemble.score_weights='reliability' compares members: "
                                  f'members={members} has no pair to compare; give '
                                  'members >= 2 (4 or more for steadier weights)')
    return members


def ensemble_weight_rule(cfg: Config) -> Optional[str]:
    """``'reliability'`` where the ensemble measures its fusion weights; ``None`` where it
    fuses with the test evaluator's ``score_weights`` (or the config is one model)."""
    if ensemble_members(cfg) is None:
        return None
    return cfg.ensemble.get('score_weights')


def members_reliability(runs: List[FrameScores], names: List[str]) -> Tuple[Dict[str, float],
                                                                             Dict[str, dict]]:
    """``(weights, reliability)`` of scores ``names`` measured across the members' test
    scores (no label read): each weight is the score's mean reliability, 0 where negative.

    Raises:
        EnsembleConfigError: If every weight is 0 (no score agrees between members), where
            the fused score would rank frames by nothing.
    """
    reliability = score_reliability(runs, names)
    weights = reliability_weights(reliability, names)
    if not any(weights.values()):
        raise EnsembleConfigError(
            f'no weighted score agrees between the members (reliability {weights}): their '
            'scores are seed noise on these videos, so weights measured from them would fuse '
            'nothing; train longer, or set ensemble.score_weights=None to fuse with the '
            "test evaluator's score_weights")
    return weights, reliability


def member_seeds(seed: int, members: int) -> List[int]:
    """Seeds of the members of the ensemble of ``seed``: ``seed * members + i``."""
    return [seed * members + i for i in range(members)]


def member_config(cfg: Config, index: int, seed: int) -> Config:
    """The config of one member: the ensemble's, with its seed and work dir."""
    member = copy.deepcopy(cfg)
    member.pop('ensemble', None)
    member.work_dir = member_work_dir(cfg.work_dir, index)
    member.randomness = dict(cfg.get('randomness') or {}, seed=seed)
    member.experiment_name = f'member{index}'
    return member


def _finished(work_dir: str) -> bool:
    """A member whose test ended: its scores and metrics are written last."""
    return all(osp.isfile(osp.join(work_dir, f))
               for f in ('frame_scores.npz', 'metrics.json'))


def _read_json(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


def _frame_metric_cfg(cfg: Config) -> dict:
    from vadkit.utils.run_config import frame_metric_configs
    found = frame_metric_configs(cfg)
    if found:
        return found[0]
    raise EnsembleConfigError('an ensemble is scored from its members\' frame scores: the '
                              "test_evaluator must include a FrameAUROCMetric")


def _check_config_weights_label(compare_weights: Optional[dict]) -> None:
    """Refuse a ``compare_weights`` entry under the label that reports the config's own
    weights beside measured ones."""
    if CONFIG_WEIGHTS_LABEL in (compare_weights or {}):
        raise EnsembleConfigError(f'test_evaluator.compare_weights[{CONFIG_WEIGHTS_LABEL!r}]: '
                                  "that label reports the config's score_weights beside the "
                                  "weights the ensemble measures; give the entry another label")


def ensemble_metrics(runs: List[FrameScores], compare_normalizers: Optional[dict] = None,
                     compare_weights: Optional[dict] = None,
                     score_weights: Optional[Dict[str, float]] = None):
    """The ensemble's scores and the metrics a single run's test reports: the members'
    scores averaged with the saved normalizers (the headline), once more with each of
    ``compare_normalizers``, and fused with each of ``compare_weights``
    (``micro_auroc_<label>``). ``score_weights`` replace the members' saved weights for
    the headline (and in the saved scores); the saved ones are then reported as
    ``micro_auroc_config_weights``."""
    scores = FrameScores.average(runs)
    if score_weights is not None:
        _check_config_weights_label(compare_weights)
        compare_weights = dict(compare_weights or {})
        compare_weights[CONFIG_WEIGHTS_LABEL] = dict(scores.settings['score_weights'])
        scores.settings['score_weights'] = dict(score_weights)
        scores.settings['compare_weights'] = {k: dict(v) for k, v in compare_weights.items()}
    evaluation = scores.evaluate()
    metrics = dict(evaluation.metrics)
    weights = scores.settings['score_weights']
    for label, norm in (compare_normalizers or {}).items():
        other = FrameScores.average(runs, normalizer=norm, normalizers={})
        metrics[f'micro_auroc_{label}'] = other.evaluate(weights).metrics['micro_auroc']
    metrics.update(compare_weights_metrics(scores, compare_weights))
    return scores, evaluation, metrics


def train_ensemble(cfg: Config, resume: Optional[str] = None, test: bool = False
                   ) -> Optional[dict]:
    """Train (and with ``test`` test) every member of ``cfg``'s ensemble, then score the
    ensemble into ``cfg.work_dir``. ``resume='auto'`` keeps the members whose test ended
    and resumes the others from their newest checkpoint. Returns the ensemble's metrics
    (in the main process; ``None`` in the others).

    On several processes (``tools/dist_train.sh``; the process group is set up by
    ``load_config``) each member trains and tests on all of them, one member after
    another, as a single run does; the main process scores the ensemble."""
    members = ensemble_members(cfg)
    seed = (cfg.get('randomness') or {}).get('seed')
    if not isinstance(seed, int):
        raise EnsembleConfigError(f'randomness.seed={seed!r}: an ensemble derives its '
                                  'members\' seeds from an integer seed, e.g. randomness = '
                                  'dict(seed=0)')
    seeds = member_seeds(seed, members)
    if resume not in (None, 'auto'):
        raise EnsembleConfigError(f'--resume {resume}: an ensemble resumes each member from '
                                  'its own work dir; give --resume without a path')
    metric_cfg = _frame_metric_cfg(cfg) if test else None
    if metric_cfg is not None and ensemble_weight_rule(cfg) == 'reliability':
        _check_config_weights_label(metric_cfg.get('compare_weights'))
    # refused before any member saved a checkpoint (a bad dataset, load_from or option):
    # no folder is left; members that saved checkpoints are kept for --resume
    try:
        with nothing_left_if_refused(cfg.work_dir,
                                     keep=_members_wrote_checkpoints(cfg.work_dir)):
            if is_main_process():  # each member's runner locks its own folder likewise
                lock_work_dir(cfg.work_dir, role='ensemble')
            return _train_members(cfg, seeds, resume, test, metric_cfg)
    finally:
        unlock_work_dir(cfg.work_dir)  # a refused run's lock is released after the removal


def _members_wrote_checkpoints(work_dir: str) -> Callable[[List[str]], bool]:
    """``keep`` for :func:`nothing_left_if_refused`: whether a member folder among the
    ensemble's new entries holds a checkpoint."""
    def keep(added: List[str]) -> bool:
        return any(osp.isdir(osp.join(work_dir, name))
                   and wrote_checkpoints(os.listdir(osp.join(work_dir, name)))
                   for name in added)
    return keep


def _train_members(cfg: Config, seeds: List[int], resume: Optional[str], test: bool,
                   metric_cfg: Optional[dict]) -> Optional[dict]:
    from vadkit.utils.reporting import report_metrics
    from vadkit.utils.run_config import compare_weight_labels, set_score_output_dir

    from .runner import build_runner
    members, seed = len(seeds), cfg.randomness['seed']
    dirs = []
    for i, member_seed in enumerate(seeds):
        member = member_config(cfg, i, member_seed)
        dirs.append(member.work_dir)
        title = f'ensemble member {i + 1}/{members} (seed {member_seed})'
        if resume and test and _finished(member.work_dir):
            print(f'{title}: done before, kept ({member.work_dir})', flush=True)
            continue
        print(f'{title}: training in {member.work_dir}', flush=True)
        reset_threads_used()  # each member's machine.json: the threads it ran on
        if resume:
            member.resume, member.load_from = True, None
        if test:
            set_score_output_dir(member, member.work_dir)
        with nothing_left_if_refused(member.work_dir, keep=wrote_checkpoints):
            runner = build_runner(member)
            runner.train()
        if test:
            report_metrics(runner.test(), runner.work_dir, title=title,
                           weight_labels=compare_weight_labels(cfg))
        del runner
    if not test or not is_main_process():  # the members' scores are written by rank 0
        return None
    runs = [FrameScores.load(d) for d in dirs]
    measured: dict = {}
    weights = None
    if ensemble_weight_rule(cfg) == 'reliability':
        weights, reliability = members_reliability(runs, list(metric_cfg['score_weights']))
        measured = dict(score_weights=weights, reliability=reliability)
        print('fusion weights measured across the members (reliability, no label read): ' +
              ', '.join(f'{n} {w:.2f}' for n, w in weights.items()), flush=True)
    scores, evaluation, metrics = ensemble_metrics(runs, metric_cfg.get('compare_normalizers'),
                                                   metric_cfg.get('compare_weights'), weights)
    scores.save(cfg.work_dir, evaluation)
    left_out = scores.settings.get('left_out', {})
    for line in describe_left_out(left_out, dirs):  # members whose task did not learn
        print(line, flush=True)
    with open(osp.join(cfg.work_dir, ENSEMBLE_FILE), 'w') as f:
        json.dump(dict(seed=seed, left_out=left_out, **measured, members=[
            dict(seed=s, work_dir=d, metrics=_read_json(osp.join(d, 'metrics.json')),
                 untrained_tasks=r.untrained_tasks)
            for s, d, r in zip(seeds, dirs, runs)]), f, indent=2)
    report_metrics(metrics, cfg.work_dir, title=f'ensemble of {members} members '
                   f'(seeds {", ".join(map(str, seeds))})', machine=members_machine(dirs),
                   weight_labels=list(scores.settings.get('compare_weights') or {}))
    return metrics


def members_machine(dirs: List[str]) -> dict:
    """What the members ran on (their ``machine.json``; members kept from an earlier run
    count too): an ensemble's figures are its members'."""
    from vadkit.utils.machine import runs_machine
    return runs_machine([_read_json(osp.join(d, 'machine.json')) for d in dirs
                         if osp.isfile(osp.join(d, 'machine.json'))])
