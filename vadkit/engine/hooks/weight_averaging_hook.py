"""Test with an average of the weights over the last training steps: an ensemble that costs
one training run.

mmengine's :class:`~mmengine.hooks.EMAHook` keeps a moving average of the weights
(:mod:`mmengine.model.averaged_model`: ``ExponentialMovingAverage``,
``StochasticWeightAverage``) and swaps it in for validation and test. Within a vadkit run
two things needed care, handled here:

- a test right after training (``tools/train.py --test``) calls ``before_run`` again, where
  ``EMAHook`` would build a fresh average from the last weights; this hook keeps the one
  the training built;
- BatchNorm: by default (``update_buffers=True``) the running statistics are averaged with
  the weights, so the averaged weights are tested with averaged statistics rather than
  with those of the last step.

Checkpoints hold the averaged weights as ``state_dict`` (so ``tools/test.py``, detection
and export use them with any config) and the training weights under ``ema_state_dict``
(tensors only: they load with ``weights_only=True``); resuming swaps them back. The log
says which weights a test uses.
"""
import logging

from mmengine.hooks import EMAHook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from vadkit.registry import HOOKS


@HOOKS.register_module()
class WeightAveragingHook(EMAHook):
    """:class:`~mmengine.hooks.EMAHook` for vadkit runs (see the module docstring).

    Args:
        ema_type: ``'ExponentialMovingAverage'`` (``momentum``: the weight of the newest
            step; about 1 / (iterations of one epoch) averages roughly the last epoch) or
            ``'StochasticWeightAverage'`` (a plain mean, with ``begin_epoch``).
        update_buffers: Average BatchNorm's running statistics too (default); ``False``
            tests the averaged weights with the last step's statistics.
        **kwargs: Of ``EMAHook`` and the averaged model (``momentum``, ``interval``,
            ``begin_iter``, ``begin_epoch``).
    """

    def __init__(self, ema_type: str = 'ExponentialMovingAverage',
                 update_buffers: bool = True, **kwargs) -> None:
        super().__init__(ema_type=ema_type, update_buffers=update_buffers, **kwargs)
        self.source = 'none'  # where the averaged weights of the next test come from

    def before_run(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if getattr(self, 'src_model', None) is model and hasattr(self, 'ema_model'):
            return  # a test after training: keep the average the training built
        super().before_run(runner)
        self.source = 'none'

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        super().after_train_iter(runner, batch_idx, data_batch, outputs)
        self.source = 'training'

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        averaged = 'ema_state_dict' in checkpoint
        super().after_load_checkpoint(runner, checkpoint)
        if runner._resume:
            self.source = 'training' if averaged else 'none'
        else:
            self.source = 'checkpoint' if averaged else 'plain checkpoint'

    def before_test_epoch(self, runner) -> None:
        super().before_test_epoch(runner)
        print_log(self.describe(), logger='current',
                  level=logging.WARNING if self.source == 'plain checkpoint' else logging.INFO)

    def describe(self) -> str:
        """One line for the log: which weights the test uses."""
        kind = self.ema_cfg['type']
        steps = int(self.ema_model.steps)
        stats = ('averaged BatchNorm statistics' if self.ema_model.update_buffers else
                 "the last step's BatchNorm statistics")
        if self.source == 'training':
            return (f'test: with the averaged weights ({kind} over {steps} updates, '
                    f'{stats}), not the last training step\'s')
        if self.source == 'checkpoint':
            return ('test: with the averaged weights the checkpoint holds as state_dict '
                    f'({kind}; the training weights are under ema_state_dict)')
        if self.source == 'plain checkpoint':
            return ('test: the checkpoint holds no averaged weights (no ema_state_dict): '
                    'its weights are tested as saved')
        return f'test: no averaged weights yet ({kind}): the model\'s weights are tested'
