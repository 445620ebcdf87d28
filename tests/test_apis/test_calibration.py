"""Calibration on held-out normal videos: thresholds per mode and percentile, the saved file
as normal statistics, refusals without calibration."""
import math

import numpy as np
import pytest
from tiny_detector import T

from vadkit.apis import (
    AnomalyDetector,
    Calibration,
    InputError,
    holdout_sources,
)
from vadkit.registry import SCORE_NORMALIZERS
from vadkit.utils import register_all_modules

register_all_modules()


def test_calibration(tiny, calibrated):
    cal = Calibration.load(calibrated.path)
    assert cal.percentile == 95 and cal.num_frames == 2 * (30 - T)
    assert [v['name'] for v in cal.videos] == ['01', '02']
    assert set(cal.stats) == {'vcr', 'ffp', 'prp'} and cal.stats['vcr']['std'] > 0
    # the file is also a normal-statistics file for ZScoreNormalizer(stats_file=...)
    z = SCORE_NORMALIZERS.build(dict(type='ZScoreNormalizer', stats_file=calibrated.path,
                                     key='ffp'))
    assert (z.mean, z.std) == (cal.stats['ffp']['mean'], cal.stats['ffp']['std'])
    for mode in ('offline', 'causal', 'running'):
        t90, t95, t99 = (cal.threshold(mode, p) for p in (90, 95, 99))
        assert t90 <= t95 <= t99
        assert math.isclose(t95, cal.modes[mode]['threshold'])
    # 5 % of the calibration frames are above the causal threshold at the 95th percentile
    det = AnomalyDetector(tiny.config, tiny.checkpoint, mode='causal')  # finds the file
    assert det.calibration is not None and det.threshold == cal.threshold('causal')
    scores = np.concatenate([det.score_video(s).scores for s in holdout_sources(det.cfg)])
    scores = scores[np.isfinite(scores)]
    assert abs((scores > det.threshold).mean() - 0.05) < 0.03
    det99 = AnomalyDetector(tiny.config, tiny.checkpoint, percentile=99)
    assert det99.threshold == pytest.approx(cal.threshold('offline', 99))
    bad = Calibration.load(calibrated.path)
    bad.score_weights = dict(vcr=1.0, ffp=1.0, prp=1.0)
    with pytest.raises(InputError, match='score weights'):
        AnomalyDetector(tiny.config, tiny.checkpoint, calibration=bad)


def test_percentile_without_calibration(tiny):
    with pytest.raises(InputError, match='calibrate.py'):
        AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None, percentile=99)
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    with pytest.raises(InputError, match='calibrate.py'):
        det.streaming()
