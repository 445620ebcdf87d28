"""Crash points of the training and test loops, for crash-safety tests (see
:mod:`vadkit.utils.fault_injection`); registered only when ``VADKIT_CRASH_AT`` is set."""
from mmengine.hooks import Hook

from vadkit.registry import HOOKS
from vadkit.utils.fault_injection import crash_point


@HOOKS.register_module()
class CrashPointHook(Hook):
    priority = 'LOWEST'

    def before_train_epoch(self, runner) -> None:
        crash_point('train_epoch_start')

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        crash_point('train_iter')

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        crash_point('test_iter')
