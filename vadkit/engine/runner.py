"""vadkit's runner: mmengine's :class:`~mmengine.runner.Runner` plus the guarantees that
make a work dir and its checkpoints safe to use.

- One run per work dir: rank 0 locks it before writing anything
  (:mod:`vadkit.utils.work_dir_lock`); a second run is refused naming the holder.
- Checkpoints and the ``last_checkpoint`` pointer are written atomically, and read with
  one clear error when bad (:mod:`vadkit.utils.checkpoint_files`).
- A checkpoint knows its model: loading one of another model is refused before any weight
  is touched, and weights always load strictly (:mod:`vadkit.utils.model_identity`).
- ``resume=True`` without a path resumes from the newest checkpoint that reads, and says
  so plainly when there is none.
- Resume is exact: the generators' states travel in the checkpoint
  (:class:`~vadkit.engine.hooks.RNGStateHook`).
- A deterministic run does not fill each new tensor with NaN first (PyTorch's default with
  deterministic algorithms); ``randomness.fill_uninitialized_memory=True`` brings it back.

Each guarantee is a small override below, one per concern, so that more can be added
without touching the others.
"""
import os
from typing import Callable, Optional, Union

import torch
from mmengine.config import Config
from mmengine.device import get_device
from mmengine.dist import broadcast, master_only
from mmengine.hooks import CheckpointHook
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint_to_model

from vadkit.registry import RUNNERS
from vadkit.utils.checkpoint_files import (
    check_resumable,
    finish_atomic_write,
    newest_readable_checkpoint,
    read_checkpoint,
    remove_stale_temp_files,
    temp_name_for,
)
from vadkit.utils.config_text import TextCachedConfig
from vadkit.utils.console_log import quiet_console
from vadkit.utils.fault_injection import ENV as CRASH_ENV
from vadkit.utils.model_identity import IDENTITY_KEY, check_checkpoint_fits, model_identity
from vadkit.utils.work_dir_lock import WorkDirBusyError, lock_work_dir, unlock_work_dir

from .hooks import AtomicCheckpointHook, CrashPointHook, RNGStateHook
from .hooks.rng_state_hook import RNG_KEY
from .hooks.run_summary_hook import RunSummaryHook

# the default hooks mmengine's runner registers itself (and removes when set to None)
MMENGINE_DEFAULT_HOOKS = ('runtime_info', 'timer', 'sampler_seed', 'logger', 'param_scheduler',
                          'checkpoint')


def build_runner(cfg) -> Runner:
    """The runner of ``cfg``: its ``runner_type`` if it names one, else
    :class:`VadkitRunner` (so configs that do not inherit the default runtime get it)."""
    if isinstance(cfg, Config):
        cfg = TextCachedConfig.of(cfg)
    if cfg.get('runner_type'):
        return RUNNERS.build(cfg)
    return VadkitRunner.from_cfg(cfg)


@RUNNERS.register_module()
class VadkitRunner(Runner):
    """mmengine's runner, built from a config with ``runner_type='VadkitRunner'``."""

    _preloaded: Optional[tuple] = None  # (path, checkpoint) read while choosing one
    _loaded_rng_state: Optional[dict] = None
    _nothing_to_resume = False  # resume=True found no checkpoint: trains from scratch

    # -- one run per work dir -----------------------------------------------------------
    def setup_env(self, env_cfg: dict) -> None:
        super().setup_env(env_cfg)  # the process group exists from here on
        self._lock_work_dir()

    def _lock_work_dir(self) -> None:
        error = None
        if self.rank == 0:
            try:
                lock_work_dir(self._work_dir)
            except WorkDirBusyError as e:
                error = e
        if self.distributed:
            refused = torch.tensor([0 if error is None else 1])
            broadcast(refused)
            if refused.item() and error is None:
                raise WorkDirBusyError(f'work dir {self._work_dir} is in use by another '
                                       'run (rank 0 could not lock it)')
        if error is not None:
            raise error
        if self.rank == 0:
            remove_stale_temp_files(self._work_dir)  # left by a writer that was killed

    def release_work_dir(self) -> None:
        """Let other runs use the work dir before this process ends."""
        unlock_work_dir(self._work_dir)

    # -- deterministic without paying for it twice ----------------------------------------
    def set_randomness(self, seed, diff_rank_seed: bool = False, deterministic: bool = False,
                       fill_uninitialized_memory: bool = False) -> None:
        """mmengine's seeding, plus ``randomness.fill_uninitialized_memory``.

        With deterministic algorithms on, PyTorch also fills every new tensor with NaN
        (``torch.utils.deterministic.fill_uninitialized_memory``) in case a kernel reads
        memory before writing it. The layers of vadkit's models do not: runs with and
        without the fill give bitwise-equal weights and scores
        (``tests/test_engine/test_runner_randomness.py``). The fill writes every activation
        once more (8 % of a training step of the recommended Ped2 CPU config,
        ``benchmarks/bench_train_step.py``), so it is off unless a config turns it on to
        hunt such a read: ``randomness = dict(..., fill_uninitialized_memory=True)``.
        """
        super().set_randomness(seed, diff_rank_seed=diff_rank_seed, deterministic=deterministic)
        if deterministic:
            torch.utils.deterministic.fill_uninitialized_memory = bool(fill_uninitialized_memory)

    # -- a terminal for people: the environment and config dump go to the log file only --
    def build_logger(self, log_level='INFO', log_file=None, **kwargs):
        return quiet_console(super().build_logger(log_level, log_file, **kwargs))

    # -- hooks the guarantees need -------------------------------------------------------
    def register_hooks(self, default_hooks=None, custom_hooks=None) -> None:
        if default_hooks:
            # ``default_hooks.<name>=None`` turns a default hook off: mmengine takes None for
            # its own six only and asserts on vadkit's (score_curves, cpu_share, ...)
            default_hooks = {name: hook for name, hook in default_hooks.items()
                             if hook is not None or name in MMENGINE_DEFAULT_HOOKS}
        super().register_hooks(default_hooks, custom_hooks)
        for hook in self._hooks:
            if type(hook) is CheckpointHook:  # same state, crash-safe saving
                hook.__class__ = AtomicCheckpointHook
        if not any(isinstance(h, RNGStateHook) for h in self._hooks):
            self.register_hook(RNGStateHook())
        if os.environ.get(CRASH_ENV):
            self.register_hook(CrashPointHook())
        if not any(isinstance(h, RunSummaryHook) for h in self._hooks):
            self.register_hook(RunSummaryHook())

    @property
    def bare_model(self) -> torch.nn.Module:
        return self.model.module if is_model_wrapper(self.model) else self.model

    def _config_name(self) -> str:
        return self.cfg.filename or '<config>'

    # -- saving: atomic, with the model's identity ---------------------------------------
    @master_only
    def save_checkpoint(self, out_dir: str, filename: str, file_client_args=None,
                        save_optimizer: bool = True, save_param_scheduler: bool = True,
                        meta: Optional[dict] = None, by_epoch: bool = True,
                        backend_args=None) -> None:
        meta = dict(meta or {})
        if isinstance(self.cfg.get('model'), dict):
            meta[IDENTITY_KEY] = model_identity(self.cfg.model, self.bare_model,
                                                self._config_name())
        args = (file_client_args, save_optimizer, save_param_scheduler)
        if file_client_args is not None or backend_args is not None or '://' in out_dir:
            return super().save_checkpoint(out_dir, filename, *args, meta=meta,
                                           by_epoch=by_epoch, backend_args=backend_args)
        tmp = os.path.join(out_dir, temp_name_for(filename))
        try:
            super().save_checkpoint(out_dir, os.path.basename(tmp), *args, meta=meta,
                                    by_epoch=by_epoch)
            finish_atomic_write(tmp, os.path.join(out_dir, filename))
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    # -- loading: readable, of this model, strictly, checked before anything is built ----
    def train(self) -> torch.nn.Module:
        self._read_checkpoint_to_load()
        model = super().train()
        self._has_loaded = True  # a test after training tests the trained weights
        return model

    def val(self) -> dict:
        self._read_checkpoint_to_load()
        return super().val()

    def test(self) -> dict:
        self._read_checkpoint_to_load()
        return super().test()

    def _read_checkpoint_to_load(self) -> None:
        """Read and check the checkpoint to load or resume from before the loops (and their
        datasets) are built, so a bad one is refused at once."""
        if self._has_loaded or self._preloaded is not None or self._nothing_to_resume:
            return
        if self._resume and self._load_from is None:
            path, checkpoint, skipped = newest_readable_checkpoint(self.work_dir, get_device())
            for reason in skipped:
                self.logger.warning(f'resume: skipping an unreadable checkpoint: {reason}')
            if path is None:
                self._nothing_to_resume = True
                self.logger.warning(
                    f'resume: no {"readable " if skipped else ""}checkpoint in '
                    f'{self.work_dir}: training starts from scratch (epoch 1)')
                return
            self.logger.info(f'resume: from the newest readable checkpoint, {path}')
        elif self._load_from is not None:
            path = self._load_from
            checkpoint = read_checkpoint(path, get_device() if self._resume else 'cpu')
        else:
            return
        if self._resume:
            check_resumable(checkpoint, path)
        self._check_model(checkpoint, path, [(r'^module\.', '')])
        self._preloaded = (path, checkpoint)

    def load_or_resume(self) -> None:
        if self._has_loaded:
            return
        self._read_checkpoint_to_load()
        if self._resume and self._load_from is None:  # resume the newest readable one
            if self._preloaded is not None:
                self.resume(self._preloaded[0])
            return
        super().load_or_resume()

    def load_checkpoint(self, filename: str, map_location: Union[str, Callable] = 'cpu',
                        strict: bool = True, revise_keys: list = [(r'^module\.', '')]):
        if self._preloaded and self._preloaded[0] == filename:
            checkpoint = self._preloaded[1]
        else:
            checkpoint = read_checkpoint(filename, map_location)
            self._check_model(checkpoint, filename, revise_keys)
        self._preloaded = None
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        _load_checkpoint_to_model(self.bare_model, checkpoint, True, revise_keys=revise_keys)
        self._loaded_rng_state = checkpoint.get(RNG_KEY)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint

    def _check_model(self, checkpoint: dict, filename: str, revise_keys: list) -> None:
        model_cfg = self.cfg.get('model')
        notes = check_checkpoint_fits(checkpoint, self.bare_model,
                                      model_cfg if isinstance(model_cfg, dict) else None,
                                      filename, self._config_name(), revise_keys)
        for note in notes:
            self.logger.warning(note)

    # -- resuming: exactly where the checkpoint left off ---------------------------------
    def resume(self, filename: str, resume_optimizer: bool = True,
               resume_param_scheduler: bool = True,
               map_location: Union[str, Callable] = 'default') -> None:
        if not (self._preloaded and self._preloaded[0] == filename):
            checkpoint = read_checkpoint(
                filename, get_device() if map_location == 'default' else map_location)
            self._check_model(checkpoint, filename, [(r'^module\.', '')])
            self._preloaded = (filename, checkpoint)
        check_resumable(self._preloaded[1], filename)
        super().resume(filename, resume_optimizer, resume_param_scheduler, map_location)
        rng_hook = next(h for h in self._hooks if isinstance(h, RNGStateHook))
        rng_hook.pending = self._loaded_rng_state
        if self._loaded_rng_state is None:
            self.logger.warning(f'{filename} does not record the random generators\' state '
                                '(saved by an older vadkit): the resumed run draws other '
                                'random numbers than an uninterrupted one would')
