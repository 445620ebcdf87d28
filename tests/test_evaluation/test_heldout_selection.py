"""Choosing settings on half of the test videos and reporting on the other half: a setting
good on every video is chosen and keeps its figure; one good on half the videos only wins
where it was chosen and is caught on the held-out half."""
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from vadkit.evaluation import FrameScores
from vadkit.evaluation.alpha_search import grid_search
from vadkit.evaluation.heldout_selection import (
    SelectionError,
    build_setting_table,
    rank_auroc,
    select_on_heldout_videos,
    select_on_pseudo_anomalies,
)
from vadkit.utils import register_all_modules

register_all_modules()
N_VIDEOS, N_FRAMES = 8, 120


def synthetic_run(seed=0, odd_videos=(0, 1, 2, 3), weights=None):
    """Scores of 8 test videos (frames 60-89 anomalous in each): ``good`` separates the
    classes moderately on every video; ``odd`` perfectly on ``odd_videos`` and inverted on
    the others; ``noise`` is noise."""
    rng = np.random.default_rng(seed)
    frames, labels, raw = [], [], []
    for v in range(N_VIDEOS):
        y = np.zeros(N_FRAMES, dtype=np.int64)
        y[60:90] = 1
        sign = 1.0 if v in odd_videos else -1.0
        raw.append(dict(good=y * 0.8 + rng.normal(size=N_FRAMES),
                        odd=sign * y + 0.01 * rng.normal(size=N_FRAMES),
                        noise=rng.normal(size=N_FRAMES)))
        frames.append(np.arange(8, 8 + N_FRAMES))
        labels.append(y)
    settings = dict(score_weights=weights or dict(good=1.0),
                    normalizer=dict(type='MinMaxNormalizer'), normalizers={})
    return FrameScores(list(range(N_VIDEOS)), [f'{v:02d}' for v in range(N_VIDEOS)], frames,
                       labels, raw, ['good', 'odd', 'noise'], settings, [128] * N_VIDEOS)


def micro(run, positions, name):
    return run.select(positions).evaluate({name: 1.0}).metrics['micro_auroc']


def test_rank_auroc_is_the_roc_auc_with_ties():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    scores = np.round(rng.normal(size=(5, 300)) + y, 1)     # many ties
    expected = [roc_auc_score(y, s) for s in scores]
    assert np.allclose(rank_auroc(scores, y), expected, rtol=0, atol=1e-12)


def test_a_setting_good_everywhere_is_chosen_and_keeps_its_figure():
    run = synthetic_run()
    table = build_setting_table({'run': run}, [['good'], ['noise']],
                                {'minmax': dict(type='MinMaxNormalizer')}, [0.0], [1.0])
    report = select_on_heldout_videos(table, splits=5, seed=0)
    assert len(report.rows) == 10                           # 5 splits, both ways
    assert all(table.settings[r.chosen].weights == (('good', 1.0),) for r in report.rows)
    for r in report.rows:
        assert sorted(r.select + r.report) == list(range(N_VIDEOS))
        assert r.heldout_auroc == pytest.approx(micro(run, r.report, 'good'), abs=1e-12)
        assert r.select_auroc == pytest.approx(micro(run, r.select, 'good'), abs=1e-12)
    assert report.fixed_auroc == pytest.approx(run.evaluate().metrics['micro_auroc'])
    assert report.paper_auroc == pytest.approx(report.fixed_auroc)     # good wins on all


def test_a_setting_good_on_half_the_videos_is_not_rewarded_held_out():
    run = synthetic_run()
    table = build_setting_table({'run': run}, [['good'], ['odd']],
                                {'minmax': dict(type='MinMaxNormalizer')}, [0.0], [1.0])
    report = select_on_heldout_videos(table, splits=5, seed=0)
    names = [table.settings[r.chosen].weights[0][0] for r in report.rows]
    assert 'odd' in names and 'good' in names               # the split decides
    for r, name in zip(report.rows, names):
        assert r.select_auroc == pytest.approx(max(micro(run, r.select, 'good'),
                                                   micro(run, r.select, 'odd')), abs=1e-12)
        assert r.heldout_auroc == pytest.approx(micro(run, r.report, name), abs=1e-12)
        if name == 'odd':                                   # chosen where it shone
            assert r.select_auroc > 0.74 and r.heldout_auroc < 0.35
            assert r.heldout_auroc < r.fixed_heldout_auroc
    good_heldout = np.mean([micro(run, r.report, 'good') for r in report.rows])
    assert report.mean('heldout_auroc') < good_heldout - 0.05
    assert report.mean('heldout_auroc') < report.mean('select_auroc') - 0.05
    # on all videos pooled the overfitted score is at chance: the paper protocol keeps good
    assert table.settings[report.paper_setting].weights == (('good', 1.0),)


def test_alphas_normalizers_smoothing_and_runs_form_the_grid():
    a, b = synthetic_run(seed=0), synthetic_run(seed=1)
    grid = [0.0, 0.5, 1.0]
    table = build_setting_table({'a': a, 'b': b}, [['good', 'odd', 'noise']],
                                {'saved': None, 'robust': dict(type='RobustNormalizer')},
                                [0.0, 2.0], grid)
    per_block = 19                                          # 3^3 - 1 points, 19 up to scale
    assert len(table.settings) == 2 * 2 * 2 * per_block
    assert {s.run for s in table.settings} == {'a', 'b'}
    assert {s.smooth for s in table.settings} == {0.0, 2.0}
    # the paper protocol over one block is search_alphas' best (same grid, same fusion)
    block = build_setting_table({'a': a}, [['good', 'odd', 'noise']], {'saved': None}, [0.0],
                                grid)
    report = select_on_heldout_videos(block, splits=1, seed=3)
    ev = a.evaluate(dict(good=1.0, odd=1.0, noise=1.0), score_names=[])
    best = grid_search(ev.normalized, a.labels, ['good', 'odd', 'noise'], grid)[0]
    assert report.paper_auroc == pytest.approx(best.auroc, abs=1e-12)
    assert dict(block.settings[report.paper_setting].weights) == best.weights
    # one setting of the table, scored independently
    k = next(i for i, s in enumerate(table.settings) if s.run == 'b' and s.smooth == 2.0
             and s.normalizer == 'robust' and dict(s.weights) == dict(good=1.0, odd=0.5,
                                                                   noise=0.0))
    smooth = dict(type='Chain', steps=[dict(type='RobustNormalizer'),
                                       dict(type='GaussianSmoothing', sigma=2.0)])
    expected = b.evaluate(dict(good=1.0, odd=0.5, noise=0.0), smooth, {}).combined
    assert np.allclose(table.fused[k], np.concatenate(expected), rtol=0, atol=1e-12)


def test_deterministic_given_the_seed():
    run = synthetic_run()
    table = build_setting_table({'run': run}, [['good', 'odd', 'noise']], {'saved': None},
                                [0.0], [0.0, 0.5, 1.0])
    one = select_on_heldout_videos(table, splits=3, seed=7)
    two = select_on_heldout_videos(table, splits=3, seed=7)
    other = select_on_heldout_videos(table, splits=3, seed=8)
    key = lambda rep: [(r.select, r.chosen, r.heldout_auroc) for r in rep.rows]  # noqa: E731
    assert key(one) == key(two)
    assert key(one) != key(other)


def test_mismatched_runs_and_unknown_scores_are_refused():
    run = synthetic_run()
    other = synthetic_run()
    other.labels[2] = other.labels[2].copy()
    other.labels[2][0] = 1
    with pytest.raises(SelectionError, match='video 02: b scored other frames or has other'):
        build_setting_table({'a': run, 'b': other}, [['good']], {'saved': None}, [0.0], [1.0])
    with pytest.raises(SelectionError, match=r"no score\(s\) \['vcr'\]"):
        build_setting_table({'a': run}, [['vcr']], {'saved': None}, [0.0], [1.0])
    with pytest.raises(SelectionError, match='sigmas must be >= 0'):
        build_setting_table({'a': run}, [['good']], {'saved': None}, [-1.0], [1.0])
    table = build_setting_table({'a': run}, [['good']], {'saved': None}, [0.0], [1.0])
    with pytest.raises(SelectionError, match='at least 1'):
        select_on_heldout_videos(table, splits=0)


def test_choosing_on_pseudo_anomalies_reports_the_choice_on_the_test_videos():
    """The pseudo-anomalies decide alone: a setting perfect there is chosen even where the
    test labels prefer another, and its test figure is its own, not the best."""
    grid = ([['good'], ['odd'], ['noise']], {'minmax': dict(type='MinMaxNormalizer')},
            [0.0], [1.0])
    test = build_setting_table({'run': synthetic_run()}, *grid)
    pseudo = build_setting_table(
        {'run': synthetic_run(seed=1, odd_videos=range(N_VIDEOS))}, *grid)
    sel = select_on_pseudo_anomalies(pseudo, test)
    assert test.settings[sel.chosen].weights == (('odd', 1.0),)
    assert sel.chosen_pseudo_auroc == pytest.approx(1.0)
    run = synthetic_run()
    assert sel.chosen_test_auroc == pytest.approx(micro(run, range(N_VIDEOS), 'odd'),
                                                  abs=1e-12)
    assert sel.fixed_test_auroc == pytest.approx(run.evaluate().metrics['micro_auroc'])
    assert sel.test_auroc[sel.chosen] < sel.test_auroc.max()      # not the test's best
    assert -1.0 <= sel.agreement <= 1.0
    # pseudo-anomalies that rank the settings as the test does agree fully
    same = select_on_pseudo_anomalies(
        build_setting_table({'run': synthetic_run(seed=2)}, *grid), test)
    assert test.settings[same.chosen].weights == (('good', 1.0),)
    assert same.agreement == pytest.approx(1.0)


def test_pseudo_anomaly_runs_must_give_the_same_settings():
    norm = {'minmax': dict(type='MinMaxNormalizer')}
    test = build_setting_table({'run': synthetic_run()}, [['good'], ['odd']], norm, [0.0],
                               [1.0])
    pseudo = build_setting_table({'other': synthetic_run(seed=1)}, [['good'], ['odd']], norm,
                                 [0.0], [1.0])
    with pytest.raises(SelectionError, match='same order'):
        select_on_pseudo_anomalies(pseudo, test)
