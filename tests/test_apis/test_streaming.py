"""Streaming detection: the same scores and events as offline causal detection, and memory
that does not grow with the stream's length."""
import gc
import tracemalloc

import numpy as np
import pytest

from vadkit.apis import (
    AnomalyDetector,
    StreamingDetector,
)
from vadkit.utils import register_all_modules

register_all_modules()


@pytest.mark.parametrize('causal_norm', ['calibration', 'running'])
def test_streaming_equals_offline_causal(tiny, calibrated, causal_norm):
    kwargs = dict(mode='causal', causal_norm=causal_norm, calibration=calibrated.path,
                  running_window=12, running_warmup=4, merge_gap=1)
    # windows one at a time, as a stream scores them: the same kernels, so the same raw
    # scores to the bit. In batches they agree to float32 rounding only (oneDNN picks
    # kernels by batch size on some CPUs), which the tiny random model's z-scores stretch:
    # its PRP barely varies (a calibration std of about 5e-6)
    offline = AnomalyDetector(tiny.config, tiny.checkpoint, batch_size=1, **kwargs)
    res = offline.score_video(tiny.video)
    batched = AnomalyDetector(tiny.config, tiny.checkpoint, batch_size=32, **kwargs)
    in_batches = batched.score_video(tiny.video)
    for name in res.score_names:
        np.testing.assert_allclose(in_batches.raw[name], res.raw[name], rtol=1e-5, atol=1e-7,
                                   equal_nan=True)
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
                          running_window=20, running_warmup=5, threshold=2.0)
    sd = det.streaming()
    max_buffer = 0

    def held_after(n: int) -> int:
        """Memory held after ``n`` frames above what was held before them (the cyclic
        garbage of each window collected: it is freed whenever the collector runs)."""
        nonlocal max_buffer
        sd.reset(25)
        gc.collect()
        base = tracemalloc.get_traced_memory()[0]
        for f in _frames(n):
            sd.push(f)
            max_buffer = max(max_buffer, len(sd.buffer))
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - base
        sd.finish()
        return held

    tracemalloc.start()
    try:
        # warm-up: lazy imports, caches, and a running window already full once, so that
        # both measured streams hold a full window (a window still filling grows by design)
        held_after(60)
        short, long = held_after(60), held_after(160)
    finally:
        tracemalloc.stop()
    assert sd.frame_count == 160
    assert max_buffer == det.window_length
    # what a stream holds (~12 KB here) does not grow with its length: keeping even one
    # Python float per frame (~32 B with its list slot) adds ~3.2 KB over the 100 extra
    # frames; with both windows full, the two lengths differ by ~0.1 KB (a window still
    # filling, as the 40 frames of a 50-frame window were, differs by ~1 KB)
    assert long < short + 1.5 * 1024, (short, long)
