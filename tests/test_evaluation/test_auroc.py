"""Frame-level AUROC (micro and macro), equal error rate and average precision against
scikit-learn and values computed by hand; refusals of single-class or empty inputs."""
import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from vadkit.evaluation import functional as VF  # noqa: N812
from vadkit.utils import register_all_modules

register_all_modules()


# ---------------------------------------------------------------------------------------
# AUROC and friends
# ---------------------------------------------------------------------------------------
def _videos(seed=0):
    rng = np.random.default_rng(seed)
    scores, labels = [], []
    for n in (30, 45, 20):
        y = (rng.random(n) < 0.4).astype(np.int64)
        s = rng.normal(size=n) + 1.2 * y
        scores.append(s)
        labels.append(y)
    return scores, labels


def test_micro_auroc_against_sklearn_pooled():
    scores, labels = _videos()
    expected = roc_auc_score(np.concatenate(labels), np.concatenate(scores))
    assert VF.micro_auroc(scores, labels) == pytest.approx(expected, abs=1e-12)
    # pooled, not averaged: differs from the per-video mean here
    assert VF.micro_auroc(scores, labels) != pytest.approx(
        VF.macro_auroc(scores, labels)['auroc'], abs=1e-6)


def test_micro_auroc_boolean_labels_and_perfect_ranking():
    assert VF.micro_auroc([np.array([0.1, 0.9]), np.array([0.2, 0.8])],
                          [np.array([False, True]), np.array([False, True])]) == 1.0
    assert VF.micro_auroc([np.array([0.9, 0.1])], [np.array([0, 1])]) == 0.0


def test_micro_auroc_all_normal_raises():
    with pytest.raises(ValueError, match='both normal and anomalous'):
        VF.micro_auroc([np.array([0.1, 0.5]), np.array([0.3])], [np.zeros(2), np.zeros(1)])


def test_micro_auroc_all_anomalous_raises():
    with pytest.raises(ValueError, match='both normal and anomalous'):
        VF.micro_auroc([np.array([0.1, 0.5]), np.array([0.3])], [np.ones(2), np.ones(1)])


def test_micro_auroc_empty_raises():
    with pytest.raises(ValueError):
        VF.micro_auroc([np.array([])], [np.array([], dtype=np.int64)])


def test_macro_auroc_excludes_single_class_videos():
    scores, labels = _videos()
    # video 1 (index 1) all normal, video 3 all anomalous
    scores = scores[:1] + [np.array([0.3, 0.1, 0.2])] + scores[1:] + [np.array([0.5, 0.6])]
    labels = labels[:1] + [np.zeros(3, np.int64)] + labels[1:] + [np.ones(2, np.int64)]
    out = VF.macro_auroc(scores, labels)
    assert out['excluded'] == [1, 4]
    assert len(out['per_video']) == 5
    assert math.isnan(out['per_video'][1]) and math.isnan(out['per_video'][4])
    per = [roc_auc_score(labels[i], scores[i]) for i in (0, 2, 3)]
    for i, v in zip((0, 2, 3), per):
        assert out['per_video'][i] == pytest.approx(v, abs=1e-12)
    assert out['auroc'] == pytest.approx(np.mean(per), abs=1e-12)


def test_macro_auroc_no_valid_video_is_nan():
    out = VF.macro_auroc([np.array([0.1, 0.2])], [np.array([1, 1])])
    assert math.isnan(out['auroc'])
    assert out['excluded'] == [0]


def test_equal_error_rate():
    # perfectly separable
    assert VF.equal_error_rate([np.array([0.1, 0.2, 0.3]), np.array([0.8, 0.9])],
                               [np.array([0, 0, 0]), np.array([1, 1])]) == 0.0
    # perfectly inverted
    assert VF.equal_error_rate([np.array([0.9, 0.8, 0.1, 0.2])],
                               [np.array([0, 0, 1, 1])]) == 1.0
    # half-overlapping: the crossing is at an ROC corner that roc_curve keeps
    s = np.array([0.1, 0.3, 0.2, 0.4])
    y = np.array([0, 0, 1, 1])
    # thresholds: 0.4 -> (FPR 0, FNR 1/2); 0.3 -> (1/2, 1/2); 0.2 -> (1/2, 0): EER 1/2
    assert VF.equal_error_rate([s], [y]) == pytest.approx(0.5)


def test_equal_error_rate_crossing_on_a_dropped_vertex():
    # by hand: normals 0.1 0.2 0.3 0.6, anomalies 0.4 0.5 0.7 0.8; at threshold 0.5
    # FPR = 1/4 (only 0.6 flagged) and FNR = 1/4 (only 0.4 missed): EER 1/4
    s = np.array([0.1, 0.2, 0.3, 0.6, 0.4, 0.5, 0.7, 0.8])
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    assert VF.equal_error_rate([s], [y]) == pytest.approx(0.25)


def test_average_precision_against_sklearn():
    scores, labels = _videos(3)
    expected = average_precision_score(np.concatenate(labels), np.concatenate(scores))
    assert VF.average_precision(scores, labels) == pytest.approx(expected, abs=1e-12)
    assert VF.average_precision([np.array([0.1, 0.9, 0.8])], [np.array([0, 1, 1])]) == 1.0
    # by hand: ranking 1 0 1 -> precision 1 at recall 1/2, 2/3 at recall 1: AP = 5/6
    assert VF.average_precision([np.array([0.9, 0.8, 0.7])],
                                [np.array([1, 0, 1])]) == pytest.approx(5 / 6)
