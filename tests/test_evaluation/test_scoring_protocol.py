"""FrameAUROCMetric's protocol: reference-style mixed normalizers by hand, micro and macro
AUROC with single-class videos excluded and logged, a repeated window counted once."""
import math

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from vadkit.evaluation import FrameScores
from vadkit.evaluation import functional as VF  # noqa: N812
from vadkit.registry import METRICS, SCORE_NORMALIZERS
from vadkit.utils import register_all_modules

register_all_modules()


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


