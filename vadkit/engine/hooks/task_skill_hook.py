"""At the end of training, tell whether each classifier task learned anything."""
import os.path as osp
from typing import Dict

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from vadkit.evaluation.task_skill import (
    TASK_SKILL_FILE,
    judge_task_skill,
    not_learned_message,
    task_skill_text,
)
from vadkit.registry import HOOKS
from vadkit.utils.checkpoint_files import write_text_atomic


@HOOKS.register_module()
class TaskSkillHook(Hook):
    """Compare each task's training loss at the end with its chance loss and write
    ``task_skill.json`` to the work dir.

    A short run can end with a classifier (PRP) still at a uniform guess: its test score is
    then noise, which per-video min-max stretches to [0, 1] and the fusion weighs like a
    learned score. Such a task (mean loss over the last ``window`` iterations at least
    ``max_ratio`` times its chance loss, :meth:`BaseTaskHead.chance_loss`) is logged as a
    warning naming the fix, and marked ``learned: false``: an ensemble then averages that
    score over its other members (:mod:`vadkit.evaluation.task_skill`). Tasks without a
    chance loss (VCR, FFP) are not judged.

    Args:
        window: Training iterations the final loss is averaged over.
        max_ratio: A loss at or above ``max_ratio * chance`` has not learned.
    """

    priority = 'LOW'

    def __init__(self, window: int = 100, max_ratio: float = 0.9) -> None:
        judge_task_skill({}, {}, window, max_ratio)  # refuses bad arguments now
        self.window, self.max_ratio = int(window), float(max_ratio)

    def judge(self, runner) -> Dict[str, dict]:
        """The skill of each task with a chance loss whose training loss was logged."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        heads = list(getattr(model, 'tasks', None) or [])
        scalars = runner.message_hub.log_scalars
        losses = {h.name: scalars[f'train/loss_{h.name}'].data[0] for h in heads
                  if f'train/loss_{h.name}' in scalars}
        return judge_task_skill(losses, {h.name: h.chance_loss() for h in heads},
                                self.window, self.max_ratio)

    def after_train(self, runner) -> None:
        skill = self.judge(runner)
        for task, s in skill.items():
            if not s['learned']:
                runner.logger.warning(not_learned_message(task, s))
        if skill and is_main_process():
            write_text_atomic(osp.join(runner.work_dir, TASK_SKILL_FILE),
                              task_skill_text(skill, self.window, self.max_ratio))
