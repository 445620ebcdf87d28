"""What a run trains on what data, and what came out, in a few lines.

With the environment and config dump kept in the log file (:mod:`vadkit.utils.console_log`),
these lines tell the person at the terminal what is running: the config, the model in one
line, the data of each split, and at the end the checkpoint written.
"""
import os.path as osp
import time
from typing import Optional

from mmengine.hooks import Hook

from vadkit.registry import HOOKS


def _component(value) -> Optional[str]:
    """``type`` of a component config (``name:type`` for named ones), else ``None``."""
    if isinstance(value, dict) and 'type' in value:
        t = value['type'] if isinstance(value['type'], str) else getattr(
            value['type'], '__name__', str(value['type']))
        return f"{value['name']}:{t}" if 'name' in value else t
    return None


def describe_model(model_cfg, model) -> str:
    """One line: the model's type, its components' types and its parameter count."""
    parts = []
    if isinstance(model_cfg, dict):
        for key, value in model_cfg.items():
            if key in ('type', 'data_preprocessor', 'init_cfg'):
                continue
            if isinstance(value, (list, tuple)) and value and all(map(_component, value)):
                parts.append(f"{key} [{', '.join(map(_component, value))}]")
            elif _component(value):
                parts.append(f'{key} {_component(value)}')
    name = type(getattr(model, 'module', model)).__name__
    n = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    count = f'{n:,} parameters' + ('' if trainable == n else f' ({trainable:,} trainable)')
    return f"model: {name}" + (f" ({'; '.join(parts)})" if parts else '') + f', {count}'


def describe_dataset(dataset) -> str:
    """One line: the dataset's own summary (layout and root, videos, windows)."""
    return repr(dataset) if type(dataset).__repr__ is not object.__repr__ \
        else f'{type(dataset).__name__} of {len(dataset)} samples'


def count_test_videos(cfg) -> Optional[str]:
    """The test split as the config's layout lists it (no frame is decoded), or ``None``
    when the config has no test layout."""
    from vadkit.registry import DATASET_LAYOUTS
    layout = cfg.get('test_dataloader', None) or {}
    layout = (layout.get('dataset') or {}).get('layout') if isinstance(layout, dict) else None
    if not isinstance(layout, dict) or layout.get('exact_frame_count'):
        return None  # (counting by decoding would delay training)
    try:
        built = DATASET_LAYOUTS.build(layout)
        videos = built.load('test')
    except Exception as e:  # noqa: BLE001  (a summary line must never stop a training)
        return (f'test data: cannot be read ({type(e).__name__}: {e}); training goes on, '
                'testing will fail')
    frames = sum(v.num_frames for v in videos)
    return f'test data: {built.describe()}, {len(videos)} videos, {frames} frames'


@HOOKS.register_module()
class RunSummaryHook(Hook):
    """Logs what is trained on what data before training, the test data before testing,
    and where the result went after training."""

    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self._start = None

    def _log(self, runner, msg: str, level: str = 'info') -> None:
        getattr(runner.logger, level)(msg)

    def _header(self, runner, what: str) -> None:
        config = runner.cfg.filename or '<config object>'
        log = next((h.baseFilename for h in runner.logger.handlers
                    if hasattr(h, 'baseFilename')), None)
        self._log(runner, f'{what} {osp.basename(config)} ({config}); work dir '
                  f'{runner.work_dir}' + (f'; environment and config in {log}' if log else ''))
        self._log(runner, describe_model(runner.cfg.get('model'), runner.model))

    def before_train(self, runner) -> None:
        self._start = time.time()
        self._header(runner, 'training')
        self._log(runner, 'train data: ' + describe_dataset(runner.train_dataloader.dataset))
        # on every process: a synthetic layout sets itself up with a collective (a
        # barrier), so the main process alone would wait there forever
        line = count_test_videos(runner.cfg)
        if line and runner.rank == 0:
            self._log(runner, line, 'warning' if 'cannot be read' in line else 'info')

    def after_train(self, runner) -> None:
        took = time.time() - (self._start or time.time())
        pointer = osp.join(runner.work_dir, 'last_checkpoint')
        checkpoint = open(pointer).read().strip() if osp.isfile(pointer) else None
        epochs = f"{runner.epoch} epoch{'s' if runner.epoch != 1 else ''}"
        self._log(runner, f'training done: {epochs}, {runner.iter} iterations in '
                  f'{took / 60:.1f} min' + (f'; checkpoint {checkpoint}' if checkpoint else ''))

    def before_test(self, runner) -> None:
        if self._start is None:  # a test on its own (tools/test.py)
            self._header(runner, 'testing')
        self._log(runner, 'test data: ' + describe_dataset(runner.test_dataloader.dataset))
