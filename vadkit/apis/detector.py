"""Score your own videos with a trained model: per-frame scores, a threshold, events.

:class:`AnomalyDetector` reproduces the test pipeline on any input: frames go through the
config's test decode pipeline (``test_dataloader.dataset.decode_pipeline``: Grayscale,
Resize), windows of ``window_length`` consecutive frames (stride 1) are scored with the
model's ``predict_scores`` (batched, under ``torch.inference_mode``), each window's scores
belong to its last frame, and task scores are fused as the test evaluator
(``FrameAUROCMetric``) fuses them. So, for the same frames, offline scores equal those
``tools/test.py`` writes to ``frame_scores.csv``. The first ``window_length - 1`` frames
end no window and get no score (NaN, ``mask`` False).

Modes: ``offline`` rescales each task per video with the evaluator's normalizers (needs
the whole video); ``causal`` rescales every frame with statistics known in advance (see
:mod:`vadkit.apis.fusion`), which is what streaming can do, and gives the same events as
:class:`~vadkit.apis.StreamingDetector` on the same input.
"""
import inspect
import json
import math
import os.path as osp
import warnings
from collections import deque
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from torch import nn

from vadkit.datasets.frame_store import FrameDecoder
from vadkit.datasets.video_window_dataset import VideoWindowDataset
from vadkit.utils.cpu_share import join_cpu_share, refresh_cpu_share

from .calibration import Calibration, calibration_path
from .events import Event, EventTracker, check_event_settings, extract_events
from .fusion import CAUSAL_NORMS, CausalFusion, OfflineFusion, find_frame_metric_cfg
from .model_loading import init_detector, load_config
from .sources import FrameSource, InputError, check_fps, open_source

MODES = ('offline', 'causal')
#: Error magnitude (in [-1, 1] pixel units) shown at full colour in heat maps.
HEATMAP_FULL_SCALE = 0.5


@dataclass
class RawScores:
    """Raw task scores of the scored frames of one input.

    Attributes:
        frame_idx: Index of each scored frame (window end), ascending.
        scores: Per score name, one raw score per scored frame.
        num_frames: Frames read from the input.
        heatmaps: Per scored frame, a uint8 error-magnitude map at model resolution
            (when asked for).
    """
    frame_idx: np.ndarray
    scores: Dict[str, np.ndarray]
    num_frames: int
    heatmaps: Optional[List[np.ndarray]] = None


@dataclass
class DetectionResult:
    """Per-frame scores and events of one video.

    Per-frame arrays have one entry per input frame; frames that end no window (the first
    ``window_length - 1``) hold NaN and are False in ``mask``.

    Attributes:
        name: Video name.
        source: Path, URL or ``<iterable>``.
        fps: Frame rate used for times in seconds.
        num_frames: Frames read.
        window_length: Frames per scored window (T + 1).
        mode: ``offline`` or ``causal``.
        normalization: How task scores were rescaled before fusion.
        score_weights: Weights of the fusion.
        raw: Raw score of each task (and extra measure) per frame.
        normalized: Rescaled score of each task per frame.
        scores: Combined (fused) anomaly score per frame.
        mask: True where the frame has a score.
        threshold: Threshold of the events (``None``: no calibration and none given).
        threshold_source: Where the threshold came from.
        events: Runs of frames scored above the threshold.
        heatmaps: Per frame, a uint8 error map or ``None`` (when asked for).
        header_frames: Frames the video file's header declares (``None``: not a video
            file, or no count); ``num_frames`` below it means a truncated or corrupt file.
    """
    name: str
    source: str
    fps: float
    num_frames: int
    window_length: int
    mode: str
    normalization: str
    score_weights: Dict[str, float]
    raw: Dict[str, np.ndarray]
    normalized: Dict[str, np.ndarray]
    scores: np.ndarray
    mask: np.ndarray
    threshold: Optional[float]
    threshold_source: str
    events: List[Event]
    heatmaps: Optional[List[Optional[np.ndarray]]] = field(default=None, repr=False)
    header_frames: Optional[int] = None

    @property
    def frames_short(self) -> int:
        """Frames the header declares beyond those that decoded (0 when unknown)."""
        return max(0, self.header_frames - self.num_frames) if self.header_frames else 0

    @property
    def score_names(self) -> List[str]:
        return list(self.raw)

    @property
    def times(self) -> np.ndarray:
        """Time of each frame in seconds."""
        return np.arange(self.num_frames) / self.fps

    @property
    def anomalous(self) -> np.ndarray:
        """Per frame: scored and above the threshold."""
        if self.threshold is None:
            return np.zeros(self.num_frames, dtype=bool)
        with np.errstate(invalid='ignore'):
            return self.mask & (self.scores > self.threshold)

    def summary(self) -> dict:
        scored = self.scores[self.mask]
        return dict(name=self.name, source=self.source, fps=self.fps,
                    num_frames=self.num_frames, decoded_frames=self.num_frames,
                    header_frames=self.header_frames, frames_short=self.frames_short,
                    scored_frames=int(self.mask.sum()),
                    mode=self.mode, threshold=self.threshold,
                    threshold_source=self.threshold_source,
                    max_score=float(np.max(scored)) if scored.size else None,
                    num_events=len(self.events),
                    anomalous_frames=int(self.anomalous.sum()))

    def events_dict(self) -> dict:
        return dict(video=self.name, source=self.source, fps=self.fps, mode=self.mode,
                    threshold=self.threshold, threshold_source=self.threshold_source,
                    events=[e.to_dict() for e in self.events])

    def to_dict(self) -> dict:
        """Everything but the heat maps, JSON-ready (NaN as ``null``)."""
        def col(a):
            return [None if not math.isfinite(x) else x for x in np.asarray(a).tolist()]
        return dict(**self.summary(), window_length=self.window_length,
                    normalization=self.normalization, score_weights=self.score_weights,
                    score_names=self.score_names, frame=list(range(self.num_frames)),
                    time=[round(t, 6) for t in self.times.tolist()],
                    scored=self.mask.tolist(), score=col(self.scores),
                    anomalous=self.anomalous.tolist(),
                    raw={n: col(v) for n, v in self.raw.items()},
                    normalized={n: col(v) for n, v in self.normalized.items()},
                    events=[e.to_dict() for e in self.events])

    def save_json(self, path: str) -> str:
        with open(path, 'w') as f:
            json.dump(self.to_dict(), f)
        return path

    def save_events(self, path: str) -> str:
        with open(path, 'w') as f:
            json.dump(self.events_dict(), f, indent=1)
        return path

    def save_csv(self, path: str) -> str:
        """One row a frame: frame, time, scored, raw_<name>..., normalized_<name>...,
        score, anomalous (empty cells for unscored frames)."""
        import csv
        names = self.score_names

        def fmt(x: float) -> str:
            return '' if not math.isfinite(x) else f'{x:.9g}'

        anomalous = self.anomalous
        with open(path, 'w', newline='') as f:
            w = csv.writer(f)
            w.writerow(['frame', 'time', 'scored'] + [f'raw_{n}' for n in names]
                       + [f'normalized_{n}' for n in names] + ['score', 'anomalous'])
            for i in range(self.num_frames):
                w.writerow([i, f'{i / self.fps:.6f}', int(self.mask[i])]
                           + [fmt(self.raw[n][i]) for n in names]
                           + [fmt(self.normalized[n][i]) for n in names]
                           + [fmt(self.scores[i]), int(anomalous[i])])
        return path


def _default_decode_pipeline() -> list:
    default = inspect.signature(VideoWindowDataset).parameters['decode_pipeline'].default
    return [dict(c) for c in default]


def _heat_from_heads(model: nn.Module, captured: Dict[str, tuple]) -> Optional[np.ndarray]:
    """Per-pixel error magnitude of the frame-producing task (FFP, else VCR), (B, H, W)
    uint8 with :data:`HEATMAP_FULL_SCALE` at 255."""
    from vadkit.models.heads import ClipReconstructionHead, FuturePredictionHead
    err = None
    for kind in (FuturePredictionHead, ClipReconstructionHead):
        for head in model.tasks:
            if isinstance(head, kind) and head.name in captured:
                feats, out = captured[head.name]
                if kind is FuturePredictionHead:
                    target = feats.clip[:, :, model.clip_len]
                    err = (out.float() - target.float()).pow(2).mean(1)
                else:
                    err = (out.float() - feats.inputs.float()).pow(2).mean((1, 2))
                break
        if err is not None:
            break
    if err is None:
        return None
    mag = err.sqrt().div_(HEATMAP_FULL_SCALE).clamp_(0, 1).mul_(255)
    return mag.round().to(torch.uint8).cpu().numpy()


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
        if causal_norm not in CAUSAL_NORMS:
            raise ValueError(f'causal_norm must be one of {CAUSAL_NORMS}, got {causal_norm!r}')
        if threshold is not None and percentile is not None:
            raise ValueError('give either a fixed threshold or a percentile, not both')
        check_event_settings(threshold, min_event_frames, merge_gap)
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
        self.causal_norm = causal_norm
        self.running_window, self.running_warmup = int(running_window), int(running_warmup)
        self.min_event_frames, self.merge_gap = int(min_event_frames), int(merge_gap)

        test_ds = (self.cfg.get('test_dataloader') or {}).get('dataset') or {}
        self.window_length = int(test_ds.get('window_length', inspect.signature(
            VideoWindowDataset).parameters['window_length'].default))
        self._check_window_length()
        self.decode_pipeline = [dict(c) for c in test_ds.get('decode_pipeline',
                                                             _default_decode_pipeline())]
        self.decoder = FrameDecoder(self.decode_pipeline)
        self.batch_size = int(batch_size or (self.cfg.get('test_dataloader') or {}).get(
            'batch_size', 32) or 32)
        self.offline = OfflineFusion(find_frame_metric_cfg(self.cfg))
        self.score_weights = self.offline.weights

        self.calibration = self._load_calibration(calibration)
        self.fixed_threshold, self.percentile = threshold, percentile
        self.threshold, self.threshold_source = self.resolve_threshold(mode)

    # ------------------------------------------------------------------ set-up
    def _check_window_length(self) -> None:
        from vadkit.models.heads import FuturePredictionHead
        clip_len = getattr(self.model, 'clip_len', None)
        if clip_len is None:
            return
        needs = clip_len + 1 if any(isinstance(h, FuturePredictionHead)
                                    for h in getattr(self.model, 'tasks', [])) else clip_len
        if self.window_length < needs:
            raise ValueError(f'test_dataloader.dataset.window_length is {self.window_length} '
                             f'but the model needs windows of {needs} frames (clip_len '
                             f'{clip_len}{" + 1 for FFP" if needs > clip_len else ""})')

    def _load_calibration(self, calibration) -> Optional[Calibration]:
        if isinstance(calibration, Calibration):
            cal = calibration
        elif calibration == 'auto':
            path = calibration_path(self.checkpoint) if self.checkpoint else None
            if not path or not osp.isfile(path):
                return None
            cal = Calibration.load(path)
        elif calibration is None:
            return None
        else:
            if not osp.isfile(str(calibration)):
                raise InputError(f'calibration file {calibration!r} does not exist: write it '
                                 'with tools/calibrate.py CONFIG CHECKPOINT')
            cal = Calibration.load(str(calibration))
        cal.check(self.score_weights, self.checkpoint)
        return cal

    def calibration_mode(self, mode: Optional[str] = None) -> str:
        """The calibration entry of ``mode``: offline, causal or running."""
        mode = mode or self.mode
        if mode == 'offline':
            return 'offline'
        return 'causal' if self.causal_norm == 'calibration' else 'running'

    def resolve_threshold(self, mode: Optional[str] = None) -> Tuple[Optional[float], str]:
        """The threshold of ``mode`` and where it comes from."""
        if self.fixed_threshold is not None:
            return float(self.fixed_threshold), 'fixed'
        key = self.calibration_mode(mode)
        if self.calibration is None:
            if self.percentile is not None:
                raise InputError(
                    f'a percentile threshold needs a calibration file (looked for '
                    f'{calibration_path(self.checkpoint) if self.checkpoint else "none"}): '
                    'run tools/calibrate.py CONFIG CHECKPOINT first, or give a fixed '
                    'threshold')
            return None, 'none (no calibration file and no fixed threshold)'
        p = self.percentile if self.percentile is not None else self.calibration.percentile
        entry = self.calibration.modes.get(key, {})
        if key == 'running' and (entry.get('window'), entry.get('warmup')) != (
                self.running_window, self.running_warmup):
            warnings.warn(f'calibration {self.calibration.path} rated the running normalizer '
                          f'with window {entry.get("window")} and warm-up '
                          f'{entry.get("warmup")}, not {self.running_window} and '
                          f'{self.running_warmup}: its threshold may not fit; recalibrate '
                          'with the same --running-window/--running-warmup', stacklevel=3)
        return (self.calibration.threshold(key, p),
                f'calibration {self.calibration.path or ""} ({key} mode, percentile {p:g})')

    def causal_fusion(self) -> CausalFusion:
        """A fresh causal fusion (its own running state)."""
        stats = self.calibration.stats if self.calibration is not None else None
        if self.causal_norm == 'calibration' and stats is None:
            where = calibration_path(self.checkpoint) if self.checkpoint else 'no checkpoint'
            raise InputError(
                'causal scoring rescales each frame with statistics of normal videos, and '
                f'there is no calibration file ({where}): run tools/calibrate.py CONFIG '
                "CHECKPOINT, or use causal_norm='running' (--causal-norm running)")
        return CausalFusion(self.score_weights, self.causal_norm, stats, self.running_window,
                            self.running_warmup)

    def offline_fusion(self, raw: Dict[str, np.ndarray]
                       ) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
        """The test evaluator's fusion of one whole video's raw scores."""
        return self.offline(raw)

    def new_tracker(self, fps: float, threshold: Optional[float] = None) -> EventTracker:
        thr = self.threshold if threshold is None else threshold
        return EventTracker(thr, fps, self.min_event_frames, self.merge_gap)

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
        """Raw scores of a batch of decoded windows ``(L, H, W[, C])`` uint8."""
        batch = torch.from_numpy(np.stack(windows))
        batch = batch.unsqueeze(1) if batch.dim() == 4 else batch.permute(0, 4, 1, 2, 3)
        key = getattr(self.model, 'test_input_key', 'window')
        captured: Dict[str, tuple] = {}
        handles = []
        if heatmaps:
            for head in getattr(self.model, 'tasks', []):
                handles.append(head.register_forward_hook(
                    lambda m, args, out: captured.__setitem__(m.name, (args[0], out))))
        refresh_cpu_share()
        try:
            with torch.inference_mode():
                data = self.model.data_preprocessor(dict(inputs={key: batch}, data_samples={}),
                                                    False)
                try:
                    scores = self.model.predict_scores(data['inputs'][key])
                except RuntimeError as e:
                    raise InputError(
                        f'the model cannot score windows of shape {tuple(batch.shape[1:])} '
                        f'(C, L, H, W): {str(e).splitlines()[0]}. Frames must decode to the '
                        'size the model was trained on: check the Resize of the config\'s '
                        'test decode pipeline') from e
                heat = _heat_from_heads(self.model, captured) if heatmaps else None
        finally:
            for h in handles:
                h.remove()
        return {n: v.float().cpu().tolist() for n, v in scores.items()}, heat

    def iter_window_scores(self, frames: Iterator[np.ndarray], batch_size: Optional[int] = None,
                           heatmaps: bool = False
                           ) -> Iterator[Tuple[int, Dict[str, float], Optional[np.ndarray]]]:
        """``(frame index, raw scores, heat map)`` of every window of ``frames``, in order.

        Holds one window of frames plus the pending batch; scores a batch as soon as it is
        full (``batch_size=1``: as soon as a window ends).
        """
        bs = batch_size or self.batch_size
        buf: deque = deque(maxlen=self.window_length)
        pending: List[np.ndarray] = []
        ends: List[int] = []

        def flush():
            scores, heat = self.infer(pending, heatmaps)
            for j, idx in enumerate(ends):
                yield idx, {n: v[j] for n, v in scores.items()}, (
                    heat[j] if heat is not None else None)
            pending.clear()
            ends.clear()

        for i, frame in enumerate(frames):
            buf.append(frame)
            if len(buf) == self.window_length:
                pending.append(np.stack(buf))
                ends.append(i)
                if len(pending) >= bs:
                    yield from flush()
        if pending:
            yield from flush()

    def raw_scores(self, source, progress: bool = False, heatmaps: bool = False,
                   batch_size: Optional[int] = None) -> RawScores:
        """Raw task scores of every window of one input."""
        src = open_source(source)
        counter = _Counter(self.decoded_frames(src), src, progress)
        idx, rows, heat = [], [], []
        try:
            for i, scores, h in self.iter_window_scores(iter(counter), batch_size, heatmaps):
                idx.append(i)
                rows.append(scores)
                heat.append(h)
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
        names = list(rows[0])
        return RawScores(np.asarray(idx, dtype=np.int64),
                         {k: np.array([r[k] for r in rows], dtype=np.float64) for k in names},
                         n, heat if heatmaps else None)

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
            out = np.full(n, np.nan, dtype=np.float64)
            out[idx] = values
            return out

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
        from .streaming import StreamingDetector
        return StreamingDetector(self, **kwargs)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(config={self.config_path}, checkpoint={self.checkpoint}, '
                f'mode={self.mode}, window_length={self.window_length}, '
                f'threshold={self.threshold} [{self.threshold_source}])')


class _Counter:
    """Counts frames through an iterator and drives an optional tqdm bar (frames/s)."""

    def __init__(self, frames: Iterator[np.ndarray], source: FrameSource, progress: bool):
        self.frames, self.count = frames, 0
        self.bar = None
        if progress:
            from tqdm import tqdm
            self.bar = tqdm(total=source.num_frames, desc=source.name, unit='frame',
                            dynamic_ncols=True, mininterval=0.5, leave=True)

    def __iter__(self):
        for f in self.frames:
            self.count += 1
            if self.bar is not None:
                self.bar.update(1)
            yield f

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

