"""Every test frame's raw scores, saved once by a test run and re-scored without the model.

``tools/test.py`` (through :class:`~vadkit.evaluation.FrameAUROCMetric`) writes
``frame_scores.npz`` (and a ``.csv`` twin for people) to its output folder. The npz holds,
one row a scored frame, ordered by video then frame:

- ``video_idx`` (dataset index of the video), ``frame_idx`` (0-based frame of the video),
  ``label`` (0/1), ``score`` (the fused score ``A`` of the run);
- ``raw/<name>`` and ``normalized/<name>`` for every score name (``vcr``, ``ffp``,
  ``prp``, ``vcr.pse``, ...);
- ``score_names``; ``video_names`` and ``num_frames`` indexed by ``video_idx`` (all
  videos of the test set, scored frames or not);
- ``settings``: JSON of the run's ``score_weights``, ``normalizer`` and ``normalizers``,
  so a re-scoring defaults to exactly what the run did.

The raw scores are the model's float32 values stored as float64, so loading them back
and evaluating with the same settings reproduces the run's metrics exactly.
"""
import csv
import json
import os
import os.path as osp
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

import numpy as np

from .functional.scoring import FrameEvaluation, evaluate_frame_scores
from .fusions.score_fusions import build_score_fusion
from .normalizers.builder import after_averaging_config, build_score_normalizers
from .task_skill import learned_members, untrained_tasks

FORMAT_VERSION = 2
DEFAULT_NORMALIZER = dict(type='MinMaxNormalizer')


@dataclass
class FrameScores:
    """Raw frame scores of a test set, one list entry a video (in ``video_idx`` order).

    Attributes:
        video_idx: Dataset index of each video.
        video_names: Name of each video.
        frames: Scored frame indices of each video (0-based; the first T are unscored).
        labels: 0/1 labels of those frames.
        raw: ``{score name: raw scores}`` of each video.
        score_names: All score names, in the model's order.
        settings: ``score_weights``, ``normalizer`` and ``normalizers`` of the run (and
            ``fusion`` where the run set one).
        num_frames: Total frames of each video (``None`` if unknown).
        untrained_tasks: Tasks of the run that ended training at their chance loss
            (``task_skill.json`` beside ``frame_scores.npz``): an ensemble leaves their
            scores out of its average (:mod:`vadkit.evaluation.task_skill`).
    """
    video_idx: List[int]
    video_names: List[str]
    frames: List[np.ndarray]
    labels: List[np.ndarray]
    raw: List[Dict[str, np.ndarray]]
    score_names: List[str]
    settings: dict = field(default_factory=dict)
    num_frames: Optional[List[int]] = None
    untrained_tasks: List[str] = field(default_factory=list)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_records(cls, records: Iterable[tuple], video_names: Optional[Sequence[str]] = None,
                     num_frames: Optional[Sequence[int]] = None,
                     settings: Optional[dict] = None) -> 'FrameScores':
        """From ``(video_idx, frame_idx, label, {score name: value})`` records (one a test
        window, in any order; a window seen twice counts once).

        ``video_names`` and ``num_frames`` are indexed by ``video_idx`` (dataset metainfo).
        """
        per_video: Dict[int, dict] = defaultdict(dict)
        for vid, frame, label, scores in records:
            per_video[int(vid)][int(frame)] = (int(label), scores)
        if not per_video:
            raise ValueError('no test window was scored: the test set is empty')
        first = next(iter(per_video.values()))
        names = list(next(iter(first.values()))[1])
        vids, frames, labels, raw = [], [], [], []
        for vid in sorted(per_video):
            f = np.array(sorted(per_video[vid]), dtype=np.int64)
            entries = [per_video[vid][i] for i in f]
            vids.append(vid)
            frames.append(f)
            labels.append(np.array([e[0] for e in entries], dtype=np.int64))
            try:
                raw.append({n: np.array([e[1][n] for e in entries], dtype=np.float64)
                            for n in names})
            except KeyError as e:
                raise KeyError(f'video {vid}: a window lacks score {e}; every window must '
                               f'have the same scores {names}') from None
        vnames = [str(video_names[v]) if video_names else str(v) for v in vids]
        nf = [int(num_frames[v]) for v in vids] if num_frames else None
        return cls(vids, vnames, frames, labels, raw, names, dict(settings or {}), nf)

    @staticmethod
    def check_same_frames(runs: Sequence['FrameScores'], what: str = 'compare',
                          names: Optional[Sequence[str]] = None) -> None:
        """Raise ``ValueError`` naming the first video that ``runs`` did not score alike
        (other videos, frames or labels): only runs of one test protocol are comparable.
        ``names`` label the runs in the message (default ``run 0``, ``run 1``, ...)."""
        names = list(names) if names else [f'run {k}' for k in range(len(runs))]
        first = runs[0]
        for name, run in zip(names[1:], runs[1:]):
            if run.video_names != first.video_names:
                raise ValueError(f'{name} scored videos {run.video_names}, {names[0]} '
                                 f'{first.video_names}: {what} runs of one test set')
            for i, video in enumerate(first.video_names):
                if not (np.array_equal(run.frames[i], first.frames[i])
                        and np.array_equal(run.labels[i], first.labels[i])):
                    raise ValueError(f'video {video}: {name} scored other frames or has other '
                                     f'labels than {names[0]} (another window length or '
                                     f'label file?): {what} runs of one test protocol')

    @classmethod
    def average(cls, runs: Sequence['FrameScores'], normalizer: Optional[Mapping] = None,
                normalizers: Optional[Mapping] = None,
                names: Optional[Sequence[str]] = None) -> 'FrameScores':
        """The scores of an ensemble of test runs of the same test set (models trained
        with other seeds, say): each score is normalised per video in each run, then
        averaged over the runs whose task of it learned (``untrained_tasks``; over all
        runs where none did); the runs left out are recorded in ``settings['left_out']``
        as ``{score name: [run index, ...]}``.

        ``None`` normalizer arguments take each run's saved settings. ``names`` defaults
        to the scores every run has. The result keeps the first run's settings but for its
        normalizers: evaluating it applies only their per-video rescalings once more
        (:func:`after_averaging_config`; for min-max the averages are rescaled to [0, 1]
        before the alphas weigh them), not their transforms or smoothing, which each run's
        scores went through already. The members' normalizers are kept as
        ``member_normalizer`` and ``member_normalizers``.
        """
        if not runs:
            raise ValueError('FrameScores.average needs at least one run')
        cls.check_same_frames(runs, 'average')
        first = runs[0]
        common = [n for n in first.score_names if all(n in r.score_names for r in runs)]
        names = list(names or common)
        missing = [n for n in names if n not in common]
        if missing:
            raise KeyError(f'score(s) {missing} are not in every run; common: {common}')
        built = [r.normalizers(normalizer, normalizers, names) for r in runs]
        kept = {n: learned_members(n, [r.untrained_tasks for r in runs]) for n in names}
        raw = [{n: np.mean([built[k][n](runs[k].raw[i][n]) for k in kept[n]], axis=0)
                for n in names} for i in range(len(first.video_names))]
        default, overrides = first.normalizer_settings(normalizer, normalizers)
        left_out = {n: [k for k in range(len(runs)) if k not in kept[n]] for n in names}
        left_out = {n: ks for n, ks in left_out.items() if ks}
        settings = dict(first.settings, member_normalizer=default,
                        member_normalizers=overrides, **({'left_out': left_out}
                                                         if left_out else {}),
                        normalizer=after_averaging_config(default),
                        normalizers={k: after_averaging_config(v)
                                     for k, v in overrides.items()})
        return cls(list(first.video_idx), list(first.video_names), list(first.frames),
                   list(first.labels), raw, names, settings, first.num_frames)

    # ------------------------------------------------------------------ evaluating
    def normalizers(self, normalizer: Optional[Mapping] = None,
                    normalizers: Optional[Mapping] = None,
                    names: Optional[Iterable[str]] = None) -> dict:
        """Built normalizers of ``names`` (default all scores); ``None`` arguments take
        the run's saved settings."""
        default, overrides = self.normalizer_settings(normalizer, normalizers)
        return build_score_normalizers(names or self.score_names, default, overrides)

    def normalizer_settings(self, normalizer: Optional[Mapping] = None,
                            normalizers: Optional[Mapping] = None) -> tuple:
        """``(default config, {score name: override})``; ``None`` arguments take the run's
        saved settings."""
        default = normalizer if normalizer is not None else self.settings.get(
            'normalizer', DEFAULT_NORMALIZER)
        overrides = normalizers if normalizers is not None else self.settings.get(
            'normalizers', {})
        return dict(default), {k: dict(v) for k, v in overrides.items()}

    def evaluate(self, weights: Optional[Mapping[str, float]] = None,
                 normalizer: Optional[Mapping] = None,
                 normalizers: Optional[Mapping] = None,
                 score_names: Optional[Sequence[str]] = None,
                 fusion: Optional[Mapping] = None) -> FrameEvaluation:
        """:func:`evaluate_frame_scores` of these scores; every ``None`` argument takes the
        run's saved setting (so ``evaluate()`` reproduces the run's metrics). ``fusion`` is
        a ``SCORE_FUSIONS`` config; the saved one, else the weighted sum."""
        if weights is None:
            weights = self.settings.get('score_weights')
            if not weights:
                raise ValueError('these frame scores carry no saved score_weights: pass '
                                 'weights, e.g. {"vcr": 0.1, "ffp": 0.8, "prp": 1}')
        unknown = [n for n in list(weights) + list(score_names or []) if n not in
                   self.score_names]
        if unknown:
            raise KeyError(f'unknown score name(s) {unknown}: these frame scores have '
                           f'{self.score_names}')
        built = self.normalizers(normalizer, normalizers)
        fusion = fusion if fusion is not None else self.settings.get('fusion')
        return evaluate_frame_scores(self.raw, self.labels, weights, built, score_names,
                                     fusion=None if fusion is None else
                                     build_score_fusion(fusion))

    def select(self, positions: Sequence[int]) -> 'FrameScores':
        """The videos at ``positions`` (list positions, not dataset indices)."""
        pick = lambda xs: [xs[i] for i in positions]  # noqa: E731
        return FrameScores(pick(self.video_idx), pick(self.video_names), pick(self.frames),
                           pick(self.labels), pick(self.raw), list(self.score_names),
                           dict(self.settings),
                           pick(self.num_frames) if self.num_frames else None)

    def find_videos(self, keys: Sequence[str]) -> List[int]:
        """List positions of videos given by name (or, failing that, dataset index)."""
        out = []
        for k in keys:
            if k in self.video_names:
                out.append(self.video_names.index(k))
            elif k.isdigit() and int(k) in self.video_idx:
                out.append(self.video_idx.index(int(k)))
            else:
                raise KeyError(f'no test video {k!r}; videos are {self.video_names}')
        return out

    def summary(self, evaluation: Optional[FrameEvaluation] = None) -> str:
        """One paragraph: frames scored and unscored, anomalies, macro AUROC exclusions."""
        scored = int(sum(f.size for f in self.frames))
        anomalous = int(sum(int(y.sum()) for y in self.labels))
        text = f'scored {scored} frames of {len(self.frames)} videos'
        if self.num_frames:
            unscored = int(sum(self.num_frames)) - scored
            text += (f' ({unscored} frames unscored and left out: the first frames of each '
                     'video, which end no window)')
        text += f'; {anomalous} anomalous.'
        if evaluation is not None:
            n = len(self.frames) - len(evaluation.excluded)
            text += f' Macro AUROC averages {n} of {len(self.frames)} videos'
            if evaluation.excluded:
                listed = ', '.join(f'{self.video_names[i]} ({r})' for i, r in zip(
                    evaluation.excluded, evaluation.excluded_reasons))
                text += (f'; it excludes {len(evaluation.excluded)} single-class video(s), '
                         f'whose AUROC is undefined: {listed}.')
            else:
                text += '; no video was excluded.'
        return text

    # ------------------------------------------------------------------ files
    def save(self, out_dir: str, evaluation: FrameEvaluation) -> List[str]:
        """Write ``frame_scores.npz``, ``frame_scores.csv`` and ``per_video_auroc.csv``."""
        os.makedirs(out_dir, exist_ok=True)
        names = self.score_names
        vid_col = np.concatenate([np.full(f.size, v, dtype=np.int64)
                                  for v, f in zip(self.video_idx, self.frames)])
        # names and lengths indexed by video_idx, as the dataset metainfo
        size = max(self.video_idx) + 1
        all_names = [str(i) for i in range(size)]
        all_lengths = [-1] * size
        for i, v in enumerate(self.video_idx):
            all_names[v] = self.video_names[i]
            if self.num_frames:
                all_lengths[v] = self.num_frames[i]
        arrays = dict(video_idx=vid_col, frame_idx=np.concatenate(self.frames),
                      label=np.concatenate(self.labels),
                      score=np.concatenate(evaluation.combined),
                      score_names=np.array(names), video_names=np.array(all_names),
                      num_frames=np.array(all_lengths if self.num_frames else [],
                                          dtype=np.int64),
                      settings=np.array(json.dumps(self.settings, default=str)),
                      format_version=np.array(FORMAT_VERSION))
        for n in names:
            arrays[f'raw/{n}'] = np.concatenate([r[n] for r in self.raw])
            arrays[f'normalized/{n}'] = np.concatenate(
                [v[n] for v in evaluation.normalized]) if n in evaluation.normalized[0] else \
                np.full(vid_col.size, np.nan)
        npz = osp.join(out_dir, 'frame_scores.npz')
        np.savez(npz, **arrays)
        frame_csv = osp.join(out_dir, 'frame_scores.csv')
        with open(frame_csv, 'w', newline='') as f:
            w = csv.writer(f)
            w.writerow(['video', 'frame', 'label'] + [f'raw_{n}' for n in names]
                       + [f'normalized_{n}' for n in names] + ['score'])
            for i in range(vid_col.size):
                w.writerow([all_names[vid_col[i]], int(arrays['frame_idx'][i]),
                            int(arrays['label'][i])]
                           + [f'{arrays[f"raw/{n}"][i]:.6g}' for n in names]
                           + [f'{arrays[f"normalized/{n}"][i]:.6g}' for n in names]
                           + [f'{arrays["score"][i]:.6g}'])
        video_csv = osp.join(out_dir, 'per_video_auroc.csv')
        reasons = dict(zip(evaluation.excluded, evaluation.excluded_reasons))
        with open(video_csv, 'w', newline='') as f:
            w = csv.writer(f)
            w.writerow(['video', 'scored_frames', 'anomalous_frames', 'auroc', 'note'])
            for i, name in enumerate(self.video_names):
                auc = evaluation.per_video_auroc[i]
                w.writerow([name, self.frames[i].size, int(self.labels[i].sum()),
                            '' if np.isnan(auc) else f'{auc:.6f}',
                            f'excluded from macro AUROC: {reasons[i]}' if i in reasons else ''])
        return [npz, frame_csv, video_csv]

    @classmethod
    def from_detection(cls, folder: str) -> 'FrameScores':
        """The scores of a ``tools/detect.py`` run (``summary.json`` and each video's
        ``scores.json`` under ``folder``): footage without labels, so every label is 0.

        Each score is taken as the detection rescaled it (its ``normalized`` column: the
        config's per-video normalizers offline, z-scores causal), and kept as such
        (``NoNormalizer``); the weights are the detection's."""
        summary_path = osp.join(folder, 'summary.json')
        try:
            with open(summary_path) as f:
                videos = json.load(f)['videos']
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ValueError(f'cannot read the videos of a detection run from {summary_path} '
                             f'({e}): give the --out-dir of tools/detect.py') from None
        names, frames, labels, raw, weights, score_names = [], [], [], [], None, None
        for entry in videos:
            if 'error' in entry:
                continue  # an input that detection could not score
            path = osp.join(folder, str(entry['name']), 'scores.json')
            try:
                with open(path) as f:
                    data = json.load(f)
                scored = np.asarray(data['scored'], dtype=bool)
                columns = data['normalized']
            except (OSError, ValueError, KeyError, TypeError) as e:
                raise ValueError(f'cannot read the scores of video {entry.get("name")!r} '
                                 f'from {path} ({e}): run tools/detect.py again') from None
            if score_names is None:
                score_names, weights = list(data['score_names']), data.get('score_weights')
            index = np.flatnonzero(scored)
            names.append(str(entry['name']))
            frames.append(index.astype(np.int64))
            labels.append(np.zeros(index.size, dtype=np.int64))
            raw.append({n: np.asarray(columns[n], dtype=np.float64)[index]
                        for n in score_names})
        if not names:
            raise ValueError(f'{summary_path} lists no scored video')
        settings = dict(score_weights=dict(weights or {}), normalizer=dict(type='NoNormalizer'))
        return cls(list(range(len(names))), names, frames, labels, raw, score_names, settings)

    @classmethod
    def load(cls, path: str) -> 'FrameScores':
        """Read a ``frame_scores.npz`` written by a test run (or by ``rescore.py``)."""
        if osp.isdir(path):
            path = osp.join(path, 'frame_scores.npz')
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path!r} does not exist: run tools/test.py CONFIG '
                                    'CHECKPOINT --out-dir DIR first; it writes '
                                    'DIR/frame_scores.npz')
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
        for key in ('video_idx', 'frame_idx', 'label', 'score_names'):
            if key not in data:
                raise ValueError(f'{path} is not a vadkit frame_scores.npz (no {key!r})')
        names = [str(n) for n in data['score_names']]
        all_names = [str(n) for n in data.get('video_names', np.array([]))]
        lengths = data.get('num_frames', np.array([]))
        settings = json.loads(str(data['settings'])) if 'settings' in data else {}
        vid_col = data['video_idx'].astype(np.int64)
        vids = list(dict.fromkeys(vid_col.tolist()))  # order of appearance (sorted on save)
        frames, labels, raw = [], [], []
        for v in vids:
            rows = np.flatnonzero(vid_col == v)
            frames.append(data['frame_idx'][rows].astype(np.int64))
            labels.append(data['label'][rows].astype(np.int64))
            raw.append({n: data[f'raw/{n}'][rows].astype(np.float64) for n in names})
        vnames = [all_names[v] if v < len(all_names) else str(v) for v in vids]
        nf = [int(lengths[v]) for v in vids] if lengths.size else None
        if nf and min(nf) < 0:
            nf = None
        return cls(vids, vnames, frames, labels, raw, names, settings, nf,
                   untrained_tasks(osp.dirname(path)))
