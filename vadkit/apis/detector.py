"""Score your own videos with a trained model: per-frame scores, a threshold, events.

:class:`AnomalyDetector` reproduces the test pipeline on any input: frames go through the
config's test decode pipeline (``test_dataloader.dataset.decode_pipeline``: Grayscale,
Resize), windows of ``window_length`` consecutive frames (stride 1) are scored with the
model through the :class:`~vadkit.engine.WindowScorer` the test loop uses (batched,
BatchNorm folded, the test memory layout, under ``torch.inference_mode``), each window's
scores belong to its last frame, and task scores are fused as the test evaluator
(``FrameAUROCMetric``) fuses them. So, for the same frames, offline scores equal those
``tools/test.py`` writes to ``frame_scores.csv``. The first ``window_length - 1`` frames
end no window and get no score (NaN, ``mask`` False).

Modes: ``offline`` rescales each task per video with the evaluator's normalizers (needs
the whole video); ``causal`` rescales every frame with statistics known in advance (see
:mod:`vadkit.apis.fusion`), which is what streaming can do, and gives the same events as
:class:`~vadkit.apis.StreamingDetector` on the same input.
"""
import contextlib
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.config import Config
from torch import nn

from vadkit.datasets.frame_store import FrameDecoder
from vadkit.engine.window_scorer import WindowScorer, window_settings
from vadkit.utils.cpu_share import join_cpu_share, refresh_cpu_share

from .calibration import Calibration
from .ensemble_members import (
    TrainedEnsemble,
    average_rescaled,
    is_ensemble_dir,
    member_untrained_tasks,
    read_ensemble,
)
from .events import Event, EventTracker, extract_events
from .fusion import CausalFusion, OfflineFusion, find_frame_metric_cfg
from .model_loading import init_detector, load_config
from .results import DetectionResult, RawScores, full_column
from .sources import CountedFrames, FrameSource, InputError, check_fps, open_source
from .thresholds import Thresholds
from .visualization import heatmap_of

__all__ = ['AnomalyDetector', 'DetectionResult', 'RawScores']

MODES = ('offline', 'causal')


def _threshold_setting(name: str) -> property:
    return property(lambda self: getattr(self.thresholds, name),
                    doc=f'``{name}`` of the detector\'s thresholds.')


class AnomalyDetector:
    """Scores videos with a trained model the way the test pipeline does.

    Args:
        config: Config path or :class:`~mmengine.config.Config` (ignored if ``model`` has
            one).
        checkpoint: Checkpoint path.
        device: Torch device.
        mode: ``'offline'`` (per-video rescaling of the test evaluator, needs whole
            videos) or ``'causal'`` (per-frame rescaling, as streaming does).
        threshold: Fixed threshold on the combined score (overrides calibration).
        percentile: Threshold at this percentile of the calibration videos' scores.
        calibration: ``'auto'`` (``<checkpoint>.calib.json`` if it exists), a path, a
            :class:`~vadkit.apis.Calibration`, or ``None``.
        causal_norm: Causal rescaling: ``'calibration'`` (z-score with the calibration
            statistics) or ``'running'`` (z-score with the last ``running_window`` scores).
        running_window, running_warmup: Of the running normalizer.
        batch_size: Windows per forward pass (default: the test dataloader's).
        min_event_frames: Events shorter than this are dropped.
        merge_gap: Events separated by at most this many normal frames are merged.
        cfg_options: Overrides merged into the config.
        model: An already built model (e.g. from :func:`init_detector`).
    """

    def __init__(self,
                 config: Union[str, Config, None] = None,
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 *,
                 mode: str = 'offline',
                 threshold: Optional[float] = None,
                 percentile: Optional[float] = None,
                 calibration: Union[str, Calibration, None] = 'auto',
                 causal_norm: str = 'calibration',
                 running_window: int = 500,
                 running_warmup: int = 50,
                 batch_size: Optional[int] = None,
                 min_event_frames: int = 1,
                 merge_gap: int = 0,
                 cfg_options: Optional[dict] = None,
                 model: Optional[nn.Module] = None) -> None:
        if mode not in MODES:
            raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
        Thresholds.check_arguments(threshold, percentile, causal_norm, min_event_frames,
                                   merge_gap)
        members: List[nn.Module] = []
        ensemble: Optional[TrainedEnsemble] = None
        self.member_checkpoints: Optional[List[str]] = None  # of an ensemble's work dir
        self.member_untrained_tasks: Optional[List[List[str]]] = None  # their task_skill
        if model is None and is_ensemble_dir(checkpoint):
            if mode != 'offline':
                raise ValueError(
                    f'{checkpoint} is an ensemble: its members\' scores are rescaled per '
                    'video before they are averaged, which needs whole videos; detect with '
                    "mode='offline' (--mode offline), or give one member's checkpoint")
            checkpoint = checkpoint.rstrip('/')
            ensemble = read_ensemble(checkpoint)
            self.member_checkpoints = ensemble.member_checkpoints
            self.member_untrained_tasks = member_untrained_tasks(self.member_checkpoints)
            members = [init_detector(config, c, device, cfg_options)
                       for c in self.member_checkpoints]
            model = members[0]
            model.checkpoint = checkpoint
        if model is None:
            if config is None:
                raise ValueError('AnomalyDetector needs a config (and checkpoint) or a model')
            model = init_detector(config, checkpoint, device, cfg_options)
        else:
            model = model.to(device).eval()
            if config is not None:
                model.cfg = load_config(config, cfg_options)
            if not hasattr(model, 'cfg'):
                raise ValueError('pass the config with the model (the model has no .cfg)')
        join_cpu_share()  # threads = this job's share while other vadkit jobs run
        self.model = model
        self.cfg: Config = model.cfg
        self.checkpoint = checkpoint if checkpoint is not None else getattr(
            model, 'checkpoint', None)
        self.config_path = getattr(model, 'config_path', None) or (
            config if isinstance(config, str) else self.cfg.filename)
        self.device = device
        self.mode = mode
        self.window_length, self.decode_pipeline = window_settings(self.cfg, model)
        self.decoder = FrameDecoder(self.decode_pipeline)
        self.batch_size = int(batch_size or (self.cfg.get('test_dataloader') or {}).get(
            'batch_size', 32) or 32)
        hflip = bool((self.cfg.get('test_cfg') or {}).get('hflip_average', False))
        self.member_scorers = [WindowScorer(m, self.window_length, self.batch_size,
                                            hflip_average=hflip) for m in members or [model]]
        self.scorer = self.member_scorers[0]
        self.offline = OfflineFusion(find_frame_metric_cfg(self.cfg))
        if ensemble is not None and ensemble.score_weights is not None:
            self.offline.weights = ensemble.score_weights  # measured across the members
        self.score_weights = self.offline.weights
        self.thresholds = Thresholds(self.score_weights, self.checkpoint, calibration,
                                     threshold, percentile, causal_norm, running_window,
                                     running_warmup, min_event_frames, merge_gap,
                                     self.member_checkpoints)
        self.threshold, self.threshold_source = self.resolve_threshold(mode)

    # ------------------------------------------------------------------ thresholds
    # the threshold settings, as given (:class:`~vadkit.apis.thresholds.Thresholds`)
    calibration = _threshold_setting('calibration')
    fixed_threshold = _threshold_setting('fixed_threshold')
    percentile = _threshold_setting('percentile')
    causal_norm = _threshold_setting('causal_norm')
    running_window = _threshold_setting('running_window')
    running_warmup = _threshold_setting('running_warmup')
    min_event_frames = _threshold_setting('min_event_frames')
    merge_gap = _threshold_setting('merge_gap')

    def calibration_mode(self, mode: Optional[str] = None) -> str:
        """The calibration entry of ``mode``: offline, causal or running."""
        return self.thresholds.calibration_mode(mode or self.mode)

    def resolve_threshold(self, mode: Optional[str] = None) -> Tuple[Optional[float], str]:
        """The threshold of ``mode`` and where it comes from."""
        return self.thresholds.resolve(mode or self.mode)

    def causal_fusion(self) -> CausalFusion:
        """A fresh causal fusion (its own running state)."""
        return self.thresholds.causal_fusion()

    def offline_fusion(self, raw: Dict[str, np.ndarray]
                       ) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
        """The test evaluator's fusion of one whole video's raw scores (for an ensemble,
        of its members' averaged normalized scores)."""
        return self.offline(raw, averaged=bool(self.member_checkpoints))

    def new_tracker(self, fps: float, threshold: Optional[float] = None) -> EventTracker:
        return self.thresholds.tracker(self.threshold if threshold is None else threshold, fps)

    # ------------------------------------------------------------------ inference
    def decoded_frames(self, source: FrameSource) -> Iterator[np.ndarray]:
        """Raw frames of ``source`` through the test decode pipeline."""
        shape = None
        for i, raw in enumerate(source.frames(gray=self.decoder.gray)):
            frame = self.decoder.apply(raw)
            if shape is None:
                shape = frame.shape
            elif frame.shape != shape:
                raise InputError(
                    f'frame {i} of {source.location} decodes to {frame.shape} but earlier '
                    f'frames to {shape}: the input mixes resolutions; add '
                    "dict(type='Resize', size=(H, W)) to the config's decode pipeline")
            yield frame

    def infer(self, windows: Sequence[np.ndarray], heatmaps: bool = False
              ) -> Tuple[Dict[str, List[float]], Optional[np.ndarray]]:
        """Raw scores of a batch of decoded windows ``(L, H, W[, C])`` uint8, and their
        uint8 heat maps (when asked for)."""
        refresh_cpu_share()
        with self._input_errors():
            scores, maps = self.scorer.score_windows(windows, heatmaps)
        return ({n: v.tolist() for n, v in scores.items()},
                heatmap_of(maps) if maps is not None else None)

    @contextlib.contextmanager
    def _input_errors(self) -> Iterator[None]:
        """A model that cannot score the frames is an input error (frame size)."""
        try:
            yield
        except RuntimeError as e:
            raise InputError(
                f'the model cannot score these windows of {self.window_length} frames: '
                f'{str(e).splitlines()[0]}. Frames must decode to the size the model was '
                'trained on: check the Resize of the config\'s test decode pipeline') from e

    def raw_scores(self, source, progress: bool = False, heatmaps: bool = False,
                   batch_size: Optional[int] = None) -> RawScores:
        """Raw task scores of every window of one input (of an ensemble: each score
        rescaled per video in each member, averaged over the members; heat maps of its
        first member)."""
        src = open_source(source)
        counter = CountedFrames(self.decoded_frames(src), src, progress)
        try:
            runs = self._window_rows(iter(counter), batch_size, heatmaps)
        finally:
            counter.close()
        n = counter.count
        if n == 0:
            raise InputError(f'no frames could be decoded from {src.location}: the video is '
                             'empty, truncated, or in a codec OpenCV cannot decode')
        if n < self.window_length:
            raise InputError(
                f'{src.location} has {n} frame(s), fewer than the {self.window_length} frames '
                f'of one window (window_length of the config): a video must be at least '
                f'{self.window_length} frames long to be scored')
        idx, rows, heat = runs[0]
        names = list(rows[0])
        scores = [{k: np.array([r[k] for r in run_rows], dtype=np.float64) for k in names}
                  for _, run_rows, _ in runs]
        if self.member_checkpoints:  # an ensemble, of one member too: as its test scores
            scores = [average_rescaled(scores, self.offline.normalizer,
                                       self.member_untrained_tasks)]
        return RawScores(np.asarray(idx, dtype=np.int64), scores[0], n,
                         heat if heatmaps else None)

    def _window_rows(self, frames: Iterator[np.ndarray], batch_size: Optional[int],
                     heatmaps: bool) -> List[tuple]:
        """(frame indices, raw score rows, heat maps) of every window of decoded ``frames``,
        for each scorer (the model, or each member of an ensemble) in one pass: each batch
        of windows is scored by every scorer as soon as it is full, so only a window of
        frames and a batch are held, not the video (heat maps of the first scorer)."""
        runs: List[tuple] = [([], [], []) for _ in self.member_scorers]
        first = self.member_scorers[0]
        with self._input_errors(), contextlib.ExitStack() as prepared:
            for scorer in self.member_scorers:
                prepared.enter_context(scorer.prepared())
            for ends, windows in first.iter_window_batches(_refreshing(frames),
                                                           batch_size or self.batch_size):
                for k, scorer in enumerate(self.member_scorers):
                    idx, rows, heat = runs[k]
                    scores = scorer.score_windows(windows, heatmaps and k == 0)
                    for i, row, emap in scorer.window_rows(ends, scores):
                        idx.append(i)
                        rows.append(row)
                        heat.append(_frame_heatmap(emap))
        return runs

    def score_video(self, source, fps: Optional[float] = None, name: Optional[str] = None,
                    progress: bool = False, heatmaps: bool = False,
                    batch_size: Optional[int] = None) -> DetectionResult:
        """Score one video: a path, a frame folder, an iterable of frames or a source.

        Args:
            source: Video file, frame folder, iterable of uint8 frames ((H, W) grey or
                (H, W, 3) BGR), or a :class:`~vadkit.apis.sources.FrameSource`.
            fps: Frame rate override (frame folders and iterables default to 25).
            name: Name of the result (default: file or folder name).
            progress: Show a progress bar with frames per second.
            heatmaps: Keep a per-frame error map (for annotated videos).
            batch_size: Windows per forward pass.
        """
        fps = check_fps(fps)
        src = open_source(source, fps=fps, name=name)
        if fps:
            src.fps, src.fps_known = fps, True
        if name:
            src.name = name
        raw = self.raw_scores(src, progress, heatmaps, batch_size)
        n, idx = raw.num_frames, raw.frame_idx
        if self.mode == 'offline':
            combined, normalized = self.offline_fusion(raw.scores)
            normalization = 'per video: ' + ', '.join(
                f'{k} {self.offline.normalizer_cfg_of(k).get("type", "?")}'
                for k in self.score_weights)
        else:
            fusion = self.causal_fusion()
            combined, normalized = fusion.run(raw.scores)
            normalization = 'causal: ' + fusion.describe()

        def full(values: np.ndarray) -> np.ndarray:
            return full_column(n, idx, values)

        scores = full(combined)
        mask = np.zeros(n, dtype=bool)
        mask[idx] = True
        events: List[Event] = []
        if self.threshold is not None:
            events = extract_events(scores, self.threshold, src.fps, self.min_event_frames,
                                    self.merge_gap)
        maps = None
        if heatmaps:
            maps = [None] * n
            for i, h in zip(idx.tolist(), raw.heatmaps):
                maps[i] = h
        return DetectionResult(
            name=src.name, source=src.location, fps=src.fps, num_frames=n,
            window_length=self.window_length, mode=self.mode, normalization=normalization,
            score_weights=dict(self.score_weights),
            raw={k: full(v) for k, v in raw.scores.items()},
            normalized={k: full(v) for k, v in normalized.items()}, scores=scores, mask=mask,
            threshold=self.threshold, threshold_source=self.threshold_source, events=events,
            heatmaps=maps, header_frames=src.header_frames)

    def streaming(self, **kwargs) -> 'StreamingDetector':  # noqa: F821
        """A :class:`~vadkit.apis.StreamingDetector` sharing this model and calibration."""
        if self.member_checkpoints:
            raise ValueError(f'{self.checkpoint} is an ensemble, which detects whole videos '
                             '(offline) only: stream with one member\'s checkpoint')
        from .streaming import StreamingDetector
        return StreamingDetector(self, **kwargs)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(config={self.config_path}, checkpoint={self.checkpoint}, '
                f'mode={self.mode}, window_length={self.window_length}, '
                f'threshold={self.threshold} [{self.threshold_source}])')


def _frame_heatmap(emap) -> Optional[np.ndarray]:
    """The uint8 heat map of one window's error map (``None`` without one)."""
    return heatmap_of(emap[None])[0] if emap is not None else None


def _refreshing(frames: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    """``frames``, adjusting the threads to this job's CPU share as they come."""
    for frame in frames:
        refresh_cpu_share()
        yield frame
