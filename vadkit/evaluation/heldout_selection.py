"""Choosing scoring settings without scoring on the videos that chose them.

Ped2, Avenue and ShanghaiTech have no validation split, and the paper's alphas (like any
normalizer, smoothing or checkpoint picked by looking at the test AUROC) were chosen on the
test labels: the reported figure is the best of many tries on the very frames it is scored
on. Here every setting of a grid (run, weighted scores, normalizer, smoothing, alphas) is
scored on saved frame scores; the setting is chosen by micro AUROC on half of the test
videos and reported on the other half, each split used both ways, over several random
splits (stratified by whether a video holds anomalies). Beside the held-out figure stand
the paper protocol (chosen and reported on all test videos) and the fixed config (the first
run's saved settings, no choice). With the same runs tested on a pseudo-anomaly set made
from the training videos (``tools/data/make_pseudo_anomalies.py``), the setting can also be
chosen there, with no test label at all (:func:`select_on_pseudo_anomalies`).

Choosing ranks thousands of settings, so it uses a rank-sum AUROC (equal to the
trapezoidal ROC AUC, midranks for ties); every reported figure is recomputed with
:func:`~vadkit.evaluation.functional.auroc.roc_auc_score`, as ``rescore.py`` reports it.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from scipy.stats import rankdata, spearmanr

from vadkit.utils.errors import VadkitError

from .alpha_search import split_videos, weight_classes
from .frame_scores import FrameScores
from .functional.auroc import roc_auc_score
from .functional.scoring import weighted_sum
from .normalizers.builder import normalizer_config

__all__ = ['SelectionError', 'Setting', 'SettingTable', 'SplitRow', 'SelectionReport',
           'build_setting_table', 'select_on_heldout_videos', 'rank_auroc',
           'PseudoSelection', 'select_on_pseudo_anomalies']


class SelectionError(VadkitError, ValueError):
    """Frame scores or a grid the selection cannot work with."""


@dataclass(frozen=True)
class Setting:
    """One way of scoring: which run, which normalizer, how much smoothing, which alphas."""
    run: str
    normalizer: str
    smooth: float
    weights: Tuple[Tuple[str, float], ...]

    def describe(self) -> str:
        smooth = f' + smooth {self.smooth:g}' if self.smooth else ''
        alphas = ' '.join(f'{n}={w:g}' for n, w in self.weights)
        return f'{self.run} | {self.normalizer}{smooth} | {alphas}'


@dataclass
class SettingTable:
    """The fused score of every setting on every scored frame (videos in order)."""
    settings: List[Setting]
    fused: np.ndarray              # (settings, frames)
    video_of_frame: np.ndarray     # (frames,) position of each frame's video
    labels: np.ndarray             # (frames,)
    video_names: List[str]
    video_labels: List[np.ndarray]
    fixed: np.ndarray              # (frames,) the fixed config's fused score
    fixed_name: str = 'fixed config'


def check_same_test_set(runs: Mapping[str, FrameScores]) -> None:
    """Runs compared as settings must have scored the same frames with the same labels."""
    try:
        FrameScores.check_same_frames(list(runs.values()), 'compare', list(runs))
    except ValueError as e:
        raise SelectionError(str(e)) from None


def _per_score_configs(run: FrameScores, names: Sequence[str], normalizer: Optional[dict],
                       smooth: float) -> Dict[str, dict]:
    """Each score's normalizer: ``normalizer`` (``None``: the run's saved ones), then
    temporal smoothing if ``smooth``."""
    default = normalizer if normalizer is not None else run.settings.get(
        'normalizer', dict(type='MinMaxNormalizer'))
    overrides = {} if normalizer is not None else dict(run.settings.get('normalizers', {}))
    out = {}
    for n in names:
        cfg = normalizer_config(n, default, overrides)
        if smooth:
            cfg = dict(type='Chain', steps=[cfg, dict(type='GaussianSmoothing', sigma=smooth)])
        out[n] = cfg
    return out


def build_setting_table(runs: Mapping[str, FrameScores], score_sets: Sequence[Sequence[str]],
                        normalizers: Mapping[str, Optional[dict]], smooths: Sequence[float],
                        grid: Sequence[float]) -> SettingTable:
    """Score every combination of run, weighted scores (each set searched with ``grid``
    alphas, one setting per weighting up to scale), normalizer (label -> config, ``None``
    for the run's saved ones) and smoothing sigma (0: none).

    The fixed config is the first run's saved settings (weights and normalizers).
    """
    if not runs:
        raise SelectionError('no frame scores given')
    check_same_test_set(runs)
    first = next(iter(runs.values()))
    for label, run in runs.items():
        for names in score_sets:
            missing = [n for n in names if n not in run.score_names]
            if missing:
                raise SelectionError(f'{label} has no score(s) {missing}; it has '
                                     f'{run.score_names}')
    if any(s < 0 for s in smooths):
        raise SelectionError(f'smoothing sigmas must be >= 0 (0: none), got {list(smooths)}')
    settings: List[Setting] = []
    rows: List[np.ndarray] = []
    for label, run in runs.items():
        for names in score_sets:
            classes = weight_classes(list(names), grid)
            for norm_label, norm_cfg in normalizers.items():
                for smooth in smooths:
                    built = run.normalizers(None, _per_score_configs(run, names, norm_cfg,
                                                                     smooth), names)
                    cols = {n: np.concatenate([built[n](r[n]) for r in run.raw])
                            for n in names}
                    for weights, _ in classes:
                        settings.append(Setting(label, norm_label, float(smooth),
                                                tuple(weights.items())))
                        rows.append(weighted_sum(cols, weights))
    fixed_weights = first.settings.get('score_weights')
    if not fixed_weights:
        raise SelectionError(f'{next(iter(runs))} carries no saved score_weights, so it has '
                             'no fixed config to compare with (an older test run?)')
    fixed = np.concatenate(first.evaluate().combined)
    video_of_frame = np.concatenate([np.full(f.size, i) for i, f in enumerate(first.frames)])
    return SettingTable(settings, np.stack(rows), video_of_frame,
                        np.concatenate(first.labels).astype(np.int64),
                        list(first.video_names), list(first.labels), fixed)


def rank_auroc(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """AUROC of each row of ``scores`` (settings x frames) against ``labels``: the
    Mann-Whitney statistic with midranks, equal to the trapezoidal ROC AUC."""
    pos = labels.astype(bool)
    n1, n0 = int(pos.sum()), int((~pos).sum())
    if n1 == 0 or n0 == 0:
        raise SelectionError('an AUROC needs both normal and anomalous frames')
    out = np.empty(scores.shape[0])
    for start in range(0, scores.shape[0], 256):
        ranks = rankdata(scores[start:start + 256], axis=1)
        out[start:start + 256] = (ranks[:, pos].sum(1) - n1 * (n1 + 1) / 2) / (n1 * n0)
    return out


@dataclass
class SplitRow:
    """One choice: made on ``select`` videos, reported on ``report`` videos."""
    split: int
    seed: int
    direction: str
    select: List[int]
    report: List[int]
    chosen: int
    select_auroc: float
    heldout_auroc: float
    fixed_heldout_auroc: float
    best_heldout: int              # the best setting on the held-out videos themselves
    best_heldout_auroc: float


@dataclass
class SelectionReport:
    """Every split's choice and the figures to set beside the mean held-out AUROC."""
    table: SettingTable
    rows: List[SplitRow]
    paper_setting: int             # chosen and reported on all test videos
    paper_auroc: float
    fixed_auroc: float             # the fixed config on all test videos
    extra: dict = field(default_factory=dict)

    def mean(self, key: str) -> float:
        return float(np.mean([getattr(r, key) for r in self.rows]))

    def std(self, key: str) -> float:
        values = [getattr(r, key) for r in self.rows]
        return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def _auroc(table: SettingTable, scores: np.ndarray, mask: np.ndarray) -> float:
    return float(roc_auc_score(table.labels[mask], scores[mask]))


def select_on_heldout_videos(table: SettingTable, splits: int = 5, seed: int = 0
                             ) -> SelectionReport:
    """Choose on half of the videos, report on the other half, both ways, for ``splits``
    random stratified splits (seeds ``seed .. seed + splits - 1``). Ties go to the first
    setting in grid order, so the result is a function of the seed."""
    if splits < 1:
        raise SelectionError(f'--splits must be at least 1, got {splits}')
    rows = []
    for k in range(splits):
        try:
            half_a, half_b = split_videos(table.video_labels, 0.5, seed + k)
        except ValueError as e:
            raise SelectionError(str(e).replace('--holdout-fraction', 'a 50/50 split')) from None
        for direction, select, report in (('A->B', half_a, half_b), ('B->A', half_b, half_a)):
            sel = np.isin(table.video_of_frame, select)
            rep = np.isin(table.video_of_frame, report)
            on_select = rank_auroc(table.fused[:, sel], table.labels[sel])
            on_report = rank_auroc(table.fused[:, rep], table.labels[rep])
            chosen, best = int(np.argmax(on_select)), int(np.argmax(on_report))
            rows.append(SplitRow(
                k, seed + k, direction, select, report, chosen,
                _auroc(table, table.fused[chosen], sel),
                _auroc(table, table.fused[chosen], rep),
                _auroc(table, table.fixed, rep), best,
                _auroc(table, table.fused[best], rep)))
    everything = np.ones(table.labels.size, dtype=bool)
    paper = int(np.argmax(rank_auroc(table.fused, table.labels)))
    return SelectionReport(table, rows, paper, _auroc(table, table.fused[paper], everything),
                           _auroc(table, table.fixed, everything))


@dataclass
class PseudoSelection:
    """The setting chosen on pseudo-anomalies and what it gives on the test videos."""
    chosen: int
    pseudo_auroc: np.ndarray       # every setting on the pseudo-anomalies
    test_auroc: np.ndarray         # every setting on the test videos (rank AUROC)
    chosen_pseudo_auroc: float
    chosen_test_auroc: float
    fixed_pseudo_auroc: float
    fixed_test_auroc: float
    agreement: float               # Spearman of the settings' pseudo and test AUROCs


def select_on_pseudo_anomalies(pseudo: SettingTable, test: SettingTable) -> PseudoSelection:
    """Choose the setting with the best micro AUROC on the pseudo-anomaly videos (made from
    the training videos, no test label) and report it on the test videos.

    Both tables must hold the same settings in the same order: build them with the same
    grid from the same runs, tested once on the test set and once on the pseudo-anomalies.
    ``agreement`` says how well the pseudo-anomalies rank the settings as the test labels
    do (1: the same order); near 0 or below, the choice is no better than a guess.
    """
    if pseudo.settings != test.settings:
        raise SelectionError('the pseudo-anomaly runs give other settings than the test runs: '
                             'give one pseudo-anomaly run per test run, in the same order, '
                             'with the same score sets, normalizers, smoothing and grid')
    on_pseudo = rank_auroc(pseudo.fused, pseudo.labels)
    on_test = rank_auroc(test.fused, test.labels)
    chosen = int(np.argmax(on_pseudo))
    everything_p = np.ones(pseudo.labels.size, dtype=bool)
    everything_t = np.ones(test.labels.size, dtype=bool)
    agreement = float(spearmanr(on_pseudo, on_test).statistic) if len(on_test) > 1 else 1.0
    return PseudoSelection(
        chosen, on_pseudo, on_test,
        _auroc(pseudo, pseudo.fused[chosen], everything_p),
        _auroc(test, test.fused[chosen], everything_t),
        _auroc(pseudo, pseudo.fixed, everything_p),
        _auroc(test, test.fixed, everything_t),
        agreement if np.isfinite(agreement) else 0.0)
