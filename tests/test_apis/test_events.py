"""Events: extraction from scores with gaps and minimum lengths, the event tracker, and events
that follow the scores above a threshold."""

import numpy as np

from vadkit.apis import (
    AnomalyDetector,
    EventTracker,
    extract_events,
)
from vadkit.utils import register_all_modules

register_all_modules()


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
