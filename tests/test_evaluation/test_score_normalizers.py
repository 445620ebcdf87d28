"""Score normalizers: min-max, robust (against numpy percentiles) and z-score by hand; the
registered normalizer classes."""

import numpy as np
import pytest

from vadkit.evaluation import functional as VF  # noqa: N812
from vadkit.registry import SCORE_NORMALIZERS
from vadkit.utils import register_all_modules

register_all_modules()


# ---------------------------------------------------------------------------------------
# Normalizers
# ---------------------------------------------------------------------------------------
def test_min_max_known_values():
    np.testing.assert_allclose(VF.min_max([2.0, 4.0, 3.0, 6.0]), [0.0, 0.5, 0.25, 1.0])
    np.testing.assert_allclose(VF.min_max(np.array([-1.0, 1.0])), [0.0, 1.0])


def test_min_max_constant_and_empty_video():
    out = VF.min_max(np.full(7, 3.5))
    np.testing.assert_array_equal(out, np.zeros(7))
    assert VF.min_max([]).size == 0


def test_robust_against_numpy_percentiles():
    rng = np.random.default_rng(0)
    s = np.concatenate([rng.normal(size=200), [50.0, -30.0]])  # two outliers
    med = np.median(s)
    p1, p99 = np.percentile(s, 1), np.percentile(s, 99)
    np.testing.assert_allclose(VF.robust(s), (s - med) / (p99 - p1), rtol=1e-12)
    p5, p95 = np.percentile(s, 5), np.percentile(s, 95)
    np.testing.assert_allclose(VF.robust(s, 5, 95), (s - med) / (p95 - p5), rtol=1e-12)
    # the median frame maps to 0
    assert np.median(VF.robust(s)) == pytest.approx(0.0, abs=1e-12)


def test_robust_small_by_hand():
    # [0, 1, 2, 3, 4]: median 2; P1 = 0.04, P99 = 3.96 (linear interpolation)
    np.testing.assert_allclose(VF.robust([0.0, 1.0, 2.0, 3.0, 4.0]),
                               np.array([-2.0, -1.0, 0.0, 1.0, 2.0]) / 3.92)


def test_robust_constant_video_is_zeros():
    np.testing.assert_array_equal(VF.robust(np.full(5, -2.0)), np.zeros(5))


def test_normalizers_reject_2d():
    with pytest.raises(ValueError):
        VF.min_max(np.zeros((2, 3)))
    with pytest.raises(ValueError):
        VF.robust(np.zeros((2, 3)))


def test_z_score():
    np.testing.assert_allclose(VF.z_score([1.0, 3.0, 5.0], mean=3.0, std=2.0), [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(VF.z_score([1.0, 3.0], mean=1.0, std=0.0), [0.0, 2.0])


def test_registered_normalizers():
    s = np.array([1.0, 2.0, 4.0, 9.0])
    np.testing.assert_allclose(SCORE_NORMALIZERS.build(dict(type='MinMaxNormalizer'))(s),
                               (s - 1) / 8)
    np.testing.assert_allclose(SCORE_NORMALIZERS.build(dict(type='NoNormalizer'))(s), s)
    rob = SCORE_NORMALIZERS.build(dict(type='RobustNormalizer', low=10, high=90))
    np.testing.assert_allclose(
        rob(s), (s - np.median(s)) / (np.percentile(s, 90) - np.percentile(s, 10)))
    z = SCORE_NORMALIZERS.build(dict(type='ZScoreNormalizer'))
    assert z.fit(np.array([2.0, 4.0, 6.0, 8.0])) is z
    np.testing.assert_allclose(z(s), (s - 5.0) / np.std([2.0, 4.0, 6.0, 8.0]))
    z2 = SCORE_NORMALIZERS.build(dict(type='ZScoreNormalizer', mean=1.0, std=2.0))
    np.testing.assert_allclose(z2(s), (s - 1.0) / 2.0)


def test_log_transform_and_log_odds_by_hand():
    np.testing.assert_allclose(VF.log_transform([1.0, np.e, 0.0], eps=1e-3),
                               [0.0, 1.0, np.log(1e-3)])
    with pytest.raises(ValueError, match='non-negative'):
        VF.log_transform([0.5, -0.1])
    p = np.array([0.5, 0.25, 1e-8, 0.0, 1.0])
    out = VF.log_odds(p)
    np.testing.assert_allclose(out[:3], [0.0, np.log(1 / 3), np.log(1e-8 / (1 - 1e-8))])
    assert np.all(np.isfinite(out)) and out[3] < out[2] and out[4] > 16
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        VF.log_odds([0.2, 1.5])


def test_log_odds_spreads_a_saturated_video_that_min_max_flattens():
    # one confident frame: on the probability scale min-max maps every other frame to ~0
    # whatever its order; on the log-odds scale their order keeps a usable range
    p = np.array([1e-7, 1e-6, 1e-5, 1e-4, 0.9])
    linear = VF.min_max(p)
    chain = SCORE_NORMALIZERS.build(dict(type='Chain', steps=[dict(type='LogOdds'),
                                                               dict(type='MinMaxNormalizer')]))
    spread = chain(p)
    assert linear[3] < 2e-4
    assert spread[3] > 0.35 and np.all(np.diff(spread) > 0)
    errors = np.array([1e-3, 2e-3, 4e-3, 1.0])
    log_mm = SCORE_NORMALIZERS.build(
        dict(type='Chain', steps=[dict(type='LogTransform'), dict(type='MinMaxNormalizer')]))
    np.testing.assert_allclose(log_mm(errors), VF.min_max(np.log(errors)))
