"""Detect anomalies in your own videos with a trained model.

Offline::

    from vadkit.apis import AnomalyDetector
    det = AnomalyDetector('configs/...py', 'work_dirs/.../epoch_12.pth')
    result = det.score_video('site_cam1.mp4')        # or a frame folder, or frames
    result.scores, result.mask, result.events, result.threshold

Streaming (a camera index, an RTSP/HTTP URL, or a file read as a stream)::

    for event in det.streaming().run('rtsp://camera/stream'):
        print(event.start_time, event.end_time, event.peak_score)

Thresholds come from ``tools/calibrate.py`` (normal videos, no labels needed); see
``docs/detect.md``.
"""
from .calibration import Calibration, calibrate, calibration_path, holdout_sources
from .detector import AnomalyDetector
from .events import Event, EventTracker, extract_events
from .export import ExportError, ScoreExportWrapper, export_model
from .fusion import CausalFusion, OfflineFusion, RunningZScore
from .model_loading import CheckpointMismatchError, init_detector
from .results import DetectionResult, RawScores
from .sources import FrameSource, InputError, discover_inputs, open_source
from .streaming import FrameScore, StreamingDetector, StreamRecorder
from .visualization import StreamingVideoWriter, plot_scores, write_annotated_video

__all__ = [
    'AnomalyDetector', 'Calibration', 'CausalFusion', 'CheckpointMismatchError',
    'DetectionResult', 'Event', 'EventTracker', 'ExportError', 'FrameScore', 'FrameSource',
    'InputError', 'OfflineFusion', 'RawScores', 'RunningZScore', 'ScoreExportWrapper',
    'StreamRecorder', 'StreamingDetector', 'StreamingVideoWriter', 'calibrate', 'calibration_path',
    'discover_inputs', 'export_model', 'extract_events', 'holdout_sources', 'init_detector',
    'open_source', 'plot_scores', 'write_annotated_video'
]
