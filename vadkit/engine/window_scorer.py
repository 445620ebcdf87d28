"""The one way vadkit scores windows of frames: frames in, raw task scores out.

The test loop, :class:`~vadkit.apis.AnomalyDetector` (offline and causal), the
:class:`~vadkit.apis.StreamingDetector`, calibration and the export check all score
through a :class:`WindowScorer`, so they give the same raw scores for the same frames:
the model in eval mode with BatchNorm folded into the convolutions and its 5-D weights in
the model's test memory layout (:func:`~vadkit.engine.inference_model.inference_model`),
under ``torch.inference_mode``. Windows are ``window_length`` consecutive decoded frames
(stride 1); each window's scores belong to its last frame.
"""
import contextlib
from collections import deque
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.model import is_model_wrapper
from torch import Tensor, nn

from .inference_model import _layout_of, inference_model

__all__ = ['WindowScorer', 'WindowScores', 'window_settings']

#: ``(scores by name, error map or None)`` of a batch of windows.
WindowScores = Tuple[Dict[str, np.ndarray], Optional[Tensor]]


def window_settings(cfg, model: nn.Module) -> Tuple[int, List[dict]]:
    """``(window_length, decode_pipeline)`` of the config's test dataset.

    Both are the config's ``test_dataloader.dataset`` ones, or the dataset's defaults
    where it gives none (what ``tools/test.py`` uses then).

    Raises:
        ValueError: If the window is shorter than the model reads
            (``model.test_window_length``).
    """
    from vadkit.datasets.video_window_dataset import DEFAULT_DECODE_PIPELINE, DEFAULT_WINDOW_LENGTH
    test_ds = (cfg.get('test_dataloader') or {}).get('dataset') or {}
    needs = getattr(model, 'test_window_length', None)
    length = int(test_ds.get('window_length', DEFAULT_WINDOW_LENGTH))
    if needs is not None and length < needs:
        clip_len = getattr(model, 'clip_len', needs)
        raise ValueError(f'test_dataloader.dataset.window_length is {length} but the model '
                         f'needs windows of {needs} frames (clip_len {clip_len}'
                         f'{" + 1 for FFP" if needs > clip_len else ""})')
    pipeline = test_ds.get('decode_pipeline', DEFAULT_DECODE_PIPELINE)
    return length, [dict(c) for c in pipeline]


class WindowScorer:
    """Scores windows of decoded frames with a model, the way the test does.

    Args:
        model: The model (or a model wrapper) with ``predict_scores``.
        window_length: Frames per window (see :func:`window_settings`).
        batch_size: Windows per forward pass of :meth:`iter_window_scores`.
        fuse_conv_bn, compile, memory_format: Of
            :func:`~vadkit.engine.inference_model.inference_model`.
        hflip_average: Test-time augmentation: score each window also mirrored left-right
            (a second forward pass) and average the two scores (and error maps, the
            mirrored one mirrored back). Off by default: then nothing changes.

    The model is prepared (BatchNorm folded, test layout) for each call, or once for a
    whole block under :meth:`prepared`; outside, it is left as it was.
    """

    def __init__(self, model: nn.Module, window_length: Optional[int] = None,
                 batch_size: int = 32, fuse_conv_bn: bool = True,
                 compile: Union[bool, dict] = False,
                 memory_format: Union[str, None, torch.memory_format] = 'auto',
                 hflip_average: bool = False) -> None:
        self.model = model
        self.hflip_average = bool(hflip_average)
        inner = model.module if is_model_wrapper(model) else model
        self.window_length = int(window_length or getattr(inner, 'test_window_length', 0))
        self.batch_size = int(batch_size)
        self.fuse_conv_bn, self.compile, self.memory_format = (fuse_conv_bn, compile,
                                                               memory_format)
        self._inner: Optional[nn.Module] = None

    @contextlib.contextmanager
    def prepared(self) -> Iterator[nn.Module]:
        """Within the block the model stays ready for inference (nested blocks reuse it)."""
        if self._inner is not None:
            yield self._inner
            return
        with inference_model(self.model, self.fuse_conv_bn, self.compile,
                             self.memory_format) as inner:
            self._inner = inner
            try:
                yield inner
            finally:
                self._inner = None

    # ------------------------------------------------------------------ tensors
    def score_clips(self, clips: Tensor, error_maps: bool = False
                    ) -> Tuple[Dict[str, Tensor], Dict[str, Tensor]]:
        """Raw scores ``(B,)`` by name of preprocessed clips ``(B, C, L, H, W)`` in [-1, 1],
        and (``error_maps=True``) each error-scored task's error map ``(B, h, w)``."""
        with self.prepared() as inner, torch.inference_mode():
            scores, maps = self._score(inner, clips, error_maps)
            if not self.hflip_average:
                return scores, maps
            mirrored = clips.flip(-1).contiguous(memory_format=_layout_of(clips))
            m_scores, m_maps = self._score(inner, mirrored, error_maps)
            return ({n: (v + m_scores[n]) / 2 for n, v in scores.items()},
                    {n: (v + m_maps[n].flip(-1)) / 2 for n, v in maps.items()})

    @staticmethod
    def _score(inner: nn.Module, clips: Tensor, error_maps: bool
               ) -> Tuple[Dict[str, Tensor], Dict[str, Tensor]]:
        if error_maps:
            return inner.scores_and_error_maps(clips)
        return inner.predict_scores(clips), {}

    def preprocess(self, windows: Tensor) -> Tensor:
        """uint8 windows ``(B, C, L, H, W)`` -> float clips in [-1, 1] on the model's
        device, in the model's test layout (its data preprocessor)."""
        with self.prepared() as inner, torch.inference_mode():
            key = getattr(inner, 'test_input_key', 'window')
            data = inner.data_preprocessor(dict(inputs={key: windows}, data_samples={}),
                                           False)
            return data['inputs'][key]

    def test_step(self, data_batch: dict) -> list:
        """The model's ``test_step`` (preprocess, score, pack one record a window), scored
        by :meth:`score_clips`; models without ``predict_scores`` run their own."""
        with self.prepared() as inner, torch.inference_mode():
            if not hasattr(inner, 'pack_predictions'):
                return inner.test_step(data_batch)
            data = inner.data_preprocessor(data_batch, False)
            scores, _ = self.score_clips(inner.test_clip(data['inputs']))
            return inner.pack_predictions(scores, data.get('data_samples') or {})

    # ------------------------------------------------------------------ frames
    def score_windows(self, windows: Sequence[np.ndarray], error_maps: bool = False
                      ) -> WindowScores:
        """Raw scores (float64 arrays, one value a window) of decoded uint8 windows
        ``(L, H, W)`` or ``(L, H, W, C)``, and the error map ``(B, h, w)`` of the task
        that scores the window's last frame (``None`` if not asked for or none)."""
        batch = torch.from_numpy(np.stack(windows))
        batch = batch.unsqueeze(1) if batch.dim() == 4 else batch.permute(0, 4, 1, 2, 3)
        with self.prepared():
            scores, maps = self.score_clips(self.preprocess(batch), error_maps)
        return ({n: v.float().cpu().double().numpy() for n, v in scores.items()},
                self.last_frame_map(maps) if error_maps else None)

    def last_frame_map(self, maps: Dict[str, Tensor]) -> Optional[Tensor]:
        """Of the tasks' error maps, that of the task reading furthest into the window
        (the frame the window's score belongs to; the first such task)."""
        inner = self.model.module if is_model_wrapper(self.model) else self.model
        tasks = [h for h in getattr(inner, 'tasks', []) if h.name in maps]
        if not tasks:
            return None
        best = max(tasks, key=lambda h: getattr(h, 'frames_after_clip', 0))
        return maps[best.name]

    def iter_window_batches(self, frames: Iterable[np.ndarray],
                            batch_size: Optional[int] = None
                            ) -> Iterator[Tuple[List[int], List[np.ndarray]]]:
        """Batches ``(index of each window's last frame, windows)`` of the windows of
        decoded ``frames``, in order. Holds one window of frames plus the pending batch,
        which is given as soon as it is full (``batch_size=1``: as soon as a window ends)."""
        bs = batch_size or self.batch_size
        buf: deque = deque(maxlen=self.window_length)
        pending: List[np.ndarray] = []
        ends: List[int] = []
        for i, frame in enumerate(frames):
            buf.append(frame)
            if len(buf) == self.window_length:
                pending.append(np.stack(buf))
                ends.append(i)
                if len(pending) >= bs:
                    yield ends, pending
                    pending, ends = [], []
        if pending:
            yield ends, pending

    @staticmethod
    def window_rows(ends: List[int], scores: WindowScores
                    ) -> Iterator[Tuple[int, Dict[str, float], Optional[Tensor]]]:
        """``(index of the window's last frame, raw scores, error map)`` of each window of
        one batch scored by :meth:`score_windows`."""
        values, maps = scores
        for j, idx in enumerate(ends):
            yield idx, {n: float(v[j]) for n, v in values.items()}, (
                maps[j] if maps is not None else None)

    def iter_window_scores(self, frames: Iterable[np.ndarray],
                           batch_size: Optional[int] = None, error_maps: bool = False
                           ) -> Iterator[Tuple[int, Dict[str, float], Optional[Tensor]]]:
        """``(index of the window's last frame, raw scores, error map)`` of every window of
        ``frames`` (decoded), in order, a batch scored as soon as it is full
        (:meth:`iter_window_batches`)."""
        with self.prepared():
            for ends, windows in self.iter_window_batches(frames, batch_size):
                yield from self.window_rows(ends, self.score_windows(windows, error_maps))
