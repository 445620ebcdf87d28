"""FrameAUROCMetric on known scores."""
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from vadkit.registry import METRICS
from vadkit.utils import register_all_modules

register_all_modules()


def records(video, frames, labels, vcr, prp):
    return [dict(video_idx=video, frame_idx=f, label=y, scores=dict(vcr=a, prp=b))
            for f, y, a, b in zip(frames, labels, vcr, prp)]


def minmax(x):
    x = np.asarray(x, float)
    return (x - x.min()) / (x.max() - x.min())


def test_micro_auroc_of_fused_min_max_scores():
    metric = METRICS.build(dict(type='FrameAUROCMetric', score_weights=dict(vcr=0.5, prp=1.0),
                                normalizer=dict(type='MinMaxNormalizer')))
    metric.dataset_meta = dict(video_names=['a', 'b'], num_frames=[8, 7], window_length=4)
    a = dict(frames=[3, 4, 5, 6, 7], labels=[0, 0, 1, 1, 0], vcr=[1, 2, 9, 8, 3],
             prp=[.1, .2, .3, .9, .1])
    b = dict(frames=[3, 4, 5, 6], labels=[0, 1, 0, 0], vcr=[10, 30, 20, 10],
             prp=[.5, .4, .6, .5])
    # out of order and split across batches, as a distributed run delivers them
    metric.process({}, records(1, **b)[::-1])
    metric.process({}, records(0, **a))
    out = metric.compute_metrics(metric.results)
    fused = [0.5 * minmax(v['vcr']) + minmax(v['prp']) for v in (a, b)]
    labels = a['labels'] + b['labels']
    assert out['micro_auroc'] == pytest.approx(roc_auc_score(labels, np.concatenate(fused)))
    macro = np.mean([roc_auc_score(v['labels'], f) for v, f in zip((a, b), fused)])
    assert out['macro_auroc'] == pytest.approx(macro)
    assert out['scored_frames'] == 9


def test_unknown_score_name_is_reported():
    metric = METRICS.build(dict(type='FrameAUROCMetric', score_weights=dict(ffp=1.0)))
    metric.dataset_meta = dict(video_names=['a'], num_frames=[6], window_length=2)
    metric.process({}, records(0, [1, 2, 3], [0, 1, 0], [1, 2, 3], [1, 2, 3]))
    with pytest.raises(KeyError, match='ffp'):
        metric.compute_metrics(metric.results)


# two videos of 9 and 8 frames, windows of 3: frames 2- are scored
TWO_VIDEOS = (dict(frames=[2, 3, 4, 5, 6, 7, 8], labels=[0, 0, 1, 1, 0, 0, 1],
                   vcr=[1, 5, 2, 9, 1, 7, 3], prp=[.1, .8, .3, .9, .1, .2, .4]),
              dict(frames=[2, 3, 4, 5, 6, 7], labels=[0, 1, 0, 1, 0, 0],
                   vcr=[10, 30, 20, 10, 40, 5], prp=[.5, .4, .6, .5, .1, .9]))


def test_compare_normalizers_report_other_rescalings_beside_the_headline():
    smooth = dict(type='Chain', steps=[dict(type='MinMaxNormalizer'),
                                       dict(type='GaussianSmoothing', sigma=1)])
    metric = METRICS.build(dict(
        type='FrameAUROCMetric', score_weights=dict(vcr=0.5, prp=1.0), normalizer=smooth,
        normalizers=dict(prp=dict(type='RobustNormalizer')),
        compare_normalizers=dict(paper=dict(type='MinMaxNormalizer'))))
    metric.dataset_meta = dict(video_names=['a', 'b'], num_frames=[9, 8], window_length=3)
    a, b = TWO_VIDEOS
    metric.process({}, records(0, **a) + records(1, **b))
    out = metric.compute_metrics(metric.results)
    labels = a['labels'] + b['labels']
    # the comparison uses min-max for every score: the prp override is left out
    plain = np.concatenate([0.5 * minmax(v['vcr']) + minmax(v['prp']) for v in (a, b)])
    assert out['micro_auroc_paper'] == pytest.approx(roc_auc_score(labels, plain))
    assert out['micro_auroc'] != pytest.approx(out['micro_auroc_paper'])


def test_compare_weights_report_other_alphas_beside_the_headline():
    metric = METRICS.build(dict(
        type='FrameAUROCMetric', score_weights=dict(vcr=1.0, prp=1.0),
        compare_weights=dict(alphas=dict(vcr=0.1, prp=1.0), vcr_only=dict(vcr=1))))
    metric.dataset_meta = dict(video_names=['a', 'b'], num_frames=[9, 8], window_length=3)
    a, b = TWO_VIDEOS
    metric.process({}, records(0, **a) + records(1, **b))
    out = metric.compute_metrics(metric.results)
    labels = a['labels'] + b['labels']

    def fused(wv, wp):
        return np.concatenate([wv * minmax(v['vcr']) + wp * minmax(v['prp']) for v in (a, b)])

    assert out['micro_auroc'] == pytest.approx(roc_auc_score(labels, fused(1, 1)))
    assert out['micro_auroc_alphas'] == pytest.approx(roc_auc_score(labels, fused(0.1, 1)))
    assert out['micro_auroc_vcr_only'] == pytest.approx(roc_auc_score(labels, fused(1, 0)))
    assert out['micro_auroc_alphas'] != pytest.approx(out['micro_auroc'])


def test_compare_weights_are_checked():
    with pytest.raises(ValueError, match=r"compare_weights\['alphas'\] must be alphas"):
        METRICS.build(dict(type='FrameAUROCMetric', score_weights=dict(vcr=1.0),
                           compare_weights=dict(alphas=0.1)))
    with pytest.raises(ValueError, match='different labels'):
        METRICS.build(dict(type='FrameAUROCMetric', score_weights=dict(vcr=1.0),
                           compare_weights=dict(paper=dict(vcr=1.0)),
                           compare_normalizers=dict(paper=dict(type='MinMaxNormalizer'))))
    metric = METRICS.build(dict(type='FrameAUROCMetric', score_weights=dict(vcr=1.0),
                                compare_weights=dict(alphas=dict(ffp=0.8))))
    metric.dataset_meta = dict(video_names=['a'], num_frames=[6], window_length=2)
    metric.process({}, records(0, [1, 2, 3], [0, 1, 0], [1, 2, 3], [1, 2, 3]))
    with pytest.raises(KeyError, match=r"compare_weights\['alphas'\] name \['ffp'\]"):
        metric.compute_metrics(metric.results)


def test_compare_normalizers_are_checked_when_the_metric_is_built():
    with pytest.raises(KeyError, match='MinMaxNormaliser'):
        METRICS.build(dict(type='FrameAUROCMetric', score_weights=dict(vcr=1.0),
                           compare_normalizers=dict(paper=dict(type='MinMaxNormaliser'))))
    with pytest.raises(ValueError, match='normalizer config'):
        METRICS.build(dict(type='FrameAUROCMetric', score_weights=dict(vcr=1.0),
                           compare_normalizers=dict(paper='MinMaxNormalizer')))
