"""Test-time flip averaging of the window scorer (``hflip_average``): off by default and
then bit for bit the plain scores; on, the mean of the scores of the windows and of their
left-right mirrors scored on their own, in the test loop and in detection alike."""
import numpy as np
import pytest
import torch
from conftest import trained_like_batchnorm
from mmengine.config import Config
from tiny_detector import L, make_tiny

from vadkit.apis import AnomalyDetector
from vadkit.cli import main as vadkit
from vadkit.engine import WindowScorer
from vadkit.engine.inference_model import inference_model
from vadkit.registry import MODELS
from vadkit.utils import register_all_modules

register_all_modules()


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    t = make_tiny(tmp_path_factory.mktemp('flip'))
    torch.manual_seed(1)
    t.model = trained_like_batchnorm(MODELS.build(Config.fromfile(t.config).model))
    t.checkpoint = str(t.root / 'tiny_bn.pth')
    torch.save({'state_dict': t.model.state_dict(), 'meta': {}}, t.checkpoint)
    rng = np.random.default_rng(0)
    # 6 windows of L 32x32 frames, with a left-right asymmetric gradient
    t.windows = [(rng.integers(0, 200, (L, 32, 32)) + np.arange(32) * 1.5).astype(np.uint8)
                 for _ in range(6)]
    return t


def test_default_is_the_plain_scoring_bit_for_bit(tiny):
    plain, explicit = WindowScorer(tiny.model), WindowScorer(tiny.model, hflip_average=False)
    assert plain.hflip_average is False
    a, _ = plain.score_windows(tiny.windows)
    b, _ = explicit.score_windows(tiny.windows)
    clips = plain.preprocess(torch.from_numpy(np.stack(tiny.windows)).unsqueeze(1))
    with inference_model(tiny.model) as inner, torch.inference_mode():
        direct = inner.predict_scores(clips)
    for n in a:
        assert np.array_equal(a[n], b[n])
        assert np.array_equal(a[n], direct[n].float().double().numpy())


def test_flip_average_equals_the_mean_of_independently_scored_mirrors(tiny):
    plain = WindowScorer(tiny.model)
    mirrored = [np.ascontiguousarray(w[:, :, ::-1]) for w in tiny.windows]
    a, map_a = plain.score_windows(tiny.windows, error_maps=True)
    b, map_b = plain.score_windows(mirrored, error_maps=True)
    got, got_map = WindowScorer(tiny.model, hflip_average=True).score_windows(
        tiny.windows, error_maps=True)
    for n in a:
        want = ((torch.from_numpy(a[n]).float() + torch.from_numpy(b[n]).float()) / 2)
        np.testing.assert_array_equal(got[n], want.double().numpy())
        assert not np.allclose(a[n], b[n]), 'the mirror scores differently: a real test'
    np.testing.assert_allclose(got_map, (map_a + map_b.flip(-1)) / 2, rtol=1e-6, atol=1e-7)


def test_test_loop_and_detection_average_the_mirrors_when_asked(tiny, tmp_path):
    out = tmp_path / 'flip'
    assert vadkit(['test', tiny.config, tiny.checkpoint, '--work-dir', str(tmp_path / 'w'),
                   '--out-dir', str(out), '--cfg-options', 'test_cfg.hflip_average=True']) == 0
    log = ''.join(p.read_text() for p in out.glob('*/*.log'))
    assert 'test-time augmentation: every window is scored as is and mirrored' in log
    npz = np.load(out / 'frame_scores.npz')
    first = npz['video_idx'] == list(npz['video_names']).index('01')

    reference = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    decoded = list(reference.decoded_frames(_source(tiny.test_dir / '01')))
    windows = [np.stack(decoded[i - L + 1:i + 1]) for i in range(L - 1, len(decoded))]
    plain = WindowScorer(reference.model, L)
    a, _ = plain.score_windows(windows)
    b, _ = plain.score_windows([np.ascontiguousarray(w[..., ::-1]) for w in windows])

    detector = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None,
                               cfg_options={'test_cfg.hflip_average': True})
    assert detector.scorer.hflip_average
    detected = detector.score_video(str(tiny.test_dir / '01')).raw
    for n in a:
        want = (a[n] + b[n]) / 2
        np.testing.assert_allclose(npz[f'raw/{n}'][first], want, rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(np.asarray(detected[n])[L - 1:], want, rtol=1e-5,
                                   atol=1e-9)


def _source(folder):
    from vadkit.apis import open_source
    return open_source(str(folder))
