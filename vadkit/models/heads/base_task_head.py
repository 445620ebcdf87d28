"""The task: the unit of extension of a multi-task autoencoder."""
from dataclasses import dataclass
from typing import Dict, List, Optional

from mmengine.model import BaseModule
from torch import Tensor

from vadkit.models.measures.temporal_difference import ClipMeasureError
from vadkit.registry import ERROR_MEASURES, LOSSES


@dataclass
class ClipFeatures:
    """What the backbone made of one batch of clips, shared by every task that reads it.

    Attributes:
        clip: The whole normalised clip ``(B, C, L, H, W)`` as sampled (``L >= clip_len``).
        inputs: Its first ``clip_len`` frames, the encoder input.
        code: Encoder output.
        decoded: Pre-activation decoder output (``None`` if no task needed the decoder).
    """
    clip: Tensor
    inputs: Tensor
    code: Tensor
    decoded: Optional[Tensor] = None


class BaseTaskHead(BaseModule):
    """A task: head, training loss and test-time score.

    Args:
        name: Task name; names its loss (``loss_<name>``) and its score.
        loss_weight: The task's lambda in the training loss.
        loss: Config of the task's training loss (``vadkit.registry.LOSSES``), e.g.
            ``dict(type='MSELoss')`` or ``dict(type='MeasureLoss', measure=dict(type='BPE'))``;
            each head has the paper's loss as its default.
        input_key: Which clip of a training sample the task reads (``window`` for the T+1
            frame window, ``prp_clip`` for the playback-rate clip, ...). At test time every
            task reads the test window.
        measure: Error measure of the test score (for tasks scored by an error).
        extra_measures: More measures computed in the same pass, as ``{suffix: cfg}``; their
            scores are named ``<name>.<suffix>``.
        code_channels, frame_channels, clip_len: Filled in by the model from its backbone.
    """

    #: Whether the task reads the decoder output (the model decodes once per input clip).
    uses_decoder: bool = False
    #: Frames of the test window the task reads after the encoder's ``clip_len`` (a test
    #: window holds ``clip_len`` + the largest of these over the tasks).
    frames_after_clip: int = 0
    #: Whether the output is a clip ``(B, C, T, H, W)`` (VCR) rather than one frame (FFP):
    #: measures of a clip's frame-to-frame change (``needs_clips``) need it.
    outputs_clips: bool = False

    def __init__(self,
                 name: str,
                 loss_weight: float = 1.0,
                 loss: Optional[dict] = None,
                 input_key: str = 'window',
                 measure: Optional[dict] = None,
                 extra_measures: Optional[Dict[str, dict]] = None,
                 code_channels: int = 256,
                 frame_channels: int = 1,
                 clip_len: int = 16,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.name = name
        self.loss_weight = float(loss_weight)
        self.loss_fn = LOSSES.build(loss) if loss is not None else None
        self.input_key = input_key
        self.clip_len = clip_len
        self.code_channels = code_channels
        self.frame_channels = frame_channels
        self.measures = {}
        if measure is not None:
            self.measures[name] = ERROR_MEASURES.build(measure)
        for suffix, cfg in (extra_measures or {}).items():
            self.measures[f'{name}.{suffix}'] = ERROR_MEASURES.build(cfg)
        self._check_clip_measures()

    def _check_clip_measures(self) -> None:
        """A measure of frame-to-frame change on a one-frame task fails here, naming the
        task, not at the first batch."""
        if self.outputs_clips:
            return
        used = [(f'measure {k}', m) for k, m in self.measures.items()]
        measures = getattr(self.loss_fn, 'measures', None)  # a plugin loss may lack it
        used += [('loss', m) for m in (measures() if callable(measures) else
                                       [getattr(self.loss_fn, 'measure', None)])]
        for where, m in used:
            if getattr(m, 'needs_clips', False):
                raise ClipMeasureError(
                    f"task '{self.name}' ({type(self).__name__}) outputs one frame, but its "
                    f'{where} {m!r} compares the frame-to-frame changes of a clip: use it '
                    'for a task whose output is a clip (ClipReconstructionHead)')

    @classmethod
    def score_names_of(cls, name: str, cfg: dict) -> List[str]:
        """The score names a head of config ``cfg`` named ``name`` produces, told from the
        config alone (for checks before anything is built): ``name`` and
        ``<name>.<suffix>`` of its extra measures."""
        extra = cfg.get('extra_measures')
        return [name] + [f'{name}.{s}' for s in (extra if isinstance(extra, dict) else ())]

    def chance_loss(self) -> Optional[float]:
        """The training loss of a head that learned nothing (a classifier's uniform guess),
        or ``None`` where a head's untrained score still means something (VCR, FFP).
        ``TaskSkillHook`` compares the loss at the end of training with it."""
        return None

    def forward(self, feats: ClipFeatures) -> Tensor:
        raise NotImplementedError

    def loss(self, output: Tensor, feats: ClipFeatures, data_samples: dict) -> Tensor:
        """The unweighted training loss."""
        raise NotImplementedError

    def score(self, output: Tensor, feats: ClipFeatures) -> Dict[str, Tensor]:
        """Raw anomaly scores ``(B,)`` of each test window, by score name."""
        raise NotImplementedError

    def score_target(self, feats: ClipFeatures) -> Optional[Tensor]:
        """What the task's measure compares its output with (``None``: not scored by an
        error measure)."""
        return None

    def error_map(self, output: Tensor, feats: ClipFeatures) -> Optional[Tensor]:
        """Where the task's error is, ``(B, h, w)``: its measure's
        :meth:`~vadkit.models.measures.BaseErrorMeasure.error_map`, averaged over channels
        (and frames); ``None`` for a task with no measure."""
        target = self.score_target(feats)
        measure = self.measures.get(self.name)
        if target is None or measure is None or not hasattr(measure, 'error_map'):
            return None
        maps = measure.error_map(output.float(), target.float())
        return maps.mean(dim=tuple(range(1, maps.dim() - 2)))
