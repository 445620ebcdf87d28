"""The detection API: offline scores equal the test pipeline's, thresholds, events,
streaming (same events as offline causal, flat memory), bad inputs, export."""
import math
import os.path as osp
import tracemalloc
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from synthetic_videos import read_frames, write_video
from tiny_detector import L, T, make_tiny, write_config

from vadkit.apis import (
    AnomalyDetector,
    Calibration,
    CheckpointMismatchError,
    EventTracker,
    InputError,
    StreamingDetector,
    calibrate,
    calibration_path,
    export_model,
    extract_events,
    holdout_sources,
    init_detector,
)
from vadkit.registry import DATASETS, METRICS, SCORE_NORMALIZERS
from vadkit.utils import register_all_modules

register_all_modules()

@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    return make_tiny(tmp_path_factory.mktemp('tiny'))


def test_pipeline_scores(cfg_path: str, checkpoint: str, out_dir: str) -> dict:
    """Per-frame scores the way tools/test.py makes them: VideoWindowDataset, the model's
    predict step, FrameAUROCMetric's fusion (frame_scores.npz)."""
    cfg = Config.fromfile(cfg_path)
    ds = DATASETS.build(cfg.test_dataloader.dataset)
    model = init_detector(cfg, checkpoint)
    preds, bs = [], cfg.test_dataloader.batch_size
    with torch.no_grad():
        for i in range(0, len(ds), bs):
            batch = default_collate([ds[j] for j in range(i, min(i + bs, len(ds)))])
            preds += model.test_step(batch)
    metric_cfg = dict(cfg.test_evaluator)
    metric_cfg['output_dir'] = out_dir
    metric = METRICS.build(metric_cfg)
    metric.dataset_meta = ds.metainfo
    metric.process(None, preds)
    metric.evaluate(len(ds))
    npz = np.load(osp.join(out_dir, 'frame_scores.npz'))
    names = list(npz['video_names'])
    return {names[v]: dict(frame=npz['frame_idx'][npz['video_idx'] == v],
                           score=npz['score'][npz['video_idx'] == v],
                           raw={n: npz[f'raw/{n}'][npz['video_idx'] == v]
                                for n in npz['score_names']})
            for v in range(len(names))}


test_pipeline_scores.__test__ = False  # a helper, not a test


def test_offline_scores_equal_test_pipeline(tiny, tmp_path):
    ref = test_pipeline_scores(tiny.config, tiny.checkpoint, str(tmp_path))
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None, batch_size=5)
    for name, r in ref.items():
        res = det.score_video(str(tiny.test_dir / name))
        assert res.num_frames == 30 and res.window_length == L
        assert not res.mask[:T].any() and res.mask[T:].all()
        assert np.isnan(res.scores[:T]).all()
        np.testing.assert_array_equal(np.flatnonzero(res.mask), r['frame'])
        np.testing.assert_allclose(res.scores[res.mask], r['score'], rtol=1e-5, atol=1e-7)
        for n, v in r['raw'].items():
            np.testing.assert_allclose(res.raw[n][res.mask], v, rtol=1e-5, atol=1e-9)
        assert res.threshold is None and res.events == []


def test_sources_iterator_equals_folder(tiny):
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    folder = det.score_video(str(tiny.test_dir / '01'))
    frames = read_frames(tiny.test_dir / '01')
    from_list = det.score_video(frames, fps=10, name='mine')
    from_gen = det.score_video((f for f in frames), fps=10)
    bgr = det.score_video([cv2.cvtColor(f, cv2.COLOR_GRAY2BGR) for f in frames])
    for res in (from_list, from_gen, bgr):
        np.testing.assert_allclose(res.scores, folder.scores, rtol=1e-6, equal_nan=True)
    assert from_list.name == 'mine' and from_list.fps == 10
    video = det.score_video(tiny.video)  # MJPG: compressed pixels, same shape of result
    assert video.fps == 10 and video.num_frames == 30 and video.mask.sum() == 30 - T


def test_event_tracker():
    s = [np.nan, 0, 2, 3, 0, 2, 0, 0, 5, np.nan, 1, 4]
    ev = extract_events(s, threshold=1, fps=2)
    assert [(e.start_frame, e.end_frame) for e in ev] == [(2, 3), (5, 5), (8, 8), (11, 11)]
    assert ev[0].peak_frame == 3 and ev[0].peak_score == 3 and ev[0].mean_score == 2.5
    assert ev[0].start_time == 1.0 and ev[0].end_time == 2.0 and ev[0].num_frames == 2
    merged = extract_events(s, threshold=1, fps=2, max_gap=1)
    assert [(e.start_frame, e.end_frame) for e in merged] == [(2, 5), (8, 8), (11, 11)]
    assert [(e.start_frame, e.end_frame) for e in
            extract_events(s, 1, 2, max_gap=2)] == [(2, 11)]
    assert [(e.start_frame, e.end_frame) for e in
            extract_events(s, 1, 2, min_frames=2)] == [(2, 3)]
    tracker = EventTracker(1.0, 25.0)
    assert tracker.update(0, 2.0) is None and tracker.active
    closed = tracker.update(1, 0.5)  # closes at the first normal frame (max_gap=0)
    assert closed is not None and closed.end_frame == 0 and not tracker.active
    assert tracker.finish() is None


def test_events_follow_scores_and_labels(tiny):
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    res0 = det.score_video(str(tiny.test_dir / '02'))
    thr = float(np.nanmedian(res0.scores))
    det = AnomalyDetector(tiny.config, tiny.checkpoint, threshold=thr, calibration=None)
    res = det.score_video(str(tiny.test_dir / '02'), fps=5)
    assert res.threshold == thr and res.threshold_source == 'fixed'
    flagged = np.zeros(res.num_frames, bool)
    for e in res.events:
        flagged[e.start_frame:e.end_frame + 1] = True
        assert e.start_time == e.start_frame / 5 and e.end_time == (e.end_frame + 1) / 5
        assert e.peak_score == np.nanmax(res.scores[e.start_frame:e.end_frame + 1])
    np.testing.assert_array_equal(flagged, res.anomalous)  # events = frames above threshold
    labels = tiny.labels['02'].astype(bool)
    # an event overlaps the labelled anomaly exactly when a labelled frame scores above it
    # (no claim about accuracy: the weights are random)
    overlap = any(e.overlaps(int(np.flatnonzero(labels)[0]), int(np.flatnonzero(labels)[-1]))
                  for e in res.events)
    assert overlap == bool((res.anomalous & labels).any())


@pytest.fixture(scope='module')
def calibrated(tiny):
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None,
                          running_window=12, running_warmup=4)
    cal = calibrate(det, holdout_sources(det.cfg), percentile=95)
    path = cal.save(calibration_path(tiny.checkpoint))
    return SimpleNamespace(cal=cal, path=path)


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


@pytest.mark.parametrize('causal_norm', ['calibration', 'running'])
def test_streaming_equals_offline_causal(tiny, calibrated, causal_norm):
    kwargs = dict(mode='causal', causal_norm=causal_norm, calibration=calibrated.path,
                  running_window=12, running_warmup=4, merge_gap=1)
    offline = AnomalyDetector(tiny.config, tiny.checkpoint, **kwargs)
    res = offline.score_video(tiny.video)
    seen = []
    stream = StreamingDetector(offline, on_event=seen.append)
    scores = [fs.score for fs in stream.iter_scores(tiny.video)]
    np.testing.assert_allclose(scores, res.scores, rtol=1e-5, atol=1e-6, equal_nan=True)
    events = list(offline.streaming().run(tiny.video))
    key = [(e.start_frame, e.end_frame, e.peak_frame) for e in res.events]
    assert [(e.start_frame, e.end_frame, e.peak_frame) for e in events] == key
    assert [(e.start_frame, e.end_frame, e.peak_frame) for e in seen] == key
    for a, b in zip(events, res.events):
        assert a.peak_score == pytest.approx(b.peak_score, rel=1e-5)
        assert a.start_time == b.start_time and a.end_time == b.end_time


def _frames(n: int, size: int = 32):
    """A long synthetic stream: a bright square crossing a noisy background."""
    rng = np.random.default_rng(0)
    bg = rng.integers(60, 120, (size, size), dtype=np.uint8)
    for i in range(n):
        f = bg.copy()
        x = i % (size - 6)
        f[10:16, x:x + 6] = 230
        yield f


def test_streaming_memory_is_bounded(tiny, calibrated):
    det = AnomalyDetector(tiny.config, tiny.checkpoint, mode='causal', causal_norm='running',
                          running_window=50, running_warmup=10, threshold=2.0)
    sd = det.streaming()
    max_buffer = 0

    def run(n: int) -> int:
        nonlocal max_buffer
        sd.reset(25)
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        for f in _frames(n):
            sd.push(f)
            max_buffer = max(max_buffer, len(sd.buffer))
        sd.finish()
        return tracemalloc.get_traced_memory()[1] - base

    tracemalloc.start()
    try:
        run(100)  # warm-up: lazy imports and caches
        short, long = run(300), run(2000)
    finally:
        tracemalloc.stop()
    assert sd.frame_count == 2000
    assert max_buffer == det.window_length
    # the peak is one window's work (~30 KB here); keeping even one float per frame would
    # add ~50 KB over the 1,700 extra frames
    assert long < 1.1 * short + 8 * 1024, (short, long)


def test_bad_inputs(tiny, tmp_path):
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    garbage = tmp_path / 'garbage.mp4'
    garbage.write_bytes(b'not a video' * 100)
    with pytest.raises(InputError, match='cannot open video .*garbage.mp4'):
        det.score_video(str(garbage))
    with pytest.raises(InputError, match='does not exist'):
        det.score_video(str(tmp_path / 'missing.mp4'))
    empty = write_video(tmp_path / 'empty.avi', [])
    with pytest.raises(InputError, match='no frames could be decoded from .*empty.avi'):
        det.score_video(empty)
    short = write_video(tmp_path / 'short.avi', read_frames(tiny.test_dir / '01')[:3])
    with pytest.raises(InputError, match=f'short.avi has 3 frame.*fewer than the {L} frames'):
        det.score_video(short)
    with pytest.raises(InputError, match='uint8'):
        det.score_video([np.zeros((32, 32), np.float32)] * 6)


def test_checkpoint_mismatch(tiny, tmp_path):
    wide = write_config(tmp_path / 'wide.py', tiny.data, widths=(4, 8, 8, 16))
    with pytest.raises(CheckpointMismatchError) as e:
        AnomalyDetector(wide, tiny.checkpoint)
    msg = str(e.value)
    assert 'tiny.pth' in msg and 'wide.py' in msg and 'shape mismatch' in msg
    assert 'checkpoint (8,' in msg and 'model (16,' in msg
    cfg = Config.fromfile(tiny.config)
    cfg.model.tasks = cfg.model.tasks[:2]  # no PRP head: its weights are unexpected
    with pytest.raises(CheckpointMismatchError,
                       match=r'unexpected key.*tasks\.2\.conv.*tasks are tasks\.0=vcr'):
        init_detector(cfg, tiny.checkpoint)
    partial = tmp_path / 'partial.pth'
    sd = torch.load(tiny.checkpoint, weights_only=True)['state_dict']
    torch.save({'state_dict': {k: v for k, v in sd.items() if not k.startswith('tasks.1.')}},
               partial)
    with pytest.raises(CheckpointMismatchError,
                       match=r'missing key.*tasks\.1\.conv\.bias.*tasks\.1=ffp'):
        init_detector(tiny.config, str(partial))


def test_export_round_trip(tiny, tmp_path):
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    out = str(tmp_path / 'model.pt')
    report = export_model(det, out)
    assert report['max_relative_diff'] <= 1e-4
    assert report['input_shape'] == [None, 1, L, 32, 32]
    exported = torch.jit.load(out)
    frames = np.stack(read_frames(tiny.test_dir / '01')[:L])
    clip = torch.from_numpy(np.stack([frames, frames[::-1]]))[:, None].float() / 127.5 - 1
    ref, _ = det.infer([frames, frames[::-1].copy()])
    with torch.no_grad():
        got = exported(clip)
    for k, name in enumerate(report['score_names']):
        np.testing.assert_allclose(got[:, k].numpy(), ref[name], rtol=1e-4, atol=1e-7)
