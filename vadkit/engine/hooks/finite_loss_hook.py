"""Stop training at the first non-finite loss, with a message that says what to do."""
import math

from mmengine.hooks import Hook

from vadkit.registry import HOOKS


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Raise ``FloatingPointError`` when any logged loss is NaN or infinite.

    The check reads the loss values that the logger reads anyway. Checkpoints saved before
    the failure are left untouched.
    """

    priority = 'ABOVE_NORMAL'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not outputs:
            return
        values = {k: float(v.item() if hasattr(v, 'item') else v)
                  for k, v in outputs.items() if 'loss' in k}
        bad = {k: v for k, v in values.items() if not math.isfinite(v)}
        if bad:
            raise FloatingPointError(
                f'non-finite loss at epoch {runner.epoch + 1}, iteration {runner.iter + 1}: '
                f'{bad}. Lower the learning rate (optim_wrapper.optimizer.lr), check the input '
                'frames for corrupt values, or enable gradient clipping '
                '(optim_wrapper.clip_grad=dict(max_norm=...)). Checkpoints already saved in '
                f'{runner.work_dir} are intact; resume from the last one with --resume.')
