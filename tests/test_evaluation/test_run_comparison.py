"""Ablation tables from saved scores: each row is its runs scored alike (the saved alphas,
one rescaling for all), the worst seed is shown, and the held-out figure is that of one
run's alpha selection; runs of other test sets or missing files are refused."""
import json

import numpy as np
import pytest
from tool_modules import load_tool

from vadkit.evaluation import FrameScores
from vadkit.evaluation.heldout_selection import build_setting_table, select_on_heldout_videos
from vadkit.evaluation.run_comparison import ComparisonError, compare_settings, markdown_table
from vadkit.utils import register_all_modules

register_all_modules()
SMOOTHED = dict(type='Chain', steps=[dict(type='MinMaxNormalizer'),
                                     dict(type='GaussianSmoothing', sigma=3)])


def compare_runs():
    return load_tool('analysis/compare_runs')


def run(seed, videos=6, frames=80):
    """A test run: frames 40-59 of each video anomalous, ``a`` and ``b`` noisy detectors."""
    rng = np.random.default_rng(seed)
    labels, raw = [], []
    for _ in range(videos):
        y = np.zeros(frames, dtype=np.int64)
        y[40:60] = 1
        labels.append(y)
        raw.append(dict(a=y + 1.5 * rng.normal(size=frames),
                        b=y + 2.0 * rng.normal(size=frames)))
    settings = dict(score_weights=dict(a=1.0, b=0.5), normalizer=SMOOTHED, normalizers={})
    return FrameScores(list(range(videos)), [f'v{v}' for v in range(videos)],
                       [np.arange(4, 4 + frames)] * videos, labels, raw, ['a', 'b'], settings,
                       [frames + 4] * videos)


@pytest.fixture
def saved(tmp_path):
    paths = []
    for seed in range(3):
        folder = tmp_path / f's{seed}'
        scores = run(seed)
        scores.save(str(folder), scores.evaluate())
        paths.append(str(folder))
    return paths


def test_rows_score_every_run_alike_with_the_given_rescaling(saved):
    plain = dict(type='MinMaxNormalizer')
    rows = compare_settings({'two': saved[:2], 'three': saved}, normalizer=plain)
    expected = [run(s).evaluate(normalizer=plain, normalizers={}).metrics['micro_auroc']
                for s in range(3)]
    assert rows[1].micro_auroc == pytest.approx(expected, abs=1e-12)
    assert rows[1].mean == pytest.approx(np.mean(expected), abs=1e-12)
    assert rows[1].worst == pytest.approx(min(expected), abs=1e-12)
    # without a normalizer each run keeps its saved (smoothed) rescaling: other figures
    smoothed = compare_settings({'three': saved})[0].micro_auroc
    assert smoothed == pytest.approx([run(s).evaluate().metrics['micro_auroc']
                                      for s in range(3)], abs=1e-12)
    assert smoothed != pytest.approx(expected, abs=1e-6)


def test_heldout_figure_is_the_alpha_selection_of_each_run(saved):
    plain = dict(type='MinMaxNormalizer')
    row = compare_settings({'x': saved[:1]}, normalizer=plain, heldout=True)[0]
    plain_run = run(0)
    plain_run.settings = dict(plain_run.settings, normalizer=plain)
    table = build_setting_table({'r': plain_run}, [['a', 'b']], {'p': plain}, [0.0],
                                [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    report = select_on_heldout_videos(table, 5, 0)
    assert row.heldout_auroc == [pytest.approx(report.mean('heldout_auroc'), abs=1e-12)]
    # the fixed alphas on the same halves, under the same (plain) rescaling
    assert row.fixed_heldout_auroc == [pytest.approx(report.mean('fixed_heldout_auroc'),
                                                     abs=1e-12)]
    smoothed = build_setting_table({'r': run(0)}, [['a', 'b']], {'p': plain}, [0.0], [1.0])
    assert row.fixed_heldout_auroc[0] != pytest.approx(
        select_on_heldout_videos(smoothed, 5, 0).mean('fixed_heldout_auroc'), abs=1e-6)


def test_heldout_figure_of_another_fusion_is_refused(tmp_path):
    scores = run(0)
    scores.settings = dict(scores.settings, fusion=dict(type='MedianFusion'))
    scores.save(str(tmp_path / 'median'), scores.evaluate())
    assert compare_settings({'m': [str(tmp_path / 'median')]})[0].micro_auroc
    with pytest.raises(ComparisonError, match='MedianFusion'):
        compare_settings({'m': [str(tmp_path / 'median')]}, heldout=True)


def test_markdown_table_has_a_cell_for_every_figure(saved):
    rows = compare_settings({'two': saved[:2], 'three': saved})
    lines = markdown_table(rows).splitlines()
    assert lines[0] == '| setting | run 0 | run 1 | run 2 | mean | worst |'
    with_heldout = markdown_table(compare_settings({'one': saved[:1]}, heldout=True))
    assert with_heldout.splitlines()[0].endswith('| held-out mean | fixed alphas, same halves |')
    assert len(lines) == 4 and all(line.count('|') == 7 for line in lines)
    assert lines[2].startswith(f'| two | {100 * rows[0].micro_auroc[0]:.2f} |')


def test_tool_prints_and_writes_the_table(saved, tmp_path, capsys):
    out = tmp_path / 'table.json'
    compare_runs().main(['--setting', 'all', *saved, '--normalizer', 'MinMaxNormalizer',
                       '--out', str(out)])
    printed = capsys.readouterr().out
    figures = json.loads(out.read_text())
    assert f"| all | {100 * figures[0]['micro_auroc'][0]:.2f} |" in printed
    assert figures[0]['worst'] == min(figures[0]['micro_auroc'])


def test_other_test_sets_and_missing_files_are_refused(saved, tmp_path):
    other = run(0, videos=5)
    other.save(str(tmp_path / 'other'), other.evaluate())
    with pytest.raises(Exception, match='v5|video'):
        compare_settings({'a': saved, 'b': [str(tmp_path / 'other')]})
    with pytest.raises(ComparisonError, match='does not exist'):
        compare_settings({'a': [str(tmp_path / 'nothing')]})
    tool = compare_runs()
    with pytest.raises(ComparisonError, match='names no run'):
        tool.main(['--setting', 'lonely'])
    with pytest.raises(ComparisonError, match='given twice'):
        tool.main(['--setting', 'a', saved[0], '--setting', 'a', saved[1]])
