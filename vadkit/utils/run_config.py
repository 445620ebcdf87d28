"""Shared config handling of the command-line tools."""
import os
import os.path as osp
from typing import List, Optional, Sequence

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
    """Point the layout of every dataloader at ``root``, a root the user gave explicitly.

    Raises:
        DatasetError: If ``root`` does not exist and a layout would generate synthetic
            videos there: a mistyped path would silently become a fresh dataset.

    A config on synthetic data pointed at a folder that holds another dataset (any folder
    with files that synthetic generation did not make, e.g. a pseudo-anomaly set or your
    own footage) reads that dataset in whatever layout it is in (``AutoLayout``): its model
    is tested or trained on those videos instead of generating synthetic ones.
    """
    check_explicit_data_root(cfg, root)
    other_dataset = _holds_other_dataset(root)
    switched = []
    for key in DATALOADERS:
        loader = cfg.get(key)
        if loader and 'layout' in loader.get('dataset', {}):
            layout = loader['dataset']['layout']
            if other_dataset and _is_synthetic_layout(layout):
                loader['dataset']['layout'] = dict(type='AutoLayout', root=root)
                switched.append(key)
            else:
                layout['root'] = root
    if switched:
        print_log(f'{root} holds a dataset, not synthetic videos: the config\'s synthetic '
                  f'layout is replaced by AutoLayout (its own layout, detected) in '
                  f'{", ".join(switched)}', logger='current')
    cfg.data_root = root


def _is_synthetic_layout(layout) -> bool:
    from vadkit.datasets.layouts import SyntheticLayout
    from vadkit.registry import DATASET_LAYOUTS
    cls = layout.get('type')
    cls = DATASET_LAYOUTS.get(cls) if isinstance(cls, str) else cls
    return isinstance(cls, type) and issubclass(cls, SyntheticLayout)


def _holds_other_dataset(root: str) -> bool:
    """An existing folder with files, not made by synthetic generation (no synthetic.json):
    a synthetic layout there would refuse to replace it."""
    root = osp.expanduser(str(root))
    return (osp.isdir(root) and any(not n.startswith('.') for n in os.listdir(root))
            and not osp.exists(osp.join(root, 'synthetic.json')))


def check_explicit_data_root(cfg: Config, root: str) -> None:
    """Refuse a missing ``root`` for a config on synthetic data. Its layout generates the
    videos wherever its root points, which is right for the config's own root (the demo
    runs from a clean checkout) but turns a mistyped ``--data-root`` into a new dataset
    that is trained on without a word. An existing folder is taken as meant: creating it
    is the opt-in to generate there."""
    if osp.exists(osp.expanduser(str(root))):
        return
    from vadkit.datasets.dataset_errors import DatasetError
    for key in DATALOADERS:
        layout = ((cfg.get(key) or {}).get('dataset') or {}).get('layout') or {}
        if _is_synthetic_layout(layout):
            name = layout['type'] if isinstance(layout['type'], str) else layout['type'].__name__
            raise DatasetError(
                f'data root {root!r} does not exist (cwd: {os.getcwd()}). The config\'s '
                f'{name} would generate new synthetic videos there and run on them, '
                'which a mistyped path must not do. Check the path; or leave out '
                '--data-root (data_root=) to use the config\'s own synthetic videos in '
                f'{layout.get("root")}; or, to generate synthetic videos at {root}, create '
                f'that folder first (mkdir -p {root})')


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
    # data_root=X in the options means --data-root X: the layouts read their root, not it
    data_root = data_root or (cfg_options or {}).get('data_root')
    if data_root:
        set_data_root(cfg, str(data_root))
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


def compare_weight_labels(cfg: Config) -> List[str]:
    """The labels of the test evaluator's ``compare_weights`` (their figures are
    ``micro_auroc_<label>``, like those of ``compare_normalizers``)."""
    return [label for ev in frame_metric_configs(cfg)
            for label in (ev.get('compare_weights') or {})]


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
