"""The scoring protocol: error maps, temporal smoothing, normalizer chains, statistics from
normal data, mixed (reference-style) normalizers, micro/macro AUROC with single-class
videos, and the ablation configs. Values are checked against hand computations or
independent implementations (numpy, scipy, scikit-learn) written here."""
import glob
import json
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from scipy.ndimage import gaussian_filter1d
from sklearn.metrics import roc_auc_score

from vadkit.evaluation import FrameScores
from vadkit.evaluation import functional as VF  # noqa: N812
from vadkit.evaluation.normalizers import build_score_normalizers
from vadkit.models.measures import functional as MF  # noqa: N812
from vadkit.registry import ERROR_MEASURES, METRICS, MODELS, SCORE_NORMALIZERS
from vadkit.utils import register_all_modules

register_all_modules()

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def np_gauss2d(sigma=1.0, k=5):
    r = k // 2
    ax = np.arange(-r, r + 1)
    g = np.exp(-(ax[:, None]**2 + ax[None, :]**2) / (2 * sigma**2))
    return g / g.sum()


def one_pixel(y, x, value=2.0, h=6, w=6):
    target = torch.zeros(1, 1, h, w, dtype=torch.float64)
    pred = target.clone()
    pred[0, 0, y, x] = value
    return pred, target


# ---------------------------------------------------------------------------------------
# Error maps
# ---------------------------------------------------------------------------------------
def test_mse_map_by_hand():
    pred, target = one_pixel(2, 3, 2.0)
    m = ERROR_MEASURES.build(dict(type='MSE')).error_map(pred, target)
    expected = np.zeros((6, 6))
    expected[2, 3] = 4.0
    np.testing.assert_array_equal(m[0, 0].numpy(), expected)
    assert m.mean().item() == MF.mse(pred, target).item()


def test_pse_map_by_hand_interior_pixel():
    # an impulse 3+ pixels from the border (no reflection reaches it): value * G around it
    pred, target = one_pixel(4, 5, 2.0, h=9, w=10)
    m = ERROR_MEASURES.build(dict(type='PSE', sigma=1.0, kernel_size=5)).error_map(
        pred, target)[0, 0].numpy()
    expected = np.zeros((9, 10))
    expected[2:7, 3:8] = (2.0 * np_gauss2d())**2
    np.testing.assert_allclose(m, expected, rtol=1e-12, atol=1e-15)
    assert m.mean() == pytest.approx(MF.pse(pred, target).item(), rel=1e-12)


def test_bpe_map_is_the_subsampled_pse_map_and_sums_to_bpe():
    torch.manual_seed(0)
    pred = torch.randn(2, 1, 9, 8, dtype=torch.float64)
    target = torch.zeros_like(pred)
    bpe = ERROR_MEASURES.build(dict(type='BPE', sigma=1.0, kernel_size=5, stride=2))
    pse = ERROR_MEASURES.build(dict(type='PSE', sigma=1.0, kernel_size=5))
    bmap = bpe.error_map(pred, target)
    assert bmap.shape == (2, 1, 5, 4)  # ceil(9 / 2) x ceil(8 / 2)
    torch.testing.assert_close(bmap, pse.error_map(pred, target)[..., ::2, ::2])
    # Eq. 11: the sum of the subsampled map over C H W of the *full* frame
    torch.testing.assert_close(bmap.flatten(1).sum(1) / (1 * 9 * 8), bpe(pred, target))
    bmap3 = ERROR_MEASURES.build(dict(type='BPE', stride=3)).error_map(pred, target)
    assert bmap3.shape == (2, 1, 3, 3)


def test_bpe_map_one_pixel_by_hand():
    # impulse 2 at (4, 4) of 10x10: blurred = 2 G over rows/cols 2..6; stride 2 keeps
    # rows/cols 0, 2, 4, 6, 8, i.e. G's rows/cols 0, 2, 4 at map positions 1, 2, 3
    pred, target = one_pixel(4, 4, 2.0, h=10, w=10)
    m = ERROR_MEASURES.build(dict(type='BPE')).error_map(pred, target)[0, 0].numpy()
    g = 2.0 * np_gauss2d()
    expected = np.zeros((5, 5))
    expected[1:4, 1:4] = g[::2, ::2]**2
    np.testing.assert_allclose(m, expected, rtol=1e-12, atol=1e-15)


def test_error_map_of_clips_and_psnr():
    torch.manual_seed(1)
    pred = torch.rand(2, 1, 3, 8, 8, dtype=torch.float64)
    target = torch.rand_like(pred)
    for cfg in (dict(type='MSE'), dict(type='PSE'), dict(type='BPE'), dict(type='NegativePSNR')):
        m = ERROR_MEASURES.build(cfg)
        clip_maps = m.error_map(pred, target)
        assert clip_maps.shape[:3] == (2, 1, 3)
        for t in range(3):
            torch.testing.assert_close(clip_maps[:, :, t],
                                       m.error_map(pred[:, :, t], target[:, :, t]))
    # PSNR's map is the squared error (PSNR is a function of its mean)
    torch.testing.assert_close(
        ERROR_MEASURES.build(dict(type='NegativePSNR')).error_map(pred[:, :, 0],
                                                                 target[:, :, 0]),
        (pred[:, :, 0] - target[:, :, 0])**2)


# ---------------------------------------------------------------------------------------
# Temporal smoothing and chains
# ---------------------------------------------------------------------------------------
def test_gaussian_smooth_matches_scipy_and_hand_values():
    rng = np.random.default_rng(0)
    s = rng.normal(size=50)
    for sigma in (0.5, 1.0, 3.0):
        np.testing.assert_allclose(VF.gaussian_smooth(s, sigma),
                                   gaussian_filter1d(s, sigma, mode='nearest', truncate=4.0),
                                   rtol=1e-12, atol=1e-12)
    # impulse response = the unit-sum kernel; sigma 1, radius 4
    impulse = np.zeros(21)
    impulse[10] = 1.0
    k = np.exp(-0.5 * np.arange(-4, 5)**2)
    k /= k.sum()
    np.testing.assert_allclose(VF.gaussian_smooth(impulse, 1.0)[6:15], k, rtol=1e-12)
    assert VF.gaussian_smooth(impulse, 1.0).sum() == pytest.approx(1.0)
    np.testing.assert_allclose(VF.gaussian_smooth(np.full(5, 2.5), 3.0), np.full(5, 2.5))
    np.testing.assert_array_equal(VF.gaussian_smooth(s, 0), s)
    # a video shorter than the kernel: edge values repeat
    assert VF.gaussian_smooth(np.array([1.0, 3.0]), 5.0).shape == (2, )
    with pytest.raises(ValueError):
        VF.gaussian_smooth(s, -1)


def test_smoothing_and_chain_normalizers():
    rng = np.random.default_rng(1)
    s = rng.gamma(2.0, size=40)
    smooth = SCORE_NORMALIZERS.build(dict(type='GaussianSmoothing', sigma=2))
    np.testing.assert_allclose(smooth(s), gaussian_filter1d(s, 2, mode='nearest'), rtol=1e-12)
    chain = SCORE_NORMALIZERS.build(dict(type='Chain', steps=[
        dict(type='RobustNormalizer'), dict(type='GaussianSmoothing', sigma=2)]))
    np.testing.assert_allclose(chain(s), gaussian_filter1d(VF.robust(s), 2, mode='nearest'),
                               rtol=1e-12)
    # order matters: min-max after smoothing spans exactly [0, 1], before it does not
    after = SCORE_NORMALIZERS.build(dict(type='Chain', steps=[
        dict(type='GaussianSmoothing', sigma=2), dict(type='MinMaxNormalizer')]))(s)
    before = SCORE_NORMALIZERS.build(dict(type='Chain', steps=[
        dict(type='MinMaxNormalizer'), dict(type='GaussianSmoothing', sigma=2)]))(s)
    assert after.min() == 0.0 and after.max() == 1.0
    assert before.max() < 1.0
    assert 'RobustNormalizer' in repr(chain) and 'GaussianSmoothing' in repr(chain)
    with pytest.raises(ValueError):
        SCORE_NORMALIZERS.build(dict(type='Chain', steps=[]))


def test_chain_fit_passes_transformed_scores_to_later_steps():
    normal = np.array([1.0, 2.0, 3.0, 6.0])
    chain = SCORE_NORMALIZERS.build(dict(type='Chain', steps=[
        dict(type='GaussianSmoothing', sigma=1), dict(type='ZScoreNormalizer')]))
    chain.fit(normal)
    sm = gaussian_filter1d(normal, 1, mode='nearest')
    z = chain.steps[1]
    assert z.mean == pytest.approx(sm.mean()) and z.std == pytest.approx(sm.std())


# ---------------------------------------------------------------------------------------
# Z-score from normal statistics
# ---------------------------------------------------------------------------------------
def test_zscore_from_stats_file(tmp_path):
    stats = dict(scores=dict(vcr=dict(mean=2.0, std=4.0), ffp=dict(mean=-1.0, std=0.5)))
    path = tmp_path / 'normal_stats.json'
    path.write_text(json.dumps(stats))
    s = np.array([2.0, 6.0, 10.0])
    z = SCORE_NORMALIZERS.build(dict(type='ZScoreNormalizer', stats_file=str(path), key='vcr'))
    np.testing.assert_allclose(z(s), [0.0, 1.0, 2.0])
    # the builder fills in the score name as the key, also inside a chain
    built = build_score_normalizers(
        ['vcr', 'ffp'], dict(type='ZScoreNormalizer', stats_file=str(path)),
        dict(ffp=dict(type='Chain', steps=[dict(type='ZScoreNormalizer',
                                                 stats_file=str(path))])))
    np.testing.assert_allclose(built['vcr'](s), [0.0, 1.0, 2.0])
    np.testing.assert_allclose(built['ffp'](np.array([-1.0, 0.0])), [0.0, 2.0])
    with pytest.raises(KeyError, match='prp'):
        SCORE_NORMALIZERS.build(dict(type='ZScoreNormalizer', stats_file=str(path), key='prp'))
    with pytest.raises(ValueError, match='key'):
        SCORE_NORMALIZERS.build(dict(type='ZScoreNormalizer', stats_file=str(path)))
    with pytest.raises(ValueError, match='not both'):
        SCORE_NORMALIZERS.build(dict(type='ZScoreNormalizer', mean=1.0, stats_file=str(path),
                                     key='vcr'))
    with pytest.raises(FileNotFoundError, match='fit_normal_stats'):
        SCORE_NORMALIZERS.build(dict(type='ZScoreNormalizer', stats_file=str(tmp_path / 'x'),
                                     key='vcr'))


# ---------------------------------------------------------------------------------------
# The metric: micro/macro AUROC, single-class videos, mixed normalizers
# ---------------------------------------------------------------------------------------
def make_records(lengths=(40, 35, 30, 25), window=6, seed=0, single_class=True):
    """Window records of 4 videos: two with both classes, one all normal, one all
    anomalous (if ``single_class``); the first ``window - 1`` frames are unscored."""
    rng = np.random.default_rng(seed)
    records, labels = [], []
    for v, n in enumerate(lengths):
        y = np.zeros(n, np.int64)
        if v in (0, 1) or not single_class:
            y[n // 3:2 * n // 3] = 1
        if v == 3 and single_class:
            y[:] = 1
        labels.append(y)
        for f in range(window - 1, n):
            records.append((v, f, int(y[f]), dict(
                vcr=float(np.float32(rng.normal() + y[f] + 0.5 * v)),
                ffp=float(np.float32(rng.gamma(2.0) + 2 * y[f])),
                prp=float(np.float32(1 / (1 + np.exp(-rng.normal() - 2 * y[f])))))))
    return records, labels


def run_metric(records, lengths=(40, 35, 30, 25), out_dir=None, **kwargs):
    cfg = dict(type='FrameAUROCMetric', score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0))
    cfg.update(kwargs)
    metric = METRICS.build(dict(cfg, output_dir=out_dir))
    metric.dataset_meta = dict(video_names=['v0', 'v1', 'v2', 'v3'], num_frames=list(lengths))
    return metric.compute_metrics(list(records))


def by_video(records, key):
    out = {}
    for v, f, y, s in records:
        out.setdefault(v, []).append((f, y, s[key] if key != 'label' else y))
    return [np.array([e[2] for e in sorted(out[v])]) for v in sorted(out)]


def test_metric_reference_style_mixed_normalizers_by_hand():
    records, _ = make_records()
    m = run_metric(records, normalizer=dict(type='RobustNormalizer'),
                   normalizers=dict(prp=dict(type='MinMaxNormalizer')))
    vcr, ffp, prp = (by_video(records, k) for k in ('vcr', 'ffp', 'prp'))
    labels = by_video(records, 'label')
    fused = [0.1 * VF.robust(a) + 0.8 * VF.robust(b) + 1.0 * VF.min_max(c)
             for a, b, c in zip(vcr, ffp, prp)]
    expected = roc_auc_score(np.concatenate(labels), np.concatenate(fused))
    assert m['micro_auroc'] == pytest.approx(expected, abs=1e-12)
    assert m['prp_micro_auroc'] == pytest.approx(
        roc_auc_score(np.concatenate(labels), np.concatenate([VF.min_max(c) for c in prp])),
        abs=1e-12)
    # all robust differs from the mixed setting
    m_robust = run_metric(records, normalizer=dict(type='RobustNormalizer'))
    assert m_robust['micro_auroc'] != m['micro_auroc']


def test_metric_macro_excludes_single_class_videos(tmp_path):
    records, labels = make_records()
    m = run_metric(records, out_dir=str(tmp_path))
    vcr, ffp, prp = (by_video(records, k) for k in ('vcr', 'ffp', 'prp'))
    y = by_video(records, 'label')
    fused = [0.1 * VF.min_max(a) + 0.8 * VF.min_max(b) + VF.min_max(c)
             for a, b, c in zip(vcr, ffp, prp)]
    # micro pools every scored frame, single-class videos included
    assert m['micro_auroc'] == pytest.approx(
        roc_auc_score(np.concatenate(y), np.concatenate(fused)), abs=1e-12)
    # macro averages only videos 0 and 1
    per = [roc_auc_score(y[i], fused[i]) for i in (0, 1)]
    assert m['macro_auroc'] == pytest.approx(np.mean(per), abs=1e-12)
    assert m['macro_videos'] == 2 and m['macro_excluded_videos'] == 2
    # unscored first frames are left out, not padded
    assert m['scored_frames'] == sum(n - 5 for n in (40, 35, 30, 25))
    rows = (tmp_path / 'per_video_auroc.csv').read_text().splitlines()
    assert rows[3].startswith('v2,25,0,,excluded from macro AUROC: all normal')
    assert rows[4].startswith('v3,20,20,,excluded from macro AUROC: all anomalous')
    assert float(rows[1].split(',')[3]) == pytest.approx(per[0], abs=1e-6)


def test_metric_logs_the_excluded_videos(monkeypatch):
    from vadkit.evaluation.metrics import frame_auroc_metric
    logged = []
    monkeypatch.setattr(frame_auroc_metric, 'print_log', lambda msg, **kw: logged.append(msg))
    records, _ = make_records()
    run_metric(records)
    out = '\n'.join(logged)
    assert 'excludes 2 single-class video(s)' in out
    assert 'v2 (all normal)' in out and 'v3 (all anomalous)' in out
    assert '(20 frames unscored' in out


def test_metric_without_single_class_videos_reports_none_excluded():
    records, _ = make_records(single_class=False)
    m = run_metric(records)
    assert m['macro_excluded_videos'] == 0 and m['macro_videos'] == 4
    assert not math.isnan(m['macro_auroc'])


def test_metric_counts_a_repeated_window_once():
    records, _ = make_records()
    m1 = run_metric(records)
    m2 = run_metric(records + records[:7])  # a distributed sampler may repeat windows
    assert m1 == m2


def test_metric_unknown_weight_name():
    records, _ = make_records()
    with pytest.raises(KeyError, match='model produces'):
        run_metric(records, score_weights=dict(vcr=1.0, xyz=1.0))


def test_evaluate_frame_scores_single_score_and_callable_normalizer():
    records, _ = make_records()
    scores = FrameScores.from_records(records)
    ev = VF.evaluate_frame_scores(scores.raw, scores.labels, dict(ffp=1.0),
                                  SCORE_NORMALIZERS.build(dict(type='NoNormalizer')),
                                  score_names=['ffp'])
    raw = np.concatenate([r['ffp'] for r in scores.raw])
    assert ev.metrics['micro_auroc'] == pytest.approx(
        roc_auc_score(np.concatenate(scores.labels), raw), abs=1e-12)
    assert ev.metrics['micro_auroc'] == ev.metrics['ffp_micro_auroc']
    assert ev.excluded == [2, 3] and ev.excluded_reasons == ['all normal', 'all anomalous']
    with pytest.raises(KeyError):
        VF.evaluate_frame_scores(scores.raw, scores.labels, dict(nope=1.0), lambda s: s)
    with pytest.raises(ValueError):
        VF.evaluate_frame_scores(scores.raw, scores.labels, {}, lambda s: s)


# ---------------------------------------------------------------------------------------
# Ablation configs
# ---------------------------------------------------------------------------------------
ABLATIONS = sorted(glob.glob(osp.join(REPO, 'configs', 'ablations', '*.py')))


def test_ablation_configs_exist():
    names = [osp.basename(p) for p in ABLATIONS]
    for ds in ('avenue', 'shanghaitech', 'ped2'):
        for variant in ('vcr', 'vcr-ffp', 'vcr-prp', 'luss-ae-test-vcr', 'luss-ae-measures',
                        'luss-ae-minmax', 'luss-ae-refscaling'):
            assert f'{variant}_3dcae_16x256x256_60e_{ds}.py' in names


@pytest.mark.parametrize('path', ABLATIONS, ids=[osp.basename(p) for p in ABLATIONS])
def test_ablation_config_loads_and_builds(path):
    # inheritance depth is checked for every config in tests/test_configs.py
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    names = [h.name for h in model.tasks]
    weights = cfg.test_evaluator.score_weights
    assert set(weights) <= set(model.task_names)
    base = osp.basename(path)
    variant = base.split('_')[0]
    expected = dict(vcr=['vcr'], **{'vcr-ffp': ['vcr', 'ffp'], 'vcr-prp': ['vcr', 'prp']})
    assert names == expected.get(variant, ['vcr', 'ffp', 'prp'])
    if variant == 'luss-ae-test-vcr':
        assert dict(weights) == dict(vcr=1.0)
    if variant == 'luss-ae-minmax':
        assert cfg.test_evaluator.normalizer.type == 'MinMaxNormalizer'
    if variant == 'luss-ae-refscaling':
        assert cfg.test_evaluator.normalizer.type == 'RobustNormalizer'
        assert cfg.test_evaluator.normalizers.prp.type == 'MinMaxNormalizer'
    if variant == 'luss-ae-measures':
        x = torch.zeros(1, 1, model.clip_len + 1, 32, 32)
        with torch.no_grad():
            assert set(model.predict_scores(x)) == {
                'vcr', 'ffp', 'prp', 'vcr.mse', 'vcr.pse', 'vcr.bpe', 'ffp.mse', 'ffp.pse',
                'ffp.bpe'}


@pytest.mark.parametrize('variant', ['vcr', 'vcr-ffp'])
def test_ablation_train_pipeline_without_prp_clip_trains(tmp_path, variant):
    """The VCR and VCR+FFP configs drop the PRP clip; their samples still train."""
    from mmengine.dataset import default_collate

    from vadkit.registry import DATASETS
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'ablations',
                                   f'{variant}_3dcae_16x256x256_60e_ped2.py'))
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.update(layout=dict(type='SyntheticLayout', root=str(tmp_path / 'syn'), num_train=1,
                              num_test=1, num_frames=12, size=32),
                  window_length=9, decode_pipeline=[dict(type='Grayscale')], cache_dir=None)
    dataset = DATASETS.build(ds_cfg)
    batch = default_collate([dataset[0], dataset[1]])
    assert set(batch['inputs']) == {'window'}
    model_cfg = cfg.model
    model_cfg.update(clip_len=8, backbone=dict(widths=(4, 8, 8, 8)))
    model = MODELS.build(model_cfg)
    data = model.data_preprocessor(batch, True)
    losses = model(**data, mode='loss')
    assert set(losses) == {f'loss_{n}' for n in variant.split('-')}
    assert all(torch.isfinite(v) for v in losses.values())


def test_normal_stats_helpers(tmp_path):
    from vadkit.evaluation.normalizers import (
        compute_normal_stats,
        load_normal_stats,
        save_normal_stats,
    )
    stats = compute_normal_stats(dict(vcr=np.array([1.0, 2.0, 3.0, 6.0])))
    assert stats['vcr']['mean'] == 3.0 and stats['vcr']['std'] == pytest.approx(np.std(
        [1, 2, 3, 6]))
    path = str(tmp_path / 's.json')
    save_normal_stats(path, stats, split='train')
    assert load_normal_stats(path, 'vcr') == (3.0, stats['vcr']['std'])
    (tmp_path / 'bad.json').write_text('{"vcr": 1}')
    with pytest.raises(ValueError, match='scores'):
        load_normal_stats(str(tmp_path / 'bad.json'))
