"""Each score's reliability across training runs: reproducible curves score near 1, a run's
own noise near 0, labels are never read; the tool prints the weights and refuses what it
cannot measure."""
import json
import os.path as osp

import numpy as np
import pytest
from tool_modules import load_tool as load_tool_module

from vadkit.evaluation import FrameScores
from vadkit.evaluation.score_reliability import (
    reliability_weights,
    score_reliability,
    video_correlation,
)
from vadkit.utils import register_all_modules

register_all_modules()
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def make_runs(n_runs=3, n_videos=4, n_frames=60, seed=0, labels=None):
    """Runs sharing a 'signal' score (one curve a video plus small noise), with a 'noise'
    score drawn anew for every run and a 'flat' score constant in video 0."""
    rng = np.random.default_rng(seed)
    curves = [np.sin(np.linspace(0, 3 + v, n_frames)) * 5 + 10 for v in range(n_videos)]
    runs = []
    for _ in range(n_runs):
        raw = []
        for v in range(n_videos):
            flat = np.full(n_frames, 2.0) if v == 0 else rng.normal(size=n_frames)
            raw.append(dict(signal=curves[v] + 0.1 * rng.normal(size=n_frames),
                            noise=rng.normal(size=n_frames), flat=flat))
        lab = labels if labels is not None else [np.zeros(n_frames, dtype=np.int64)
                                                 for _ in range(n_videos)]
        runs.append(FrameScores(
            video_idx=list(range(n_videos)), video_names=[f'{v:02d}' for v in range(n_videos)],
            frames=[np.arange(8, 8 + n_frames) for _ in range(n_videos)], labels=list(lab),
            raw=raw, score_names=['signal', 'noise', 'flat'],
            settings=dict(score_weights=dict(signal=1.0, noise=1.0),
                          normalizer=dict(type='MinMaxNormalizer'))))
    return runs


def test_a_reproduced_curve_is_reliable_and_each_runs_own_noise_is_not():
    table = score_reliability(make_runs())
    assert table['signal']['mean'] > 0.95
    assert abs(table['noise']['mean']) < 0.2
    assert len(table['signal']['pairs']) == 3  # 3 runs: 3 pairs
    assert table['signal']['min'] <= table['signal']['mean']
    assert table['signal']['videos'] == 4
    weights = reliability_weights(table, ['signal', 'noise'])
    assert weights['signal'] > 0.95 and weights['noise'] < 0.2


def test_labels_are_never_read():
    a = score_reliability(make_runs(seed=1))
    flipped = [np.arange(60) % 2 for _ in range(4)]
    b = score_reliability(make_runs(seed=1, labels=flipped))
    assert a == b


def test_pearson_ignores_a_per_video_affine_rescaling():
    runs = make_runs()
    saved = score_reliability(runs, ['signal'])
    plain = score_reliability(runs, ['signal'], normalizer=dict(type='NoNormalizer'))
    assert plain['signal']['mean'] == pytest.approx(saved['signal']['mean'], abs=1e-12)


def test_a_constant_video_is_left_out_not_counted_as_zero():
    table = score_reliability(make_runs(), ['flat'])
    assert table['flat']['videos'] == 3
    assert video_correlation(np.ones(10), np.arange(10.0)) is None
    assert video_correlation(np.arange(2.0), np.arange(2.0)) is None
    assert video_correlation(np.arange(10.0), -np.arange(10.0)) == pytest.approx(-1.0)


def test_negative_reliability_weighs_zero():
    assert reliability_weights({'a': dict(mean=-0.3), 'b': dict(mean=0.456)}) == dict(a=0.0,
                                                                                      b=0.46)
    with pytest.raises(KeyError, match='no reliability'):
        reliability_weights({'a': dict(mean=0.5)}, ['b'])


def test_what_cannot_be_measured_is_refused():
    runs = make_runs()
    with pytest.raises(ValueError, match='at least 2'):
        score_reliability(runs[:1])
    other = make_runs(n_videos=3)
    with pytest.raises(ValueError, match='one test set'):
        score_reliability([runs[0], other[1]])
    with pytest.raises(KeyError, match='not in every run'):
        score_reliability(runs, ['ffp'])


def load_tool():
    return load_tool_module('analysis/score_reliability')


def test_the_tool_prints_and_writes_the_weights_of_saved_runs(tmp_path, capsys):
    tool = load_tool()
    paths = []
    labels = [(np.arange(60) >= 30).astype(np.int64) for _ in range(4)]
    for k, run in enumerate(make_runs(labels=labels)):
        out = str(tmp_path / f'seed{k}')
        run.save(out, run.evaluate())
        paths.append(out)
    result = tool.main(paths + ['--out', str(tmp_path / 'rel.json')])
    printed = capsys.readouterr().out
    assert "score_weights={'signal': " in printed and '--weights signal=' in printed
    assert set(result['weights']) == {'signal', 'noise'}  # the saved weighted scores
    with open(tmp_path / 'rel.json') as f:
        assert json.load(f)['weights'] == result['weights']
    with pytest.raises(tool.ReliabilityError, match='at least 2'):
        tool.main(paths[:1])
    with pytest.raises(tool.ReliabilityError, match='not in every run'):
        tool.main(paths + ['--score-names', 'ffp'])


def test_the_recommended_ped2_config_fuses_with_the_measured_reliabilities():
    from vadkit.utils.run_config import load_config
    cfg = load_config(osp.join(REPO, 'configs', 'luss_ae',
                               'luss-ae-unet-ffp_3dcae-w24_8x128x192_2e_cpu_ped2.py'))
    assert dict(cfg.test_evaluator.score_weights) == dict(vcr=0.95, ffp=0.97, prp=0.24)
    assert dict(cfg.test_evaluator.compare_weights.equal) == dict(vcr=1.0, ffp=1.0, prp=1.0)
