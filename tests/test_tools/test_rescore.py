"""Re-scoring saved frame scores: a real test run (tools/test.py on a random-weight model and
tiny synthetic videos) re-scored with the same settings reproduces its metrics exactly;
other settings, the alpha search, and the normal statistics for z-scoring."""
import json
import os.path as osp
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from sklearn.metrics import roc_auc_score
from tool_modules import load_tool

from vadkit.evaluation import FrameScores
from vadkit.evaluation import functional as VF  # noqa: N812
from vadkit.evaluation.alpha_search import find_weights, grid_search, parse_grid, split_videos
from vadkit.evaluation.normalizers import after_averaging_config
from vadkit.registry import METRICS, MODELS
from vadkit.utils import register_all_modules
from vadkit.utils.scoring_options import parse_normalizer, parse_weights

register_all_modules()

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


rescore = load_tool('analysis/rescore')
search_alphas = load_tool('analysis/search_alphas')
fit_normal_stats = load_tool('analysis/fit_normal_stats')

CLIP_LEN, NUM_FRAMES = 8, 30


def tiny_config(tmp):
    """The demo config shrunk to 32 px synthetic videos, a tiny model with extra measures,
    robust rescaling but min-max for PRP (the reference code's mix)."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'demo',
                                   'luss-ae_3dcae-w8_8x64x64_synthetic.py'))
    layout = dict(type='SyntheticLayout', root=osp.join(tmp, 'syn'), num_train=3, num_test=2,
                  num_frames=NUM_FRAMES, size=32)
    measures = dict(mse=dict(type='MSE'), pse=dict(type='PSE'), bpe=dict(type='BPE'))
    cfg.model.update(clip_len=CLIP_LEN, backbone=dict(widths=(4, 8, 8, 8)))
    cfg.model.tasks = [
        dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6,
             measure=dict(type='BPE'), extra_measures=measures),
        dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4,
             measure=dict(type='BPE'), extra_measures=measures),
        dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
    ]
    for key in ('train_dataloader', 'test_dataloader'):
        cfg[key].batch_size = 16
        cfg[key].dataset.update(layout=layout, window_length=CLIP_LEN + 1, cache_dir=None)
    cfg.test_evaluator = dict(type='FrameAUROCMetric',
                              score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0),
                              normalizer=dict(type='RobustNormalizer'),
                              normalizers=dict(prp=dict(type='MinMaxNormalizer')))
    path = osp.join(tmp, 'tiny_config.py')
    cfg.dump(path)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    ckpt = osp.join(tmp, 'random.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    return path, ckpt


@pytest.fixture(scope='module')
def test_run(tmp_path_factory):
    """tools/test.py on the tiny config: (config, checkpoint, out dir, metrics)."""
    tmp = str(tmp_path_factory.mktemp('run'))
    config, ckpt = tiny_config(tmp)
    out_dir = osp.join(tmp, 'test')
    test_tool = load_tool('test')
    argv = sys.argv
    sys.argv = ['test.py', config, ckpt, '--work-dir', osp.join(tmp, 'work'),
                '--out-dir', out_dir]
    try:
        test_tool.main()
    finally:
        sys.argv = argv
    with open(osp.join(out_dir, 'metrics.json')) as f:
        metrics = json.load(f)
    return config, ckpt, out_dir, metrics


# ---------------------------------------------------------------------------------------
# Exact reproduction of a real run
# ---------------------------------------------------------------------------------------
def test_rescore_reproduces_the_test_run_exactly(test_run, capsys):
    _, _, out_dir, metrics = test_run
    npz = osp.join(out_dir, 'frame_scores.npz')
    assert metrics['scored_frames'] == 2 * (NUM_FRAMES - CLIP_LEN)
    got = rescore.main([npz])['metrics']
    assert got == metrics  # every value, bit for bit
    assert 'reproduced exactly' in capsys.readouterr().out
    # the same settings spelled out on the command line
    explicit = rescore.main([npz, '--weights', 'vcr=0.1', 'ffp=0.8', 'prp=1',
                             '--normalizer', 'RobustNormalizer', '--normalizer-for',
                             'prp=MinMaxNormalizer'])['metrics']
    assert explicit == metrics


def test_saved_arrays_match_the_shared_computation(test_run):
    _, _, out_dir, _ = test_run
    scores = FrameScores.load(out_dir)
    assert scores.settings['score_weights'] == dict(vcr=0.1, ffp=0.8, prp=1.0)
    assert sorted(scores.score_names) == ['ffp', 'ffp.bpe', 'ffp.mse', 'ffp.pse', 'prp', 'vcr',
                                          'vcr.bpe', 'vcr.mse', 'vcr.pse']
    assert [f[0] for f in scores.frames] == [CLIP_LEN, CLIP_LEN]  # first T frames unscored
    assert scores.num_frames == [NUM_FRAMES, NUM_FRAMES]
    ev = scores.evaluate()
    with np.load(osp.join(out_dir, 'frame_scores.npz')) as z:
        np.testing.assert_array_equal(z['score'], np.concatenate(ev.combined))
        for n in scores.score_names:
            np.testing.assert_array_equal(z[f'normalized/{n}'],
                                          np.concatenate([v[n] for v in ev.normalized]))
        # the primary measure and its extra twin are the same BPE
        np.testing.assert_array_equal(z['raw/vcr'], z['raw/vcr.bpe'])
        # by hand: robust for vcr/ffp, min-max for prp, then the weighted sum
        first = z['video_idx'] == z['video_idx'][0]
        fused = (0.1 * VF.robust(z['raw/vcr'][first]) + 0.8 * VF.robust(z['raw/ffp'][first])
                 + 1.0 * VF.min_max(z['raw/prp'][first]))
        np.testing.assert_allclose(z['score'][first], fused, rtol=1e-12, atol=1e-12)


def test_one_measure_alone_and_table4_names(test_run, capsys):
    _, _, out_dir, metrics = test_run
    npz = osp.join(out_dir, 'frame_scores.npz')
    for name in ('vcr.mse', 'vcr.pse', 'ffp.bpe'):
        alone = rescore.main([npz, '--weights', f'{name}=1'])['metrics']
        assert alone['micro_auroc'] == metrics[f'{name}_micro_auroc']
    out = rescore.main([npz, '--score-names', 'vcr.mse', 'vcr.pse', 'vcr.bpe', 'ffp.mse',
                        'ffp.pse', 'ffp.bpe'])
    assert list(out['alone']) == ['vcr.mse', 'vcr.pse', 'vcr.bpe', 'ffp.mse', 'ffp.pse',
                                  'ffp.bpe']
    assert out['alone']['vcr.pse']['micro_auroc'] == metrics['vcr.pse_micro_auroc']
    assert 'each score alone' in capsys.readouterr().out


def test_rescore_other_settings_and_out_dir(test_run, tmp_path):
    _, _, out_dir, metrics = test_run
    npz = osp.join(out_dir, 'frame_scores.npz')
    scores = FrameScores.load(npz)
    y = np.concatenate(scores.labels)
    # all min-max (Table 5's other row)
    mm = rescore.main([npz, '--normalizer', 'MinMaxNormalizer'])['metrics']
    fused = np.concatenate([0.1 * VF.min_max(r['vcr']) + 0.8 * VF.min_max(r['ffp'])
                            + VF.min_max(r['prp']) for r in scores.raw])
    assert mm['micro_auroc'] == pytest.approx(roc_auc_score(y, fused), abs=1e-12)
    # smoothing appended to each score's own normalizer
    sm = rescore.main([npz, '--smooth', '2', '--out-dir', str(tmp_path / 'smooth')])['metrics']
    fused = np.concatenate([
        0.1 * VF.gaussian_smooth(VF.robust(r['vcr']), 2)
        + 0.8 * VF.gaussian_smooth(VF.robust(r['ffp']), 2)
        + VF.gaussian_smooth(VF.min_max(r['prp']), 2) for r in scores.raw])
    assert sm['micro_auroc'] == pytest.approx(roc_auc_score(y, fused), abs=1e-12)
    # the written re-scoring reproduces itself
    again = rescore.main([str(tmp_path / 'smooth' / 'frame_scores.npz')])['metrics']
    assert again == sm
    with pytest.raises(rescore.RescoreError, match=r"unknown score name\(s\) \['nope'\]"):
        rescore.main([npz, '--weights', 'nope=1'])


def test_fit_normal_stats_and_zscore(test_run, tmp_path):
    config, ckpt, out_dir, _ = test_run
    stats_file = str(tmp_path / 'normal_stats.json')
    stats = fit_normal_stats.main([config, ckpt, '--out', stats_file])
    windows = 3 * (NUM_FRAMES - CLIP_LEN)  # 3 training videos (2 test ones), stride 1
    assert stats['prp']['count'] == windows and set(stats) >= {'vcr', 'ffp', 'prp', 'vcr.pse'}
    with open(stats_file) as f:
        saved = json.load(f)
    assert saved['split'] == 'train' and saved['windows'] == windows
    npz = osp.join(out_dir, 'frame_scores.npz')
    z = rescore.main([npz, '--normalizer', 'ZScoreNormalizer', '--stats-file', stats_file])
    scores = FrameScores.load(npz)
    st = {n: (stats[n]['mean'], stats[n]['std']) for n in ('vcr', 'ffp', 'prp')}
    fused = np.concatenate([sum(w * (r[n] - st[n][0]) / st[n][1] for n, w in
                                dict(vcr=0.1, ffp=0.8, prp=1.0).items()) for r in scores.raw])
    assert z['metrics']['micro_auroc'] == pytest.approx(
        roc_auc_score(np.concatenate(scores.labels), fused), abs=1e-12)
    # the same through the metric's config: normalizers=dict(vcr=ZScore(stats_file, key))
    metric = METRICS.build(dict(
        type='FrameAUROCMetric', score_weights=dict(vcr=1.0),
        normalizers=dict(vcr=dict(type='ZScoreNormalizer', stats_file=stats_file,
                                  key='vcr'))))
    records = [(v, int(f), int(y), {n: r[n][i] for n in scores.score_names})
               for v, fr, lab, r in zip(scores.video_idx, scores.frames, scores.labels,
                                        scores.raw) for i, (f, y) in enumerate(zip(fr, lab))]
    m = metric.compute_metrics(records)
    expected = rescore.main([npz, '--weights', 'vcr=1', '--normalizer', 'ZScoreNormalizer',
                             '--stats-file', stats_file])['metrics']['micro_auroc']
    assert m['micro_auroc'] == expected


# ---------------------------------------------------------------------------------------
# Alpha search
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope='module')
def tiny_npz(tmp_path_factory):
    """Six videos (five with anomalies, one all normal), saved by the metric itself."""
    return make_npz(str(tmp_path_factory.mktemp('alphas')), seed=3)


def make_npz(out, seed):
    rng = np.random.default_rng(seed)
    records, lengths = [], [30, 28, 26, 30, 24, 22]
    for v, n in enumerate(lengths):
        y = np.zeros(n, np.int64)
        if v != 5:
            y[n // 2:n // 2 + 6] = 1
        for f in range(4, n):
            records.append((v, f, int(y[f]), dict(
                vcr=float(rng.normal() + 0.5 * y[f]), ffp=float(rng.normal() + 1.5 * y[f]),
                prp=float(rng.random() * (1 + y[f])))))
    metric = METRICS.build(dict(type='FrameAUROCMetric',
                                score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0),
                                normalizer=dict(type='RobustNormalizer'), output_dir=out))
    metric.dataset_meta = dict(video_names=[f'{i + 1:02d}' for i in range(6)],
                               num_frames=lengths)
    metrics = metric.compute_metrics(records)
    with open(osp.join(out, 'metrics.json'), 'w') as f:
        json.dump(metrics, f)
    return osp.join(out, 'frame_scores.npz'), metrics


def test_metric_npz_rescored_exactly(tiny_npz):
    npz, metrics = tiny_npz
    assert rescore.main([npz])['metrics'] == metrics


def test_parse_grid_and_weights():
    assert parse_grid('0,0.1,...,1') == [round(0.1 * i, 10) for i in range(11)]
    assert parse_grid('0,0.25,...,1') == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert parse_grid('1,0,0.5') == [0.0, 0.5, 1.0]
    for bad in ('0,...,1', '0,0.1,...', '-1,0,1', '0.5,0.4,...,1'):
        with pytest.raises(ValueError):
            parse_grid(bad)
    assert parse_weights(['vcr=0.1', 'ffp=0.8,prp=1']) == dict(vcr=0.1, ffp=0.8, prp=1.0)
    assert parse_weights(['vcr.pse=1']) == {'vcr.pse': 1.0}
    with pytest.raises(ValueError):
        parse_weights(['vcr'])
    assert parse_normalizer('RobustNormalizer') == dict(type='RobustNormalizer')
    assert parse_normalizer('RobustNormalizer(low=5, high=95)') == dict(
        type='RobustNormalizer', low=5, high=95)
    assert parse_normalizer('{"type": "Chain", "steps": [{"type": "MinMaxNormalizer"}]}') == \
        dict(type='Chain', steps=[dict(type='MinMaxNormalizer')])
    with pytest.raises(ValueError):
        parse_normalizer('Robust(')


def test_grid_search_dedupes_multiples_and_matches_rescore(tiny_npz):
    npz, _ = tiny_npz
    scores = FrameScores.load(npz)
    ev = scores.evaluate(dict(vcr=1.0, ffp=1.0))
    results = grid_search(ev.normalized, scores.labels, ['vcr', 'ffp'], [0.0, 0.5, 1.0])
    reps = sorted(tuple(r.weights.values()) for r in results)
    assert reps == [(0.0, 1.0), (0.5, 1.0), (1.0, 0.0), (1.0, 0.5), (1.0, 1.0)]
    assert sum(r.equivalents for r in results) == 8
    assert [r.auroc for r in results] == sorted((r.auroc for r in results), reverse=True)
    for r in results:  # the AUROC of a grid point is exactly what rescore reports
        assert r.auroc == scores.evaluate(r.weights).metrics['micro_auroc']
    found, rank = find_weights(results, dict(vcr=0.5, ffp=0.5))
    assert found.weights == dict(vcr=1.0, ffp=1.0) and results[rank] is found


def test_search_alphas_tool_labels_optimism_and_holds_out(tiny_npz, capsys):
    npz, _ = tiny_npz
    out = search_alphas.main([npz, '--grid', '0,0.5,1', '--top-k', '3'])
    text = capsys.readouterr().out
    assert 'chosen on the test labels: optimistic' in text.lower()
    best = out['optimistic_best']
    assert best['micro_auroc'] == rescore.main(
        [npz, '--weights'] + [f'{k}={v}' for k, v in best['weights'].items()])['metrics'][
            'micro_auroc']
    assert len(out['top']) == 3
    capsys.readouterr()
    scores = FrameScores.load(npz)
    out = search_alphas.main([npz, '--grid', '0,0.5,1', '--holdout-fraction', '0.5',
                              '--seed', '0', '--splits', '2'])
    text = capsys.readouterr().out
    assert 'HELD-OUT' in text and 'held-out micro AUROC' in text
    for split in out['holdout']['splits']:
        assert not set(split['choose']) & set(split['report'])
        assert sorted(split['choose'] + split['report']) == [f'{i + 1:02d}' for i in range(6)]
        # the held-out figure is the chosen weights' micro AUROC on the reported videos
        report = scores.select(scores.find_videos(split['report']))
        expected = report.evaluate(split['chosen_weights']).metrics['micro_auroc']
        assert split['heldout_auroc'] == pytest.approx(expected, abs=1e-9)


def test_split_videos_is_stratified_and_seeded():
    labels = [np.array([0, 1])] * 4 + [np.array([0, 0])] * 4
    a = split_videos(labels, 0.5, seed=1)
    assert a == split_videos(labels, 0.5, seed=1)
    choose, report = a
    assert sum(labels[i].any() for i in report) == 2 and len(report) == 4
    with pytest.raises(ValueError, match='lack'):
        split_videos([np.array([0, 1]), np.array([0, 0])], 0.5, seed=0)


# ---------------------------------------------------------------------------------------
# Ensembles of runs
# ---------------------------------------------------------------------------------------
def test_average_normalises_each_run_per_video_then_averages(tiny_npz, tmp_path):
    a = FrameScores.load(tiny_npz[0])
    b = FrameScores.load(make_npz(str(tmp_path), seed=4)[0])
    mm = dict(type='MinMaxNormalizer')
    avg = FrameScores.average([a, b], normalizer=mm, normalizers={})
    assert avg.score_names == a.score_names
    assert avg.settings['score_weights'] == a.settings['score_weights']
    assert avg.settings['member_normalizer'] == mm and avg.settings['normalizer'] == mm
    for i in range(len(a.video_names)):
        np.testing.assert_array_equal(avg.frames[i], a.frames[i])
        for n in a.score_names:
            expected = (VF.min_max(a.raw[i][n]) + VF.min_max(b.raw[i][n])) / 2
            np.testing.assert_allclose(avg.raw[i][n], expected, rtol=0, atol=1e-12)
    # one run twice: its min-max scores, so the same metrics as the run itself
    twice = FrameScores.average([a, a], normalizer=mm, normalizers={})
    assert twice.evaluate(normalizer=mm, normalizers={}).metrics == a.evaluate(
        normalizer=mm, normalizers={}).metrics


def test_average_transforms_and_smooths_each_run_once(tiny_npz, tmp_path):
    # members' scores go through the whole chain; their average only through its
    # rescaling (smoothing twice would widen the kernel, a log twice would distort)
    a = FrameScores.load(tiny_npz[0])
    b = FrameScores.load(make_npz(str(tmp_path), seed=4)[0])
    chain = dict(type='Chain', steps=[dict(type='MinMaxNormalizer'),
                                      dict(type='GaussianSmoothing', sigma=2)])
    log = dict(type='Chain', steps=[dict(type='LogTransform'), dict(type='MinMaxNormalizer')])
    avg = FrameScores.average([a, b], normalizer=chain, normalizers={'prp': log})
    assert avg.settings['normalizer'] == dict(type='MinMaxNormalizer')
    assert avg.settings['normalizers'] == {'prp': dict(type='MinMaxNormalizer')}
    assert avg.settings['member_normalizer'] == chain
    ev = avg.evaluate()
    weights = a.settings['score_weights']
    for i in range(len(a.video_names)):
        once = {n: VF.min_max(np.mean([VF.gaussian_smooth(VF.min_max(r.raw[i][n]), 2)
                                       for r in (a, b)], axis=0)) for n in weights}
        if 'prp' in weights:
            once['prp'] = VF.min_max(np.mean([VF.min_max(VF.log_transform(r.raw[i]['prp']))
                                              for r in (a, b)], axis=0))
        expected = sum(w * once[n] for n, w in weights.items())
        np.testing.assert_allclose(ev.combined[i], expected, rtol=0, atol=1e-12)


def test_after_averaging_keeps_only_the_rescalings():
    mm, rob = dict(type='MinMaxNormalizer'), dict(type='RobustNormalizer', low=5.0)
    smooth = dict(type='GaussianSmoothing', sigma=3)
    assert after_averaging_config(mm) == mm and after_averaging_config(rob) == rob
    assert after_averaging_config(dict(type='Chain', steps=[mm, smooth])) == mm
    assert after_averaging_config(dict(type='Chain', steps=[dict(type='LogOdds'), rob,
                                                            smooth, mm])) == dict(
        type='Chain', steps=[rob, mm])
    for cfg in (smooth, dict(type='ZScoreNormalizer', mean=1.0, std=2.0),
                dict(type='Chain', steps=[dict(type='LogTransform')])):
        assert after_averaging_config(cfg) == dict(type='NoNormalizer')
    with pytest.raises(KeyError, match='unknown normalizer type'):
        after_averaging_config(dict(type='MinMaxNormaliser'))


def test_average_rejects_runs_of_other_frames_or_labels(tiny_npz):
    a = FrameScores.load(tiny_npz[0])
    fewer = a.select(range(len(a.video_names) - 1))
    with pytest.raises(ValueError, match='one test set'):
        FrameScores.average([a, fewer])
    relabelled = FrameScores.load(tiny_npz[0])
    relabelled.labels[2] = 1 - relabelled.labels[2]
    with pytest.raises(ValueError, match='video 03: run 1 scored other frames or has other'):
        FrameScores.average([a, relabelled])
    with pytest.raises(KeyError, match='not in every run'):
        FrameScores.average([a, a], names=['vcr', 'nope'])


def test_rescore_several_files_is_an_ensemble(tiny_npz, tmp_path, capsys):
    other = make_npz(str(tmp_path), seed=4)[0]
    got = rescore.main([tiny_npz[0], other])['metrics']
    runs = [FrameScores.load(p) for p in (tiny_npz[0], other)]
    expected = FrameScores.average(runs).evaluate().metrics
    assert got == expected
    out = capsys.readouterr().out
    assert 'ensemble of 2 runs' in out and 'reproduced exactly' not in out
