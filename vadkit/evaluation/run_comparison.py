"""Compare settings over seeds: each setting's test runs (one per seed) scored alike, with
the mean, the worst seed and the held-out figure, the rows of an ablation table."""
import copy
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from vadkit.utils.errors import VadkitError

from .alpha_search import parse_grid
from .frame_scores import FrameScores
from .heldout_selection import (
    build_setting_table,
    check_same_test_set,
    select_on_heldout_videos,
)


class ComparisonError(VadkitError, ValueError):
    """Runs that cannot be compared as asked."""


@dataclass
class SettingRow:
    """One setting's figures (micro AUROC, fractions) over its runs."""
    name: str
    runs: List[str]
    micro_auroc: List[float]
    heldout_auroc: List[float] = field(default_factory=list)
    fixed_heldout_auroc: List[float] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return float(np.mean(self.micro_auroc))

    @property
    def worst(self) -> float:
        return float(np.min(self.micro_auroc))

    @property
    def heldout_mean(self) -> Optional[float]:
        return float(np.mean(self.heldout_auroc)) if self.heldout_auroc else None

    @property
    def fixed_heldout_mean(self) -> Optional[float]:
        return float(np.mean(self.fixed_heldout_auroc)) if self.fixed_heldout_auroc else None


def rescaled_by(scores: FrameScores, normalizer: Optional[dict]) -> FrameScores:
    """``scores`` whose saved rescaling of every score is ``normalizer`` (``None``: as is)."""
    if normalizer is None:
        return scores
    other = copy.copy(scores)
    other.settings = dict(scores.settings, normalizer=dict(normalizer), normalizers={})
    return other


def heldout_figures(scores: FrameScores, grid: Sequence[float] = parse_grid('0,0.1,...,1'),
                    splits: int = 5, seed: int = 0) -> Tuple[float, float]:
    """The honest figure of a run and what to compare it with: alphas chosen on half of the
    test videos, micro AUROC on the other half, averaged over both halves of ``splits``
    random splits; and the run's own alphas on the same held-out halves."""
    fusion = scores.settings.get('fusion')
    if fusion and fusion.get('type') != 'WeightedSum':
        raise ComparisonError(f'the held-out figure chooses the alphas of a weighted sum, but '
                              f'this run fuses with {fusion}: leave --heldout out for it, or '
                              'compare its weighted-sum scores')
    names = list(scores.settings.get('score_weights') or scores.score_names)
    table = build_setting_table({'run': scores}, [names], {'saved': None}, [0.0], grid)
    report = select_on_heldout_videos(table, splits, seed)
    return report.mean('heldout_auroc'), report.mean('fixed_heldout_auroc')


def compare_settings(groups: Mapping[str, Sequence[str]], normalizer: Optional[dict] = None,
                     heldout: bool = False, splits: int = 5) -> List[SettingRow]:
    """A row for each ``{name: [frame_scores.npz or run folder, one per seed]}``."""
    loaded: Dict[str, FrameScores] = {}
    for paths in groups.values():
        for p in paths:
            if p not in loaded:
                try:
                    loaded[p] = FrameScores.load(p)
                except (FileNotFoundError, ValueError) as e:
                    raise ComparisonError(e.args[0] if e.args else str(e)) from None
    check_same_test_set(loaded)  # every figure of the table on the same frames
    rows = []
    for name, paths in groups.items():
        runs = [rescaled_by(loaded[p], normalizer) for p in paths]
        row = SettingRow(name, list(paths),
                         [float(r.evaluate().metrics['micro_auroc']) for r in runs])
        if heldout:
            figures = [heldout_figures(r, splits=splits) for r in runs]
            row.heldout_auroc = [h for h, _ in figures]
            row.fixed_heldout_auroc = [f for _, f in figures]
        rows.append(row)
    return rows


def markdown_table(rows: Sequence[SettingRow]) -> str:
    """The rows as a markdown table, in percent."""
    seeds = max(len(r.micro_auroc) for r in rows)
    heldout = any(r.heldout_auroc for r in rows)
    head = ['setting'] + [f'run {i}' for i in range(seeds)] + ['mean', 'worst']
    if heldout:
        head += ['held-out mean', 'fixed alphas, same halves']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in rows:
        cells = [r.name] + [f'{100 * v:.2f}' for v in r.micro_auroc]
        cells += [''] * (seeds - len(r.micro_auroc))
        cells += [f'{100 * r.mean:.2f}', f'{100 * r.worst:.2f}']
        if heldout:
            cells += ['' if v is None else f'{100 * v:.2f}'
                      for v in (r.heldout_mean, r.fixed_heldout_mean)]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)
