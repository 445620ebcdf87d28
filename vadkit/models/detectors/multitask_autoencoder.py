"""One autoencoder, any list of tasks: LUSS-AE and its ablations are configs of this."""
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmengine.model import BaseModel
from torch import Tensor, nn

from vadkit.registry import BACKBONES, MODELS, TASK_HEADS

from ..backbones.base_backbone import BaseBackbone
from ..heads.base_task_head import BaseTaskHead, ClipFeatures


@MODELS.register_module()
class MultiTaskAutoEncoder(BaseModel):
    """A shared encoder/decoder and a list of tasks trained jointly.

    ``loss`` mode returns ``loss_<task>`` = lambda * task loss for each task; ``predict``
    mode returns, for each test window, the raw score of every task (and extra measure);
    ``tensor`` mode returns the task outputs. Each input clip is encoded once and decoded at
    most once, whatever the number of tasks reading it.

    Memory layout: when the model is moved to a device (``model.to(device)``, as the runner
    does), its 5-D weights take the training layout its data preprocessor chooses for that
    device (``use_channels_last``); ``vadkit.engine.inference_model`` (the test loop)
    switches them to the test layout for the test. Clips are given the weights' layout
    before the encoder. Scores do not depend on it beyond float32 rounding.

    Args:
        backbone: Config of a backbone with ``encode``/``decode`` (from ``BACKBONES``).
        tasks: Configs of task heads (from ``TASK_HEADS``); names must be unique.
        clip_len: T, the number of frames the encoder sees.
        test_input_key: The clip every task reads at test time.
        encode_together: In training, encode the clips of all input keys (the window and
            the playback-rate clip) in one encoder pass, so that BatchNorm normalises one
            batch of every kind of clip, as its running statistics (used at test time)
            average them; otherwise each kind is a batch of its own. The decoder still runs
            only on the clips of tasks that use it.
        data_preprocessor: Config of the data preprocessor.
    """

    def __init__(self,
                 backbone: dict,
                 tasks: List[dict],
                 clip_len: int = 16,
                 test_input_key: str = 'window',
                 encode_together: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='ClipDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if not tasks:
            raise ValueError('MultiTaskAutoEncoder needs at least one task in `tasks`')
        self.backbone = BACKBONES.build(backbone)
        if not isinstance(self.backbone, BaseBackbone):
            raise TypeError(f'backbone {type(self.backbone).__name__} must subclass '
                            'vadkit.models.backbones.BaseBackbone (its contract: in_channels, '
                            'code_channels, total_stride, encode, decode)')
        self.clip_len = clip_len
        t_stride = self.backbone.total_stride()[0]
        if clip_len % t_stride:
            raise ValueError(
                f'clip_len={clip_len} is not a multiple of the backbone\'s temporal stride '
                f'{t_stride}: the decoder could not give back {clip_len} frames. Use a '
                f'clip_len multiple of {t_stride} or temporal strides of 1 in backbone.strides')
        self.test_input_key = test_input_key
        self.encode_together = encode_together
        shared = dict(code_channels=self.backbone.code_channels,
                      frame_channels=self.backbone.in_channels, clip_len=clip_len)
        heads = [TASK_HEADS.build(cfg, default_args=shared) for cfg in tasks]
        names = [h.name for h in heads]
        if len(set(names)) != len(names):
            raise ValueError(f'task names must be unique, got {names}')
        self.tasks: List[BaseTaskHead] = nn.ModuleList(heads)  # type: ignore[assignment]
        self._memory_format: Optional[torch.memory_format] = None

    def preferred_memory_format(self, device: Optional[torch.device] = None,
                                training: bool = True) -> Optional[torch.memory_format]:
        """The layout the data preprocessor chooses for the 5-D weights on ``device``
        (``None`` if it has no opinion)."""
        use_cl = getattr(self.data_preprocessor, 'use_channels_last', None)
        if not callable(use_cl):
            return None
        return torch.channels_last_3d if use_cl(device, training) else torch.contiguous_format

    def _set_device(self, device: torch.device) -> None:
        # BaseModel.to()/cuda()/cpu() call this before moving the parameters: the layout is
        # settled here, before an optimizer, a DDP wrapper or torch.compile sees them.
        super()._set_device(device)
        fmt = self.preferred_memory_format(device, training=True)
        if fmt is not None:
            self.set_memory_format(fmt)

    @property
    def memory_format(self) -> Optional[torch.memory_format]:
        """The layout of the 5-D weights (``None``: never set, PyTorch's default)."""
        return self._memory_format

    def set_memory_format(self, memory_format: torch.memory_format) -> None:
        """Store every 5-D parameter and buffer (3D convolution weights) in
        ``memory_format`` (``torch.channels_last_3d`` or ``torch.contiguous_format``) and
        give input clips the same layout; 4-D ones (a head's 2D convolutions) take the 2-D
        counterpart (``torch.channels_last``). In place: the parameters stay the same
        objects."""
        formats = {5: memory_format,
                   4: (torch.channels_last if memory_format == torch.channels_last_3d else
                       torch.contiguous_format)}
        with torch.no_grad():
            for t in list(self.parameters()) + list(self.buffers()):
                fmt = formats.get(t.dim())
                if fmt is not None and not t.is_contiguous(memory_format=fmt):
                    t.data = t.data.contiguous(memory_format=fmt)
                    if t.grad is not None:
                        t.grad = t.grad.contiguous(memory_format=fmt)
        self._memory_format = memory_format

    @property
    def task_names(self) -> List[str]:
        return [h.name for h in self.tasks]

    @property
    def test_window_length(self) -> int:
        """Frames of one test window: ``clip_len`` plus what a task reads after it (the
        future frame of FFP)."""
        return self.clip_len + max([h.frames_after_clip for h in self.tasks] + [0])

    def extract_features(self, clip: Tensor, decode: bool = True) -> ClipFeatures:
        """Encode the first ``clip_len`` frames of ``clip`` (and decode them once)."""
        inputs = self._encoder_input(clip)
        return self._features(clip, inputs, self.backbone.encode(inputs), decode)

    def _encoder_input(self, clip: Tensor) -> Tensor:
        if clip.dim() != 5 or clip.shape[2] < self.clip_len:
            raise ValueError(f'expected clips (B, C, L>={self.clip_len}, H, W), got '
                             f'{tuple(clip.shape)}')
        inputs = clip[:, :, :self.clip_len]
        if self._memory_format is not None:
            inputs = inputs.contiguous(memory_format=self._memory_format)
        return inputs

    def _features(self, clip: Tensor, inputs: Tensor, code: Tensor,
                  decode: bool) -> ClipFeatures:
        decoded = self.backbone.decode(code) if decode else None
        if decoded is not None and decoded.shape != inputs.shape:
            raise ValueError(
                f'the backbone decodes clips of shape {tuple(inputs.shape[1:])} to '
                f'{tuple(decoded.shape[1:])}: frame height and width must be multiples of '
                'the backbone\'s total spatial stride (set the decode Resize size)')
        return ClipFeatures(clip=clip, inputs=inputs, code=code, decoded=decoded)

    def _extract_together(self, clips: Dict[str, Tensor],
                          decode: Dict[str, bool]) -> Dict[str, ClipFeatures]:
        """Features of several batches of clips from one encoder pass."""
        inputs = {key: self._encoder_input(clip) for key, clip in clips.items()}
        shapes = {tuple(x.shape[1:]) for x in inputs.values()}
        if len(shapes) > 1:
            raise ValueError(f'encode_together needs clips of one shape, got '
                             f'{ {k: tuple(x.shape) for k, x in inputs.items()} }')
        codes = self.backbone.encode(torch.cat(list(inputs.values()))).split(
            [x.shape[0] for x in inputs.values()])
        return {
            key: self._features(clips[key], inputs[key], code, decode[key])
            for key, code in zip(inputs, codes)
        }

    def _clip(self, inputs: Dict[str, Tensor], key: str, task: str) -> Tensor:
        if key not in inputs:
            raise KeyError(f"task '{task}' reads '{key}' but the batch holds "
                           f'{sorted(inputs)}: add the transform that samples it to the '
                           'pipeline (e.g. SampleWindow, SamplePlaybackRateClip)')
        return inputs[key]

    def forward(self,
                inputs: Dict[str, Tensor],
                data_samples: Optional[dict] = None,
                mode: str = 'tensor') -> Union[Dict[str, Tensor], list]:
        data_samples = data_samples or {}
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            feats = self.extract_features(self._clip(inputs, self.test_input_key, 'tensor'))
            return {h.name: h(feats) for h in self.tasks}
        raise ValueError(f'invalid mode "{mode}": use "loss", "predict" or "tensor"')

    def loss(self, inputs: Dict[str, Tensor], data_samples: dict) -> Dict[str, Tensor]:
        readers: Dict[str, List[BaseTaskHead]] = {}
        for h in self.tasks:
            readers.setdefault(h.input_key, []).append(h)
        clips = {key: self._clip(inputs, key, heads[0].name) for key, heads in readers.items()}
        decode = {key: any(h.uses_decoder for h in heads) for key, heads in readers.items()}
        if self.encode_together and len(clips) > 1:
            feats = self._extract_together(clips, decode)
        else:
            feats = {key: self.extract_features(clip, decode[key]) for key, clip in clips.items()}
        losses = {}
        for h in self.tasks:
            f = feats[h.input_key]
            losses[f'loss_{h.name}'] = h.loss_weight * h.loss(h(f), f, data_samples)
            # a sum of losses (WeightedSumLoss): each term in the log as loss_<task>.<term>,
            # lambda-weighted like its total (parse_losses does not add them again)
            for term, value in (getattr(h.loss_fn, 'last_terms', None) or {}).items():
                losses[f'loss_{h.name}.{term}'] = h.loss_weight * value
        return losses

    def parse_losses(self, losses: Dict[str, Tensor]):
        """mmengine's total and log, but the terms of a task's sum of losses
        (``loss_<task>.<term>``, detached) are logged beside their task's total, not added to
        the total a second time."""
        terms = {k: v for k, v in losses.items() if self._is_loss_term(k)}
        total, log_vars = super().parse_losses(
            {k: v for k, v in losses.items() if k not in terms})
        log_vars.update((k, v.mean()) for k, v in terms.items())
        return total, log_vars

    def _is_loss_term(self, key: str) -> bool:
        return any(key.startswith(f'loss_{h.name}.') for h in self.tasks)

    def predict_scores(self, clip: Tensor) -> Dict[str, Tensor]:
        """Raw scores ``(B,)`` of every task for a batch of test windows."""
        return self.scores_and_error_maps(clip, error_maps=False)[0]

    def scores_and_error_maps(self, clip: Tensor, error_maps: bool = True
                              ) -> Tuple[Dict[str, Tensor], Dict[str, Tensor]]:
        """Raw scores ``(B,)`` of every task and, by task name, the error map ``(B, h, w)``
        of each task scored by an error measure (from the same forward pass)."""
        feats = self.extract_features(clip, any(h.uses_decoder for h in self.tasks))
        scores: Dict[str, Tensor] = {}
        maps: Dict[str, Tensor] = {}
        for h in self.tasks:
            out = h(feats)
            scores.update(h.score(out, feats))
            if error_maps:
                m = h.error_map(out, feats)
                if m is not None:
                    maps[h.name] = m
        return scores, maps

    def test_clip(self, inputs: Dict[str, Tensor]) -> Tensor:
        """The clip of a preprocessed test batch that every task reads."""
        return self._clip(inputs, self.test_input_key, 'predict')

    def predict(self, inputs: Dict[str, Tensor], data_samples: dict) -> List[dict]:
        return self.pack_predictions(self.predict_scores(self.test_clip(inputs)), data_samples)

    def pack_predictions(self, scores: Dict[str, Tensor], data_samples: dict) -> List[dict]:
        """One record a window: its data samples' tensors and its ``scores`` by name."""
        names = list(scores)
        table = torch.stack([scores[n].float() for n in names], 1).cpu().tolist()
        meta = {k: v.cpu().tolist() for k, v in data_samples.items() if torch.is_tensor(v)}
        results = []
        for i, row in enumerate(table):
            record = {k: v[i] for k, v in meta.items()}
            record['scores'] = dict(zip(names, row))
            results.append(record)
        return results
