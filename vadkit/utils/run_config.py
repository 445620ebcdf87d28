"""Shared config handling of the command-line tools."""
import os.path as osp
from typing import Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.logging import print_log

from .cfg_option_values import config_literals
from .config_paths import find_config
from .config_validation import validate_config
from .dist import cpu_model_wrapper_cfg, init_distributed
from .plugins import import_plugins

DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def set_data_root(cfg: Config, root: str) -> None:
    """Point the layout of every dataloader at ``root``."""
    for key in DATALOADERS:
        loader = cfg.get(key)
        if loader and 'layout' in loader.get('dataset', {}):
            loader['dataset']['layout']['root'] = root
    cfg.data_root = root


def load_config(path: str, cfg_options: Optional[dict] = None, work_dir: Optional[str] = None,
                data_root: Optional[str] = None, launcher: str = 'none',
                check_parts: Optional[Sequence[str]] = None) -> Config:
    """Read a config and apply the options every tool shares.

    ``check_parts``: the top-level entries to validate (all that a runner reads by default;
    a tool that builds only some of them, e.g. the datasets, names those)."""
    path = find_config(path)  # a file, or the name of a shipped config
    # plugins are imported by import_plugins, which names the plugin and the failed import
    cfg = Config.fromfile(path, import_custom_modules=False)
    if cfg_options:
        cfg.merge_from_dict(config_literals(cfg_options))
    import_plugins(cfg)
    if data_root:
        set_data_root(cfg, data_root)
    if work_dir:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(path))[0])
    cfg.launcher = launcher
    # every typo and bad value at once, before a dataset or a model is built
    validate_config(cfg, parts=check_parts, source=f'config {path}')
    if launcher != 'none':
        init_distributed(launcher)
        if not torch.cuda.is_available():
            cfg.model_wrapper_cfg = cpu_model_wrapper_cfg()
    return cfg


def frame_metric_configs(cfg: Config) -> list:
    """The ``FrameAUROCMetric`` configs of the test evaluator (a dict or a list)."""
    evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [
        cfg.test_evaluator]
    return [ev for ev in evaluators if ev.get('type') == 'FrameAUROCMetric']


def set_score_output_dir(cfg: Config, out_dir: str) -> None:
    """Have every ``FrameAUROCMetric`` of the test evaluator write its frame scores
    (``frame_scores.{npz,csv}``, ``per_video_auroc.csv``) to ``out_dir``."""
    for ev in frame_metric_configs(cfg):
        ev['output_dir'] = out_dir


def enable_amp(cfg: Config) -> None:
    if not torch.cuda.is_available():
        print_log('--amp needs a GPU; training in float32 on the CPU', logger='current',
                  level=30)
        return
    if cfg.optim_wrapper.get('type', 'OptimWrapper') == 'OptimWrapper':
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
