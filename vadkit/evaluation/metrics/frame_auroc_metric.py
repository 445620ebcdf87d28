"""Frame-level evaluation of window scores: per-video rescaling, fusion, AUROC."""
import csv
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from vadkit.registry import METRICS, SCORE_NORMALIZERS

from .. import functional as VF  # noqa: N812


def fuse_scores(raw: Dict[str, np.ndarray], weights: Dict[str, float], normalizers: dict,
                ) -> Dict[str, np.ndarray]:
    """Rescale each weighted task score of one video and sum them (paper Eq. 15)."""
    normalized = {name: normalizers[name](raw[name]) for name in weights}
    combined = sum(weights[n] * normalized[n] for n in weights)
    return dict(normalized=normalized, combined=np.asarray(combined, dtype=np.float64))


@METRICS.register_module()
class FrameAUROCMetric(BaseMetric):
    """Frame-level AUROC of fused task scores.

    Each test window scores its last frame. Per video, each task's raw scores are rescaled
    by its normalizer, then combined with the task weights (alphas). Frames without a score
    (the first T of a video) are excluded from both scores and labels.

    Reports ``micro_auroc`` (all frames pooled, the headline), ``macro_auroc`` (mean of
    per-video AUROCs over videos with both classes; single-class videos are listed and
    excluded), ``auprc``, ``eer``, and each task's micro AUROC on its own.

    Args:
        score_weights: The alphas, ``{score name: weight}``; names are task names or
            ``<task>.<measure>`` extra scores.
        normalizer: Default normalizer config for every score.
        normalizers: Per-score overrides, ``{score name: normalizer config}``.
        output_dir: If set, write ``frame_scores.csv`` and ``frame_scores.npz`` there.
    """

    default_prefix = ''

    def __init__(self,
                 score_weights: Dict[str, float],
                 normalizer: dict = dict(type='MinMaxNormalizer'),
                 normalizers: Optional[Dict[str, dict]] = None,
                 output_dir: Optional[str] = None,
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

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        # one record per dataset sample: the distributed collector trims to dataset length
        for s in data_samples:
            self.results.append((int(s['video_idx']), int(s['frame_idx']), int(s['label']),
                                 dict(s['scores'])))

    def _normalizer(self, name: str):
        return SCORE_NORMALIZERS.build(self.normalizer_cfgs.get(name, self.normalizer_cfg))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        per_video: Dict[int, dict] = defaultdict(dict)
        for vid, frame, label, scores in results:
            per_video[vid][frame] = (label, scores)  # a window counted twice stays once
        if not per_video:
            raise ValueError('no test window was scored: the test set is empty')
        first_video = next(iter(per_video.values()))
        names = list(next(iter(first_video.values()))[1])
        missing = [n for n in self.score_weights if n not in names]
        if missing:
            raise KeyError(f'score_weights name {missing} but the model produces {names}')
        normalizers = {n: self._normalizer(n) for n in names}
        meta = self.dataset_meta or {}
        video_names = meta.get('video_names')

        videos, labels, combined, raw_all, norm_all, frames_all = [], [], [], [], [], []
        for vid in sorted(per_video):
            frames = np.array(sorted(per_video[vid]))
            entries = [per_video[vid][f] for f in frames]
            raw = {n: np.array([e[1][n] for e in entries], dtype=np.float64) for n in names}
            fused = fuse_scores(raw, self.score_weights, normalizers)
            videos.append(vid)
            frames_all.append(frames)
            labels.append(np.array([e[0] for e in entries], dtype=np.int64))
            combined.append(fused['combined'])
            raw_all.append(raw)
            norm_all.append({n: normalizers[n](raw[n]) for n in names})

        metrics = {'micro_auroc': VF.micro_auroc(combined, labels)}
        macro = VF.macro_auroc(combined, labels)
        metrics['macro_auroc'] = macro['auroc']
        metrics['auprc'] = VF.average_precision(combined, labels)
        metrics['eer'] = VF.equal_error_rate(combined, labels)
        for n in names:
            metrics[f'{n}_micro_auroc'] = VF.micro_auroc([r[n] for r in norm_all], labels)

        scored = int(sum(len(f) for f in frames_all))
        total = meta.get('num_frames')
        total_frames = int(sum(total[v] for v in videos)) if total else None
        excluded = [video_names[videos[i]] if video_names else videos[i]
                    for i in macro['excluded']]
        print_log(
            f'scored {scored} frames of {len(videos)} videos'
            + (f' ({total_frames - scored} unscored: the first frames of each video, '
               'which end no window)' if total_frames else '')
            + f'; {int(np.concatenate(labels).sum())} anomalous. '
            + (f'Macro AUROC excludes single-class videos {excluded}.' if excluded else ''),
            logger='current')
        metrics['scored_frames'] = scored

        if self.output_dir:
            self._save(videos, frames_all, labels, raw_all, norm_all, combined, names,
                       video_names)
        return metrics

    def _save(self, videos, frames, labels, raw, norm, combined, names, video_names) -> None:
        import mmengine
        mmengine.mkdir_or_exist(self.output_dir)
        vid_col = np.concatenate([np.full(len(f), v) for v, f in zip(videos, frames)])
        arrays = dict(video_idx=vid_col, frame_idx=np.concatenate(frames),
                      label=np.concatenate(labels), score=np.concatenate(combined),
                      score_names=np.array(names),
                      video_names=np.array(video_names if video_names else []))
        for n in names:
            arrays[f'raw/{n}'] = np.concatenate([r[n] for r in raw])
            arrays[f'normalized/{n}'] = np.concatenate([r[n] for r in norm])
        np.savez(osp.join(self.output_dir, 'frame_scores.npz'), **arrays)
        with open(osp.join(self.output_dir, 'frame_scores.csv'), 'w', newline='') as f:
            w = csv.writer(f)
            w.writerow(['video', 'frame', 'label'] + [f'raw_{n}' for n in names]
                       + [f'normalized_{n}' for n in names] + ['score'])
            for i in range(len(vid_col)):
                v = int(vid_col[i])
                w.writerow([video_names[v] if video_names else v, int(arrays['frame_idx'][i]),
                            int(arrays['label'][i])]
                           + [f'{arrays[f"raw/{n}"][i]:.6g}' for n in names]
                           + [f'{arrays[f"normalized/{n}"][i]:.6g}' for n in names]
                           + [f'{arrays["score"][i]:.6g}'])
        print_log(f'frame scores written to {self.output_dir}/frame_scores.{{csv,npz}}',
                  logger='current')
