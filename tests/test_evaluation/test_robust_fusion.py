"""Score fusions beside the weighted sum: known answers on small synthetic scores, the
metric and re-scoring with a fusion, and the default left bit for bit as it was."""
import json

import numpy as np
import pytest
from conftest import run_tool_in_process
from tool_modules import load_tool

from vadkit.evaluation import FrameScores
from vadkit.evaluation.functional import evaluate_frame_scores, weighted_sum
from vadkit.evaluation.fusions import (
    CappedWeightedSum,
    MedianFusion,
    RankFusion,
    StabilityWeightedSum,
    WeightedSum,
    build_score_fusion,
)
from vadkit.registry import METRICS
from vadkit.utils import register_all_modules

register_all_modules()
ALPHAS = dict(vcr=0.1, ffp=0.8, prp=1.0)


def load_rescore():
    return load_tool('analysis/rescore')


def noisy_prp_videos(seed: int = 0):
    """Four videos: VCR and FFP rise on the anomalous frames (label 1); PRP is noise with
    one spike on a normal frame of every video (and the largest alpha)."""
    rng = np.random.default_rng(seed)
    raw, labels = [], []
    for v in range(4):
        y = np.zeros(40, dtype=np.int64)
        y[15 + v:25 + v] = 1
        base = rng.normal(0, 0.01, (3, 40))
        prp = np.abs(rng.normal(0, 0.02, 40))
        prp[5 + v] = 1.0  # a spike on a normal frame
        raw.append(dict(vcr=1 + base[0] + 0.3 * y, ffp=1 + base[1] + 0.5 * y, prp=prp))
        labels.append(y)
    return raw, labels


def test_weighted_sum_is_the_default_bit_for_bit():
    raw, labels = noisy_prp_videos()
    norm = dict(type='MinMaxNormalizer')
    scores = FrameScores(list(range(4)), [f'{i:02d}' for i in range(4)],
                         [np.arange(8, 48) for _ in raw], labels, raw, list(raw[0]),
                         dict(score_weights=ALPHAS, normalizer=norm, normalizers={}))
    plain, explicit = scores.evaluate(), scores.evaluate(fusion=dict(type='WeightedSum'))
    assert plain.metrics == explicit.metrics
    for a, b in zip(plain.combined, explicit.combined):
        assert np.array_equal(a, b)
    video = {n: np.linspace(0, 1, 5) ** (i + 1) for i, n in enumerate(ALPHAS)}
    assert np.array_equal(WeightedSum()(video, ALPHAS), weighted_sum(video, ALPHAS))


def test_rank_fusion_known_answer():
    video = dict(a=np.array([0.0, 10.0, 5.0]), b=np.array([3.0, 1.0, 2.0]))
    np.testing.assert_allclose(RankFusion()(video, dict(a=1, b=1)), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(RankFusion()(video, dict(a=2, b=1)), [1.0, 2.0, 1.5])
    # ties share their mean rank; one frame has rank 0
    np.testing.assert_allclose(RankFusion()(dict(a=np.array([1.0, 1.0, 3.0])), dict(a=1)),
                               [0.25, 0.25, 1.0])
    np.testing.assert_array_equal(RankFusion()(dict(a=np.array([7.0])), dict(a=1)), [0.0])


def test_median_fusion_known_answer_ignores_zero_weights():
    video = dict(a=np.array([0.0, 1.0, 0.2]), b=np.array([1.0, 1.0, 0.4]),
                 c=np.array([0.5, 0.0, 0.9]), d=np.array([9.0, 9.0, 9.0]))
    got = MedianFusion()(video, dict(a=0.1, b=0.8, c=5.0, d=0.0))
    np.testing.assert_array_equal(got, [0.5, 1.0, 0.4])
    with pytest.raises(ValueError, match='positive weight'):
        MedianFusion()(video, dict(a=0.0))


def test_capped_weighted_sum_known_answer():
    video = dict(vcr=np.array([1.0, 0.0]), ffp=np.array([0.0, 1.0]), prp=np.array([1.0, 1.0]))
    # total 1.9, cap 0.76: FFP and PRP both weigh 0.76, VCR keeps 0.1
    np.testing.assert_allclose(CappedWeightedSum(0.4)(video, ALPHAS), [0.86, 1.52])
    np.testing.assert_array_equal(CappedWeightedSum(1.0)(video, ALPHAS),
                                  weighted_sum(video, ALPHAS))
    with pytest.raises(ValueError, match='max_share'):
        CappedWeightedSum(0.0)


def test_stability_weights_from_training_statistics(tmp_path):
    stats = tmp_path / 'normal_stats.json'
    table = dict(vcr=dict(mean=2.0, std=1.0), ffp=dict(mean=1.0, std=0.5),
                 prp=dict(mean=0.1, std=0.4))
    stats.write_text(json.dumps(dict(scores=table, split='train')))
    fusion = build_score_fusion(dict(type='StabilityWeightedSum', stats_file=str(stats)))
    # instability (std / |mean|) 0.5, 0.5, 4: alpha / instability = 0.2, 1.6, 0.25,
    # rescaled to the alphas' total 1.9
    scale = 1.9 / 2.05
    w = fusion.weights_for(ALPHAS)
    np.testing.assert_allclose([w['vcr'], w['ffp'], w['prp']],
                               [0.2 * scale, 1.6 * scale, 0.25 * scale])
    video = dict(vcr=np.array([1.0]), ffp=np.array([0.5]), prp=np.array([2.0]))
    np.testing.assert_allclose(fusion(video, ALPHAS), [(0.2 + 0.8 + 0.5) * scale])
    with pytest.raises(KeyError, match='no training statistics'):
        fusion.weights_for(dict(vcr=1, other=1))
    with pytest.raises(ValueError, match='stats_file'):
        StabilityWeightedSum()


def test_fusions_that_limit_a_noisy_score_beat_the_weighted_sum_here():
    raw, labels = noisy_prp_videos()
    norm = dict(type='MinMaxNormalizer')
    from vadkit.evaluation.normalizers import build_score_normalizers
    built = build_score_normalizers(list(ALPHAS), norm)
    auroc = {name: evaluate_frame_scores(raw, labels, ALPHAS, built, [],
                                         fusion=build_score_fusion(cfg)).metrics['micro_auroc']
             for name, cfg in dict(sum=None, median=dict(type='MedianFusion'),
                                   capped=dict(type='CappedWeightedSum')).items()}
    assert auroc['median'] == 1.0  # two of three scores separate the frames perfectly
    assert auroc['sum'] < auroc['capped'] <= auroc['median']


def test_metric_saves_its_fusion_and_rescoring_reproduces_it(tmp_path, capsys):
    raw, labels = noisy_prp_videos()
    metric = METRICS.build(dict(type='FrameAUROCMetric', score_weights=ALPHAS,
                                fusion=dict(type='MedianFusion'),
                                output_dir=str(tmp_path / 'run')))
    records = [(v, 8 + f, int(labels[v][f]), {n: float(raw[v][n][f]) for n in ALPHAS})
               for v in range(4) for f in range(40)]
    metrics = metric.compute_metrics(records)
    assert metric.settings['fusion'] == dict(type='MedianFusion')
    saved = FrameScores.load(str(tmp_path / 'run'))
    assert saved.settings['fusion'] == dict(type='MedianFusion')
    rescore = load_rescore()
    npz = str(tmp_path / 'run' / 'frame_scores.npz')
    assert rescore.main([npz])['metrics']['micro_auroc'] == metrics['micro_auroc'] == 1.0
    summed = rescore.main([npz, '--fusion', 'WeightedSum'])['metrics']['micro_auroc']
    assert summed < 1.0
    capped = rescore.main([npz, '--fusion', 'CappedWeightedSum(max_share=0.4)'])
    assert 'fusion: ' in capsys.readouterr().out
    assert capped['metrics']['micro_auroc'] > summed
    with pytest.raises(KeyError, match='score fusion'):
        METRICS.build(dict(type='FrameAUROCMetric', score_weights=ALPHAS,
                           fusion=dict(type='NoSuchFusion')))


def test_rescore_cli_refuses_an_unknown_fusion_in_one_line(tmp_path):
    raw, labels = noisy_prp_videos()
    scores = FrameScores(list(range(4)), [f'{i:02d}' for i in range(4)],
                         [np.arange(8, 48) for _ in raw], labels, raw, list(ALPHAS),
                         dict(score_weights=ALPHAS, normalizer=dict(type='MinMaxNormalizer'),
                              normalizers={}))
    out = tmp_path / 'run'
    scores.save(str(out), scores.evaluate())
    proc = run_tool_in_process(['tools/analysis/rescore.py', out, '--fusion', 'RankFuzion'])
    assert proc.returncode == 2, proc.stderr
    assert 'rescore.py: error: --fusion' in proc.stderr and 'RankFusion' in proc.stderr
    assert 'Traceback' not in proc.stderr
