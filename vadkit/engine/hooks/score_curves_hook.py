"""A test run's score curves in the visualizer's backends (TensorBoard, W&B, local files)."""
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import BaseLoop

from vadkit.registry import HOOKS


def _frame_auroc_metrics(runner) -> list:
    from vadkit.evaluation.metrics.frame_auroc_metric import FrameAUROCMetric
    evaluator = getattr(getattr(runner, 'test_loop', None), 'evaluator', None)
    return [m for m in getattr(evaluator, 'metrics', []) if isinstance(m, FrameAUROCMetric)]


def run_frame_scores(runner) -> Optional[tuple]:
    """``(FrameScores, FrameEvaluation)`` of the test just run, as its ``FrameAUROCMetric``
    keeps them; ``None`` without such a metric (or on the processes that did not evaluate)."""
    for metric in _frame_auroc_metrics(runner):
        if getattr(metric, 'last_frame_scores', None) is not None:
            return metric.last_frame_scores, metric.last_evaluation
    return None


def epochs_trained(runner) -> int:
    """The epochs the run trained (0 in a test on its own), without building the train
    loop: ``runner.epoch`` builds it (and its dataset) in a test, and a dataset's set-up may
    wait at a barrier of all processes, which only the main process would reach from here."""
    loop = getattr(runner, '_train_loop', None)
    return loop.epoch if isinstance(loop, BaseLoop) else 0


@HOOKS.register_module()
class ScoreCurvesHook(Hook):
    """When a test ends, send each video's fused and task score curves (scalars, step =
    frame), its AUROC and a score-curve figure to ``runner.visualizer``.

    Args:
        scalars: Send the per-frame scores and per-video AUROCs.
        images: Send a figure a video.
        max_images: Draw at most this many figures (``None``: every test video).
    """

    priority = 'VERY_LOW'

    def __init__(self, scalars: bool = True, images: bool = True,
                 max_images: Optional[int] = None) -> None:
        self.scalars, self.images, self.max_images = scalars, images, max_images

    def after_test_epoch(self, runner, metrics=None) -> None:
        if not (self.scalars or self.images) or not is_main_process():
            return
        found = run_frame_scores(runner)
        if found is None:
            return
        from vadkit.visualization.vad_visualizer import add_score_curves
        sent = add_score_curves(runner.visualizer, *found, step=epochs_trained(runner),
                                scalars=self.scalars, images=self.images,
                                max_images=self.max_images)
        backends = ', '.join(type(b).__name__ for b in
                             getattr(runner.visualizer, '_vis_backends', {}).values())
        print_log(f'score curves of {len(found[0].video_names)} video(s) sent to the '
                  f'visualizer ({backends or "no backend"}): {sent["images"]} figure(s)',
                  logger='current')
