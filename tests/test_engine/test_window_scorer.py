"""One scoring path: the test loop, offline and causal detection, streaming and the export
check score the same frames alike, all through ``WindowScorer.score_clips``."""
from typing import List

import numpy as np
import pytest
import torch
from conftest import trained_like_batchnorm
from mmengine.config import Config
from tiny_detector import L, make_tiny
from torch import nn

from vadkit.apis import AnomalyDetector, StreamRecorder, export_model  # noqa: E402
from vadkit.cli import main as vadkit  # noqa: E402
from vadkit.engine import WindowScorer, window_settings  # noqa: E402
from vadkit.registry import MODELS  # noqa: E402

NAMES = ('vcr', 'ffp', 'prp')
RTOL = 1e-5


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    """The tiny model with BatchNorm statistics like a trained model's, so that folding
    them changes the weights."""
    t = make_tiny(tmp_path_factory.mktemp('scorer'))
    torch.manual_seed(1)
    model = MODELS.build(Config.fromfile(t.config).model)
    trained_like_batchnorm(model)
    t.checkpoint = str(t.root / 'tiny_bn.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, t.checkpoint)
    return t


@pytest.fixture
def calls(monkeypatch) -> List[int]:
    """Batch sizes of every ``WindowScorer.score_clips`` call."""
    seen: List[int] = []
    original = WindowScorer.score_clips

    def spy(self, clips, error_maps=False):
        seen.append(int(clips.shape[0]))
        return original(self, clips, error_maps)

    monkeypatch.setattr(WindowScorer, 'score_clips', spy)
    return seen


def scored(raw: dict) -> dict:
    """The scored frames' raw scores (frames ending no window hold NaN)."""
    return {n: np.asarray(raw[n])[L - 1:] for n in NAMES}


def test_every_path_scores_through_the_window_scorer_alike(tiny, tmp_path, calls):
    video = tiny.test_dir / '01'
    paths = {}

    out = tmp_path / 'test'
    assert vadkit(['test', tiny.config, tiny.checkpoint, '--work-dir', str(tmp_path / 'w'),
                   '--out-dir', str(out)]) == 0
    assert calls, 'the test loop scores through the window scorer'
    npz = np.load(out / 'frame_scores.npz')
    first = npz['video_idx'] == list(npz['video_names']).index('01')
    assert npz['frame_idx'][first].tolist() == list(range(L - 1, 30))
    paths['test loop'] = {n: npz[f'raw/{n}'][first] for n in NAMES}

    calls.clear()
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    paths['offline'] = scored(det.score_video(str(video)).raw)
    assert calls and sum(calls) == 30 - L + 1

    calls.clear()
    causal = AnomalyDetector(tiny.config, tiny.checkpoint, mode='causal', calibration=None,
                             causal_norm='running', running_warmup=2, batch_size=3)
    paths['causal'] = scored(causal.score_video(str(video)).raw)
    assert calls and max(calls) == 3

    calls.clear()
    frames = list(causal.streaming(threshold=1.0).iter_scores(str(video)))
    assert calls == [1] * (30 - L + 1), 'streaming scores each window as its frame comes'
    paths['streaming'] = {n: np.array([fs.raw[n] for fs in frames if fs.raw]) for n in NAMES}

    calls.clear()
    report = export_model(det, str(tmp_path / 'model.pt'))
    assert calls, 'the export is checked against the window scorer'
    exported = torch.jit.load(report['path'])
    pixels = np.stack([np.stack(w) for w in _windows(_decoded(det, video))])
    with torch.no_grad():
        got = exported(torch.from_numpy(pixels)[:, None].float() / 127.5 - 1).numpy()
    paths['export'] = {n: got[:, report['score_names'].index(n)] for n in NAMES}

    ref = paths['test loop']
    for path, scores in paths.items():
        for n in NAMES:
            assert scores[n].shape == ref[n].shape, (path, n)
            np.testing.assert_allclose(scores[n], ref[n], rtol=RTOL, atol=1e-9,
                                       err_msg=f'{path}: {n}')


def _decoded(det, folder):
    from vadkit.apis import open_source
    return list(det.decoded_frames(open_source(str(folder))))


def _windows(frames):
    return [frames[i - L + 1:i + 1] for i in range(L - 1, len(frames))]


def test_scorer_leaves_the_model_as_it_was(tiny):
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    model = det.model
    state = {k: v.clone() for k, v in model.state_dict().items()}
    modules = [type(m) for m in model.modules()]
    windows = [np.stack(w) for w in _windows(_decoded(det, tiny.test_dir / '02'))[:4]]
    first, _ = det.scorer.score_windows(windows)
    with det.scorer.prepared() as inner:
        assert not any(isinstance(m, nn.BatchNorm3d) for m in inner.modules()), 'folded'
        again, _ = det.scorer.score_windows(windows)  # nested: the same prepared model
    assert [type(m) for m in model.modules()] == modules
    assert all(torch.equal(v, state[k]) for k, v in model.state_dict().items())
    for n in first:
        np.testing.assert_array_equal(first[n], again[n])


def test_window_settings_come_from_the_config_and_the_model(tiny):
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    assert det.model.test_window_length == L  # clip_len + 1 for FFP
    cfg = Config.fromfile(tiny.config)
    assert window_settings(cfg, det.model) == (L, cfg.test_dataloader.dataset
                                                    .decode_pipeline)
    cfg.test_dataloader.dataset.window_length = L - 1
    with pytest.raises(ValueError, match=f'needs windows of {L} frames'):
        window_settings(cfg, det.model)


def test_heat_maps_come_from_the_measure_of_the_last_frame_task(tiny):
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    windows = [np.stack(w) for w in _windows(_decoded(det, tiny.test_dir / '01'))[:2]]
    _, heat = det.infer(windows, heatmaps=True)
    assert heat.dtype == np.uint8 and heat.shape[0] == 2
    # the FFP head (reads the frame after the clip) and its BPE measure's error map
    ffp = next(h for h in det.model.tasks if h.name == 'ffp')
    assert ffp.frames_after_clip == 1
    clip = det.scorer.preprocess(torch.from_numpy(np.stack(windows))[:, None])
    with torch.inference_mode():
        feats = det.model.extract_features(clip)
        emap = ffp.measures['ffp'].error_map(ffp(feats), clip[:, :, L - 1]).mean(1)
    want = (emap.sqrt() / 0.5).clamp(0, 1).mul(255).round().to(torch.uint8).numpy()
    assert heat.shape == want.shape
    assert np.abs(heat.astype(int) - want.astype(int)).max() <= 1


def test_stream_recorder_result_equals_causal_detection(tiny):
    from vadkit.apis import calibrate, open_source
    plain = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    cal = calibrate(plain, [open_source(str(tiny.test_dir / '02'))], percentile=50)
    det = AnomalyDetector(tiny.config, tiny.checkpoint, mode='causal', calibration=cal,
                          merge_gap=1)
    offline = det.score_video(tiny.video)
    stream = det.streaming()
    recorder = StreamRecorder(stream)
    for fs in stream.iter_scores(tiny.video):
        recorder.add(fs)
    live = recorder.result(open_source(tiny.video), stream.final_events)
    spans = lambda r: [(e.start_frame, e.end_frame, e.peak_frame) for e in r.events]  # noqa
    assert offline.events, 'a median threshold flags some frames'
    assert spans(live) == spans(offline)
    assert (live.num_frames, live.threshold) == (offline.num_frames, offline.threshold)
    np.testing.assert_array_equal(live.mask, offline.mask)
    # (the random model's PRP probability hardly varies: its calibration std is ~1e-6, and
    # rescaled by it float32 rounding shows, so its normalized score is left out)
    for got, want in [(live.raw[n], offline.raw[n]) for n in NAMES] + [
            (live.normalized[n], offline.normalized[n]) for n in ('vcr', 'ffp')]:
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-6, equal_nan=True)
