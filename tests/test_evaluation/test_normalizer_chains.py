"""Temporal smoothing and normalizer chains against scipy and by hand; z-scores from a
normal-statistics file and its helpers."""
import json

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter1d

from vadkit.evaluation import functional as VF  # noqa: N812
from vadkit.evaluation.normalizers import build_score_normalizers
from vadkit.registry import SCORE_NORMALIZERS
from vadkit.utils import register_all_modules

register_all_modules()


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
