"""Frame-level evaluation of window scores: per-video rescaling, fusion, AUROC."""
from typing import Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from vadkit.registry import METRICS, SCORE_NORMALIZERS

from ..frame_scores import FrameScores
from ..functional.scoring import fuse_scores  # noqa: F401  (public name, kept here)
from ..fusions.score_fusions import build_score_fusion
from ..normalizers.builder import normalizer_config


@METRICS.register_module()
class FrameAUROCMetric(BaseMetric):
    """Frame-level AUROC of fused task scores.

    Each test window scores its last frame. Per video, each score's raw values are rescaled
    by its normalizer, then combined with the weights (alphas). Frames without a score (the
    first T of a video) are excluded from both scores and labels, never padded.

    Reports ``micro_auroc`` (all frames pooled, the headline), ``macro_auroc`` (mean of
    per-video AUROCs over videos with both classes; single-class videos are excluded, listed
    in the log and in ``per_video_auroc.csv``, and counted in ``macro_excluded_videos``),
    ``auprc``, ``eer``, and each score's micro AUROC on its own (``<name>_micro_auroc``).
    The computation is :func:`vadkit.evaluation.functional.evaluate_frame_scores`, shared
    with ``tools/analysis/rescore.py``.

    Args:
        score_weights: The alphas, ``{score name: weight}``; names are task names or
            ``<task>.<measure>`` extra scores.
        normalizer: Default normalizer config for every score.
        normalizers: Per-score overrides, ``{score name: normalizer config}`` (e.g.
            ``dict(prp=dict(type='MinMaxNormalizer'))`` as the reference code, or
            ``dict(vcr=dict(type='ZScoreNormalizer', stats_file='normal_stats.json'))``).
        output_dir: If set, write ``frame_scores.npz`` (raw and rescaled scores, labels,
            video names and these settings: the input of the re-scoring tools),
            ``frame_scores.csv`` and ``per_video_auroc.csv`` there.
        compare_normalizers: Other rescalings to report beside the headline, ``{label:
            normalizer config}``: each is applied to every score (per-score overrides
            left out), fused with the same weights, and reported as
            ``micro_auroc_<label>``. A config that smooths its scores, for instance,
            keeps the paper's plain min-max figure beside its own with
            ``dict(paper=dict(type='MinMaxNormalizer'))``.
        compare_weights: Other alphas to report beside the headline, ``{label: {score
            name: weight}}``: the same rescaled scores fused with them, reported as
            ``micro_auroc_<label>``. A config whose weights are not the paper's keeps the
            paper's figure beside its own with ``dict(alphas=dict(vcr=0.1, ffp=0.8,
            prp=1.0))``.
        fusion: How each video's rescaled scores become one, a ``SCORE_FUSIONS`` config
            (``RankFusion``, ``MedianFusion``, ``CappedWeightedSum``,
            ``StabilityWeightedSum``); ``None``: the weighted sum of the paper (Eq. 15).
    """

    default_prefix = ''

    def __init__(self,
                 score_weights: Dict[str, float],
                 normalizer: dict = dict(type='MinMaxNormalizer'),
                 normalizers: Optional[Dict[str, dict]] = None,
                 output_dir: Optional[str] = None,
                 compare_normalizers: Optional[Dict[str, dict]] = None,
                 compare_weights: Optional[Dict[str, Dict[str, float]]] = None,
                 fusion: Optional[dict] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not score_weights:
            raise ValueError('FrameAUROCMetric needs score_weights, e.g. dict(vcr=0.1, '
                             'ffp=0.8, prp=1.0)')
        self.score_weights = dict(score_weights)
        self.normalizer_cfg = normalizer
        self.normalizer_cfgs = dict(normalizers or {})
        self.output_dir = output_dir
        self.compare_normalizers = dict(compare_normalizers or {})
        for label, cfg in self.compare_normalizers.items():
            if not isinstance(cfg, dict) or 'type' not in cfg:
                raise ValueError(f'compare_normalizers[{label!r}] must be a normalizer config '
                                 f"such as dict(type='MinMaxNormalizer'), got {cfg!r}")
            SCORE_NORMALIZERS.build(cfg)  # an unknown type fails here, not after testing
        self.compare_weights = check_compare_weights(compare_weights)
        clash = sorted(set(self.compare_weights) & set(self.compare_normalizers))
        if clash:
            raise ValueError(f'compare_weights and compare_normalizers both name {clash}: '
                             'each reports micro_auroc_<label>, give them different labels')
        self.fusion_cfg = dict(fusion) if fusion is not None else None
        if self.fusion_cfg is not None:
            build_score_fusion(self.fusion_cfg)  # an unknown type fails here
        # the last evaluation, for hooks that show it (e.g. ScoreCurvesHook)
        self.last_frame_scores: Optional[FrameScores] = None
        self.last_evaluation = None

    @property
    def settings(self) -> dict:
        """What a re-scoring needs to reproduce this metric (saved in the npz)."""
        settings = dict(score_weights=self.score_weights,
                        normalizer=dict(self.normalizer_cfg),
                        normalizers={k: dict(v) for k, v in self.normalizer_cfgs.items()})
        if self.fusion_cfg is not None:
            settings['fusion'] = dict(self.fusion_cfg)
        # what each micro_auroc_<label> of metrics.json is, for whoever reads the run later
        if self.compare_weights:
            settings['compare_weights'] = {k: dict(v) for k, v in self.compare_weights.items()}
        if self.compare_normalizers:
            settings['compare_normalizers'] = {k: dict(v) for k, v in
                                               self.compare_normalizers.items()}
        return settings

    def build_normalizer(self, name: str):
        """The normalizer of score ``name``: its override, else the default."""
        return SCORE_NORMALIZERS.build(
            normalizer_config(name, self.normalizer_cfg, self.normalizer_cfgs))


    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        # one record per dataset sample: the distributed collector trims to dataset length
        for s in data_samples:
            self.results.append((int(s['video_idx']), int(s['frame_idx']), int(s['label']),
                                 dict(s['scores'])))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        meta = self.dataset_meta or {}
        scores = FrameScores.from_records(results, video_names=meta.get('video_names'),
                                          num_frames=meta.get('num_frames'),
                                          settings=self.settings)
        for key, weights in [('score_weights', self.score_weights)] + [
                (f'compare_weights[{label!r}]', w) for label, w in self.compare_weights.items()]:
            missing = [n for n in weights if n not in scores.score_names]
            if missing:
                raise KeyError(f'{key} name {missing} but the model produces '
                               f'{scores.score_names}')
        evaluation = scores.evaluate()
        self.last_frame_scores, self.last_evaluation = scores, evaluation
        print_log(scores.summary(evaluation), logger='current')
        if self.output_dir:
            files = scores.save(self.output_dir, evaluation)
            print_log(f'frame scores written to {", ".join(files)}', logger='current')
        metrics = dict(evaluation.metrics)
        for label, cfg in self.compare_normalizers.items():
            other = scores.evaluate(self.score_weights, normalizer=cfg, normalizers={})
            metrics[f'micro_auroc_{label}'] = other.metrics['micro_auroc']
        metrics.update(compare_weights_metrics(scores, self.compare_weights))
        return metrics


def compare_weights_metrics(scores: FrameScores, compare_weights: Optional[dict]
                            ) -> Dict[str, float]:
    """``micro_auroc_<label>`` of ``scores`` fused with each of ``compare_weights`` (a
    single run's scores or an ensemble's average)."""
    return {f'micro_auroc_{label}': scores.evaluate(weights).metrics['micro_auroc']
            for label, weights in (compare_weights or {}).items()}


def check_compare_weights(compare_weights: Optional[dict]) -> Dict[str, Dict[str, float]]:
    """``compare_weights`` as ``{label: {score name: float}}``, or a clear error."""
    out = {}
    for label, weights in (compare_weights or {}).items():
        if not isinstance(weights, dict) or not weights or not all(
                isinstance(w, (int, float)) and not isinstance(w, bool)
                for w in weights.values()):
            raise ValueError(f'compare_weights[{label!r}] must be alphas such as '
                             f'dict(vcr=0.1, ffp=0.8, prp=1.0), got {weights!r}')
        out[label] = {k: float(v) for k, v in weights.items()}
    return out
