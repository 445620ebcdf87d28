"""vadkit's visualizer: a test run's score curves in the vis backends (local files,
TensorBoard, Weights & Biases) beside the training losses.

:func:`add_score_curves` works with any mmengine ``Visualizer``; :class:`VADVisualizer` (the
default runtime's) adds it as a method. matplotlib is imported only when a figure is drawn.
"""
from typing import Dict, Optional, Sequence

import numpy as np
from mmengine.visualization import Visualizer

from vadkit.registry import VISUALIZERS


def tag_name(name: str) -> str:
    """A video name usable in a tag and a file name: ``'01/a b'`` -> ``'01_a_b'``."""
    return ''.join(c if c.isalnum() or c in '-_.' else '_' for c in str(name))


def score_curve_scalars(scores, evaluation, names: Optional[Sequence[str]] = None
                        ) -> Dict[str, Dict[int, Dict[str, float]]]:
    """``{video: {frame: {tag: value}}}``: each video's fused score and rescaled task scores
    a scored frame, tagged ``scores_<video>/<score>`` (one TensorBoard group a video)."""
    out = {}
    for i, video in enumerate(scores.video_names):
        group = f'scores_{tag_name(video)}'
        curves = {'fused': evaluation.combined[i]}
        for n in names or evaluation.normalized[i]:
            curves[n] = evaluation.normalized[i][n]
        out[video] = {int(f): {f'{group}/{n}': float(v[k]) for n, v in curves.items()
                               if np.isfinite(v[k])}
                      for k, f in enumerate(scores.frames[i])}
    return out


def add_score_curves(visualizer: Visualizer, scores, evaluation, step: int = 0,
                     scalars: bool = True, images: bool = True,
                     max_images: Optional[int] = None) -> Dict[str, int]:
    """Send a test run's score curves to ``visualizer``'s backends.

    Args:
        scores: The run's :class:`~vadkit.evaluation.FrameScores`.
        evaluation: Its :class:`~vadkit.evaluation.functional.FrameEvaluation`.
        step: Step of the per-video AUROCs and figures (the epoch tested).
        scalars: Each scored frame's scores (``scores_<video>/fused``, ``.../vcr``, ...,
            step = frame index) and each video's AUROC (``per_video_auroc/<video>``).
        images: A score-curve figure a video (``score_curve_<video>``).
        max_images: Draw at most this many figures (the first videos); ``None``: all.

    Returns:
        How many scalar records, AUROCs and images were sent.
    """
    weights = dict(scores.settings.get('score_weights') or {})
    names = [n for n in weights if n in evaluation.normalized[0]] or None
    sent = dict(scalars=0, aurocs=0, images=0)
    if scalars:
        for frames in score_curve_scalars(scores, evaluation, names).values():
            for frame, values in frames.items():
                if values:
                    visualizer.add_scalars(values, step=frame)
                    sent['scalars'] += 1
        aurocs = {f'per_video_auroc/{tag_name(v)}': float(a)
                  for v, a in zip(scores.video_names, evaluation.per_video_auroc)
                  if np.isfinite(a)}
        if aurocs:
            visualizer.add_scalars(aurocs, step=step)
            sent['aurocs'] = len(aurocs)
    if images:
        from .score_plots import figure_to_rgb, video_plot_arguments, video_scores_figure
        videos = range(len(scores.video_names))
        if max_images is not None:
            videos = videos[:max_images]
        for video, kw in video_plot_arguments(scores, evaluation, videos, names,
                                              weights or None):
            image = figure_to_rgb(video_scores_figure(**kw))
            visualizer.add_image(f'score_curve_{tag_name(video)}', image, step=step)
            sent['images'] += 1
    return sent


@VISUALIZERS.register_module()
class VADVisualizer(Visualizer):
    """mmengine's ``Visualizer`` (same arguments, same loss scalars from the logger hook)
    that also takes a test run's score curves: :meth:`add_score_curves`, called by
    :class:`~vadkit.engine.hooks.ScoreCurvesHook` when a test ends."""

    def add_score_curves(self, scores, evaluation, step: int = 0, scalars: bool = True,
                         images: bool = True, max_images: Optional[int] = None
                         ) -> Dict[str, int]:
        """:func:`add_score_curves` with this visualizer."""
        return add_score_curves(self, scores, evaluation, step, scalars, images, max_images)
