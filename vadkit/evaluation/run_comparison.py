"""Compare settings over seeds: each setting's test runs (one per seed) scored alike, with
the mean, the worst seed and the held-out figure, the rows of an ablation table."""
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence

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

    @property
    def mean(self) -> float:
        return float(np.mean(self.micro_auroc))

    @property
    def worst(self) -> float:
        return float(np.min(self.micro_auroc))

    @property
    def heldout_mean(self) -> Optional[float]:
        return float(np.mean(self.heldout_auroc)) if self.heldout_auroc else None


def score_run(scores: FrameScores, normalizer: Optional[dict] = None) -> float:
    """Micro AUROC of a run's fused score with its saved alphas and fusion; ``normalizer``
    replaces the saved normalizers of every score (``None``: the saved ones)."""
    if normalizer is None:
        return float(scores.evaluate().metrics['micro_auroc'])
    return float(scores.evaluate(normalizer=normalizer, normalizers={}).metrics['micro_auroc'])


def heldout_auroc(scores: FrameScores, normalizer: Optional[dict] = None,
                  grid: Sequence[float] = parse_grid('0,0.1,...,1'), splits: int = 5,
                  seed: int = 0) -> float:
    """The honest figure of a run: alphas chosen on half of the test videos, micro AUROC on
    the other half, averaged over both halves of ``splits`` random splits."""
    names = list(scores.settings.get('score_weights') or scores.score_names)
    table = build_setting_table({'run': scores}, [names], {'n': normalizer}, [0.0], grid)
    return select_on_heldout_videos(table, splits, seed).mean('heldout_auroc')


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
        runs = {p: loaded[p] for p in paths}
        row = SettingRow(name, list(paths), [score_run(r, normalizer) for r in runs.values()])
        if heldout:
            row.heldout_auroc = [heldout_auroc(r, normalizer, splits=splits)
                                 for r in runs.values()]
        rows.append(row)
    return rows


def markdown_table(rows: Sequence[SettingRow]) -> str:
    """The rows as a markdown table, in percent."""
    seeds = max(len(r.micro_auroc) for r in rows)
    heldout = any(r.heldout_auroc for r in rows)
    head = ['setting'] + [f'run {i}' for i in range(seeds)] + ['mean', 'worst']
    if heldout:
        head.append('held-out mean')
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in rows:
        cells = [r.name] + [f'{100 * v:.2f}' for v in r.micro_auroc]
        cells += [''] * (seeds - len(r.micro_auroc))
        cells += [f'{100 * r.mean:.2f}', f'{100 * r.worst:.2f}']
        if heldout:
            cells.append('' if r.heldout_mean is None else f'{100 * r.heldout_mean:.2f}')
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)
