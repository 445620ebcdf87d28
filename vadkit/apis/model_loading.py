"""Build a model from a config and load a checkpoint into it, refusing a mismatch clearly.

Checkpoints are loaded with ``torch.load(weights_only=True)`` (no code runs from the file);
vadkit's :class:`~vadkit.engine.hooks.PlainCheckpointHook` keeps training checkpoints
loadable that way. A checkpoint whose weights do not fit the config (another width,
another task list, another clip length) is reported with the keys and shapes that differ,
naming both files, instead of a bare ``load_state_dict`` traceback.
"""
import os.path as osp
import pickle
from typing import Optional, Union

import torch
from mmengine.config import Config
from torch import nn

from vadkit.utils.config_validation import validate_config
from vadkit.utils.errors import VadkitError

from vadkit.utils import register_all_modules


class CheckpointMismatchError(VadkitError, ValueError):
    """A checkpoint whose weights do not fit the model its config builds."""


def load_config(config: Union[str, Config], cfg_options: Optional[dict] = None) -> Config:
    if isinstance(config, Config):
        cfg = config
    else:
        if not osp.isfile(str(config)):
            raise FileNotFoundError(f'config file {config!r} does not exist')
        cfg = Config.fromfile(str(config))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    # only the model is built here: its typos and bad values, all at once, before the build
    validate_config(cfg, parts=('model', ))
    return cfg


def _read_state_dict(checkpoint: str) -> dict:
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint!r} does not exist')
    try:
        ckpt = torch.load(checkpoint, map_location='cpu', weights_only=True)
    except pickle.UnpicklingError as e:
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint} cannot be loaded safely (weights_only=True): it stores '
            f'Python objects other than tensors and plain numpy ({str(e).splitlines()[0]}). '
            "Save checkpoints with vadkit's PlainCheckpointHook (in the default runtime), "
            "or re-save only the weights: torch.save({'state_dict': sd}, path)") from e
    except Exception as e:  # noqa: BLE001 - corrupt or non-PyTorch file
        raise CheckpointMismatchError(f'cannot read checkpoint {checkpoint}: {e}') from e
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not all(torch.is_tensor(v) for v in state.values()):
        raise CheckpointMismatchError(
            f'{checkpoint} holds no state dict (expected a dict of tensors, or a dict with '
            "'state_dict'): is it a vadkit/mmengine checkpoint?")
    prefix = 'module.'
    if state and all(k.startswith(prefix) for k in state):  # saved from a DDP wrapper
        state = {k[len(prefix):]: v for k, v in state.items()}
    return state


def _listing(keys, limit: int = 6) -> str:
    keys = sorted(keys)
    more = f' (+{len(keys) - limit} more)' if len(keys) > limit else ''
    return ', '.join(keys[:limit]) + more


def load_checked_state_dict(model: nn.Module, checkpoint: str, config_name: str = '') -> None:
    """Load ``checkpoint`` into ``model`` strictly; a mismatch raises
    :class:`CheckpointMismatchError` listing missing/unexpected keys and shape mismatches."""
    state = _read_state_dict(checkpoint)
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [f'{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}'
              for k in own if k in state and state[k].shape != own[k].shape]
    if missing or unexpected or shapes:
        parts = []
        if missing:
            parts.append(f'{len(missing)} missing key(s) (in the model, not in the '
                         f'checkpoint): {_listing(missing)}')
        if unexpected:
            parts.append(f'{len(unexpected)} unexpected key(s) (in the checkpoint, not in the '
                         f'model): {_listing(unexpected)}')
        if shapes:
            parts.append(f'{len(shapes)} shape mismatch(es): {"; ".join(shapes[:4])}'
                         + (f' (+{len(shapes) - 4} more)' if len(shapes) > 4 else ''))
        tasks = getattr(model, 'tasks', None)
        if tasks is not None and any(k.startswith('tasks.') for k in missing + unexpected):
            parts.append('the config\'s tasks are ' + ', '.join(
                f'tasks.{i}={h.name} ({type(h).__name__})' for i, h in enumerate(tasks)))
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint} does not match the model of config {config_name}: '
            + '; '.join(parts) + '. Use the config the checkpoint was trained with (a copy '
            'is saved in the work dir beside the checkpoint), or a checkpoint of this config.')
    model.load_state_dict(state, strict=True)


def init_detector(config: Union[str, Config], checkpoint: Optional[str] = None,
                  device: str = 'cpu', cfg_options: Optional[dict] = None) -> nn.Module:
    """Build the model of ``config``, load ``checkpoint`` and put it in eval mode.

    Args:
        config: Config path or :class:`mmengine.config.Config`.
        checkpoint: Checkpoint path; ``None`` keeps random weights (for tests).
        device: ``'cpu'``, ``'cuda'``, ``'cuda:1'``, ...
        cfg_options: Overrides merged into the config.

    Returns:
        The model, with the config as ``model.cfg`` and the checkpoint path as
        ``model.checkpoint``.

    Raises:
        CheckpointMismatchError: If the checkpoint's weights do not fit the config's model.
    """
    register_all_modules()
    from vadkit.registry import MODELS
    cfg = load_config(config, cfg_options)
    model = MODELS.build(cfg.model)
    config_name = config if isinstance(config, str) else (cfg.filename or '<Config>')
    if checkpoint is not None:
        load_checked_state_dict(model, checkpoint, config_name)
    model.cfg = cfg
    model.checkpoint = checkpoint
    model.config_path = config_name
    return model.to(device).eval()
