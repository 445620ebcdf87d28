"""Whether each classifier task of a trained model learned, from its checkpoint.

    python tools/analysis/task_skill.py CONFIG CHECKPOINT [CHECKPOINT ...]

Training writes ``task_skill.json`` to its work dir (``TaskSkillHook``); this judges the
checkpoints of runs trained before that, or again with another rule, from the training
losses every vadkit checkpoint keeps (its message hub), and writes ``task_skill.json``
beside each checkpoint: an ensemble or ``rescore.py`` of runs in those folders then leaves
the scores of tasks that did not learn out of its average.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from vadkit.evaluation.task_skill import (
    TASK_SKILL_FILE,
    judge_task_skill,
    not_learned_message,
    task_skill_text,
)
from vadkit.utils.checkpoint_files import read_checkpoint, write_text_atomic
from vadkit.utils.errors import VadkitError, run_cli


class TaskSkillError(VadkitError, ValueError):
    """A checkpoint that does not hold the training losses to judge."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Judge from checkpoints whether each '
                                     'classifier task learned, and write task_skill.json '
                                     'beside each checkpoint')
    parser.add_argument('config', help='the config the checkpoints were trained with')
    parser.add_argument('checkpoints', nargs='+', help='checkpoints (.pth)')
    parser.add_argument('--window', type=int, default=100,
                        help='last training iterations the loss is averaged over')
    parser.add_argument('--max-ratio', type=float, default=0.9,
                        help='a loss at or above this times the chance loss has not learned')
    parser.add_argument('--dry-run', action='store_true', help='print, write nothing')
    return parser.parse_args(argv)


def training_losses(checkpoint: dict, path: str) -> dict:
    """``{task: [loss per iteration]}`` from the checkpoint's message hub."""
    hub = checkpoint.get('message_hub')
    scalars = hub.get('log_scalars') if isinstance(hub, dict) else None
    if not isinstance(scalars, dict):
        raise TaskSkillError(f'{path} holds no training losses (no message hub): a '
                             'checkpoint saved by a vadkit training run has them')
    losses = {}
    for key, buffer in scalars.items():
        if key.startswith('train/loss_') and isinstance(buffer, dict) and 'log' in buffer:
            losses[key[len('train/loss_'):]] = list(buffer['log'])
    return losses


def main(argv=None) -> dict:
    args = parse_args(argv)
    from vadkit.apis.model_loading import load_config
    from vadkit.registry import MODELS
    from vadkit.utils import register_all_modules
    register_all_modules()
    model = MODELS.build(load_config(args.config).model)
    chances = {h.name: h.chance_loss() for h in getattr(model, 'tasks', [])}
    if not any(c is not None for c in chances.values()):
        raise TaskSkillError(f'the model of {args.config} has no task with a chance loss '
                             f'(tasks {list(chances)}): nothing to judge')
    judged = {}
    for path in args.checkpoints:
        skill = judge_task_skill(training_losses(read_checkpoint(path), path), chances,
                                 args.window, args.max_ratio)
        if not skill:
            raise TaskSkillError(f'{path} logged no training loss of task(s) '
                                 f'{[t for t, c in chances.items() if c is not None]}: is it '
                                 f'a checkpoint of {args.config}?')
        for task, s in skill.items():
            verdict = 'learned' if s['learned'] else 'did NOT learn'
            print(f"{path}: {task} {verdict} (loss {s['loss']:.4f} over the last "
                  f"{s['iterations']} iterations, chance {s['chance']:.4f})")
            if not s['learned']:
                print('  ' + not_learned_message(task, s))
        if not args.dry_run:
            out = osp.join(osp.dirname(osp.abspath(path)), TASK_SKILL_FILE)
            write_text_atomic(out, task_skill_text(skill, args.window, args.max_ratio))
            print(f'written: {out}')
        judged[path] = skill
    return judged


if __name__ == '__main__':
    run_cli(main)
