"""Build a model from a config and load a checkpoint into it, refusing a mismatch clearly.

Checkpoints are loaded with ``torch.load(weights_only=True)`` (no code runs from the file);
vadkit's :class:`~vadkit.engine.hooks.PlainCheckpointHook` keeps training checkpoints
loadable that way. A checkpoint whose weights do not fit the config (another width,
another task list, another clip length) is reported with the keys and shapes that differ,
naming both files, instead of a bare ``load_state_dict`` traceback.
"""
import logging
from typing import Optional, Union

from mmengine.config import Config
from mmengine.logging import print_log
from torch import nn

from vadkit.utils import register_all_modules
from vadkit.utils.cfg_option_values import config_literals
from vadkit.utils.checkpoint_files import read_checkpoint
from vadkit.utils.config_paths import find_config
from vadkit.utils.config_validation import validate_config
from vadkit.utils.model_identity import CheckpointMismatchError, check_checkpoint_fits

__all__ = ['CheckpointMismatchError', 'init_detector', 'load_checked_state_dict', 'load_config']


def load_config(config: Union[str, Config], cfg_options: Optional[dict] = None) -> Config:
    if isinstance(config, Config):
        cfg = config
    else:
        cfg = Config.fromfile(find_config(str(config)))
    if cfg_options:
        cfg.merge_from_dict(config_literals(cfg_options))
    # only the model is built here: its typos and bad values, all at once, before the build
    validate_config(cfg, parts=('model', ))
    return cfg


def load_checked_state_dict(model: nn.Module, checkpoint: str, config_name: str = '',
                            model_cfg: Optional[dict] = None) -> None:
    """Load ``checkpoint`` into ``model`` strictly. A checkpoint of another model (by the
    model config it records, compared with ``model_cfg``, or by its weights' names and
    shapes) raises :class:`CheckpointMismatchError`; an unreadable one
    :class:`~vadkit.utils.checkpoint_files.UnreadableCheckpointError`."""
    ckpt = read_checkpoint(checkpoint)
    for note in check_checkpoint_fits(ckpt, model, model_cfg, checkpoint, config_name):
        print_log(note, logger='current', level=logging.WARNING)
    state = ckpt.get('state_dict', ckpt)
    prefix = 'module.'
    if state and all(k.startswith(prefix) for k in state):  # saved from a DDP wrapper
        state = {k[len(prefix):]: v for k, v in state.items()}
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
        load_checked_state_dict(model, checkpoint, config_name, cfg.model)
    model.cfg = cfg
    model.checkpoint = checkpoint
    model.config_path = config_name
    return model.to(device).eval()
