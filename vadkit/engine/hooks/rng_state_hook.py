"""Exact resume: every random generator continues where the interrupted run left it."""
from typing import Optional

from mmengine.hooks import Hook

from vadkit.registry import HOOKS
from vadkit.utils.rng_state import capture_rng_state, restore_rng_state

RNG_KEY = 'rng_state'


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Saves the generators' state in each checkpoint; on resume, restores it right before
    the first epoch's data iterator is created (after everything that draws numbers while
    resuming: model initialisation, dataloader and optimizer building). vadkit's runner
    registers it itself."""

    priority = 'LOWEST'  # restore after every other hook's before_train_epoch

    def __init__(self) -> None:
        self.pending: Optional[dict] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint[RNG_KEY] = capture_rng_state()

    def before_train_epoch(self, runner) -> None:
        if self.pending is not None:
            restore_rng_state(self.pending)
            self.pending = None
