"""A throwaway plugin written in a temporary folder trains in process and with the standard
tools, without touching vadkit."""
import importlib
import importlib.util
import os
import os.path as osp
import sys
import textwrap
import uuid

from forked_tool import run_forked
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:  # `plugins` is imported from the repository root, as tools do
    sys.path.insert(0, REPO)

import plugins.arrow_of_time  # noqa: F401
import plugins.gradient_error  # noqa: F401
import plugins.memae  # noqa: F401
from vadkit.registry import ERROR_MEASURES, TASK_HEADS, TRANSFORMS
from vadkit.utils import register_all_modules
from vadkit.utils.plugins import import_plugins

register_all_modules()

T = 8


# ---------------------------------------------------------------------------------------
# A throwaway plugin, written by the test: measure + task (sampler and head)
# ---------------------------------------------------------------------------------------
THROWAWAY_FILES = {
    '__init__.py': '''
        """A throwaway plugin: an error measure and a task (sampler + head)."""
        from .measure import ThrowawayAbsError
        from .task import SampleThrowawayFlipClip, ThrowawayFlipHead
    ''',
    'measure.py': '''
        from vadkit.models.measures import BaseErrorMeasure
        from vadkit.registry import ERROR_MEASURES


        @ERROR_MEASURES.register_module(force=True)
        class ThrowawayAbsError(BaseErrorMeasure):
            def frame_error(self, pred, target):
                return (pred - target).abs().flatten(1).mean(1)
    ''',
    'task.py': '''
        import numpy as np
        import torch.nn.functional as F
        from mmcv.transforms import BaseTransform
        from torch import nn

        from vadkit.models.heads import BaseTaskHead
        from vadkit.registry import TASK_HEADS, TRANSFORMS


        @TRANSFORMS.register_module(force=True)
        class SampleThrowawayFlipClip(BaseTransform):
            """T frames, mirrored left-right (label 1) or not (label 0)."""

            def transform(self, results):
                length = results['window_length'] - 1
                clip = results['read_frames'](np.arange(results['start'],
                                                        results['start'] + length))
                flip = int(np.random.random() < 0.5)
                results['flip_clip'] = clip[:, :, ::-1].copy() if flip else clip
                results['flip_label'] = flip
                return results


        @TASK_HEADS.register_module(force=True)
        class ThrowawayFlipHead(BaseTaskHead):
            def __init__(self, name='flip', input_key='flip_clip', **kwargs):
                super().__init__(name=name, input_key=input_key, **kwargs)
                self.fc = nn.Linear(kwargs.get('code_channels', 256), 2)

            def forward(self, feats):
                return self.fc(feats.code.mean((2, 3, 4)))

            def loss(self, output, feats, data_samples):
                return F.cross_entropy(output, data_samples['flip_label'].long())

            def score(self, output, feats):
                return {self.name: output.softmax(1)[:, 1]}
    ''',
}


def write_package(root, name, files):
    pkg = root / name
    pkg.mkdir(parents=True)
    for fname, text in files.items():
        (pkg / fname).write_text(textwrap.dedent(text))
    return pkg


def throwaway_config(tmp_path, package: str) -> str:
    bases = [osp.join(REPO, 'configs', '_base_', f) for f in (
        'models/luss_ae_3dcae.py', 'datasets/frames_windows.py', 'schedules/adam_60e.py',
        'default_runtime.py')]
    layout = dict(type='SyntheticLayout', root=str(tmp_path / 'data'), num_train=1,
                  num_test=2, num_frames=24, size=32)
    text = f'''
        _base_ = {bases!r}
        custom_imports = dict(imports=['{package}'], allow_failed_imports=False)
        clip_len = 8
        model = dict(
            clip_len=clip_len,
            backbone=dict(widths=(4, 8, 8, 8)),
            tasks=[
                dict(type='ClipReconstructionHead', name='vcr', measure=dict(type='MSE'),
                     extra_measures=dict(abs=dict(type='ThrowawayAbsError'))),
                dict(type='ThrowawayFlipHead', name='flip', input_key='flip_clip'),
            ])
        train_pipeline = [
            dict(type='SampleWindow'),
            dict(type='SampleThrowawayFlipClip'),
            dict(type='PackClipInputs', keys=('window', 'flip_clip'),
                 meta_keys=('flip_label', )),
        ]
        layout = {layout!r}
        loader = dict(batch_size=16, num_workers=0, persistent_workers=False,
                      pin_memory=False)
        train_dataloader = dict(**loader, dataset=dict(
            layout=layout, window_length=clip_len + 1, pipeline=train_pipeline,
            decode_pipeline=[dict(type='Grayscale')], cache_dir=None))
        test_dataloader = dict(**loader, dataset=dict(
            layout=layout, window_length=clip_len + 1,
            decode_pipeline=[dict(type='Grayscale')], cache_dir=None))
        test_evaluator = dict(type='FrameAUROCMetric',
                              score_weights={{'vcr.abs': 1.0, 'flip': 0.5}})
        train_cfg = dict(max_epochs=1)
        default_hooks = dict(logger=dict(interval=1))
    '''
    path = tmp_path / 'throwaway_config.py'
    path.write_text(textwrap.dedent(text))
    return str(path)


def assert_not_in_vadkit(package: str, names):
    import vadkit
    import vadkit.models.heads
    import vadkit.models.measures
    assert importlib.util.find_spec(f'vadkit.{package}') is None
    for mod in (vadkit, vadkit.models.measures, vadkit.models.heads):
        assert not any(hasattr(mod, n) for n in names)


def test_throwaway_plugin_trains_in_process(tmp_path, monkeypatch):
    from vadkit.engine.runner import build_runner
    package = f'throwaway_plugin_{uuid.uuid4().hex[:8]}'
    write_package(tmp_path, package, THROWAWAY_FILES)
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = Config.fromfile(throwaway_config(tmp_path, package), import_custom_modules=False)
    (module, ) = import_plugins(cfg)
    assert module.__file__.startswith(str(tmp_path))
    for registry, name in ((ERROR_MEASURES, 'ThrowawayAbsError'),
                           (TASK_HEADS, 'ThrowawayFlipHead'),
                           (TRANSFORMS, 'SampleThrowawayFlipClip')):
        assert registry.get(name).__module__.startswith(package + '.')
    cfg.work_dir = str(tmp_path / 'work')
    cfg.experiment_name = package
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1, val_interval=1000)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1000)
    runner = build_runner(cfg)  # as tools/train.py builds it
    runner.train()
    assert runner.iter == 1
    assert {'train/loss_vcr', 'train/loss_flip'} <= set(runner.message_hub.log_scalars)
    metrics = runner.test()
    assert 'vcr.abs_micro_auroc' in metrics and 'flip_micro_auroc' in metrics
    assert_not_in_vadkit(package, ('ThrowawayAbsError', 'ThrowawayFlipHead',
                                   'SampleThrowawayFlipClip'))


def test_throwaway_plugin_with_the_standard_tools(tmp_path):
    """tools/train.py --test with the plugin found through PYTHONPATH only."""
    package = f'throwaway_plugin_{uuid.uuid4().hex[:8]}'
    write_package(tmp_path, package, THROWAWAY_FILES)
    cfg = throwaway_config(tmp_path, package)
    env = dict(os.environ, PYTHONPATH=str(tmp_path), OMP_NUM_THREADS='1')
    out = run_forked([osp.join(REPO, 'tools', 'train.py'), cfg, '--work-dir',
                      str(tmp_path / 'work'), '--test'], env, str(tmp_path), timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert 'micro AUROC' in out.stdout and 'flip alone' in out.stdout
    assert_not_in_vadkit(package, ('ThrowawayAbsError', 'ThrowawayFlipHead',
                                   'SampleThrowawayFlipClip'))
