"""Configs are checked before anything heavy runs: every typo and bad value at once, with
its dotted path and the fix, as one user error (exit 2) from the tools."""
import glob
import os.path as osp
import sys
from types import SimpleNamespace

import pytest
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:  # plugin configs import `plugins` from the repository root
    sys.path.insert(0, REPO)

from vadkit.apis.model_loading import load_config as load_model_config
from vadkit.utils import register_all_modules
from vadkit.utils.component_signature import accepted_arguments
from vadkit.utils.config_validation import ConfigError, find_config_problems, validate_config
from vadkit.utils.errors import VadkitError
from vadkit.utils.plugins import import_plugins

register_all_modules(init_default_scope=False)
DEMO = osp.join(REPO, 'configs', 'demo', 'luss-ae_3dcae-w8_8x64x64_synthetic.py')
BASE = osp.join(REPO, 'configs', '_base_')
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    + glob.glob(osp.join(REPO, 'plugins', '*', 'configs', '*.py')) if not p.startswith(BASE))


def demo(**options) -> Config:
    cfg = Config.fromfile(DEMO, import_custom_modules=False)
    cfg.merge_from_dict(options)
    return cfg


def paths(cfg: Config) -> list:
    return [p.path for p in find_config_problems(cfg)]


def train(vadkit_command, config: str, tmp_path, *options: str) -> SimpleNamespace:
    """``vadkit train`` on ``config`` (in this process); its work dir must stay empty when
    refused."""
    args = ['train', config, '--work-dir', tmp_path / 'work']
    if options:
        args += ['--cfg-options', *options]
    code, _, err = vadkit_command(*args)
    return SimpleNamespace(returncode=code, stderr=err)


# --- the tools refuse each bad input with exit 2 and one message, before any work ----------

@pytest.mark.parametrize('option, expected', [
    ('trian_cfg.max_epochs=1', ["trian_cfg: unknown top-level key 'trian_cfg'",
                                "did you mean 'train_cfg'?"]),
    ('train_cfg.max_epochs=0', ['train_cfg.max_epochs:', 'max_epochs=0 trains nothing']),
    ('train_cfg.max_epoch=3', ["train_cfg.max_epoch: EpochBasedTrainLoop has no argument "
                               "'max_epoch'; did you mean 'max_epochs'?"]),
    ('optim_wrapper.optimizer.lrr=0.001', ["optim_wrapper.optimizer.lrr: Adam has no argument "
                                           "'lrr'; did you mean 'lr'?"]),
    ('train_cfg.max_epochs=abc', ["train_cfg.max_epochs:", "max_epochs='abc' (str) should be "
                                  'an integer']),
    ('test_evaluator.score_weightz=1', ["test_evaluator.score_weightz: FrameAUROCMetric has no "
                                        "argument 'score_weightz'; did you mean "
                                        "'score_weights'"]),
], ids=['top-level-typo', 'max-epochs-0', 'loop-key-typo', 'optimizer-key-typo',
        'not-an-integer', 'test-evaluator-typo'])
def test_train_refuses_bad_option(vadkit_command, tmp_path, option, expected):
    out = train(vadkit_command, DEMO, tmp_path, option)
    assert out.returncode == 2, out.stderr
    assert 'train.py: error: config' in out.stderr and 'Traceback' not in out.stderr
    for text in expected:
        assert text in out.stderr
    assert not (tmp_path / 'work').exists()  # refused before the runner made its work dir


@pytest.mark.parametrize('option, expected', [
    ('train_cfg.max_epochs', "'train_cfg.max_epochs': write key=value, e.g. --cfg-options "
                             'train_cfg.max_epochs=5'),
    ('=3', "'=3': write key=value"),
    ('model.tasks=[1,(2]', "'model.tasks=[1,(2]': its value cannot be parsed"),
    ("train_cfg=dict(type='IterBasedTrainLoop',max_iters=20)",
     "its value cannot be parsed. A value is a number"),  # recursed to Python's limit
], ids=['no-equals', 'no-key', 'unbalanced', 'dict-call'])
def test_an_option_that_cannot_be_parsed_is_a_usage_error(vadkit_command, tmp_path, option,
                                                          expected):
    out = train(vadkit_command, DEMO, tmp_path, option)
    assert out.returncode == 2, out.stderr
    assert 'train.py: error: --cfg-options ' in out.stderr and expected in out.stderr
    assert 'Traceback' not in out.stderr
    assert not (tmp_path / 'work').exists()


def test_the_other_tools_key_value_options_are_checked_alike(vadkit_command, tmp_path):
    code, _, err = vadkit_command('detect', DEMO, tmp_path / 'none.pth', tmp_path,
                                  '--cfg-options', 'a=(1,2')
    assert code == 2 and "--cfg-options 'a=(1,2': its value cannot be parsed" in err, err
    from conftest import run_tool_in_process
    out = run_tool_in_process(['tools/data/prepare_dataset.py', tmp_path, '--layout-args',
                               'scene'])
    assert out.returncode == 2 and "--layout-args 'scene': write key=value, e.g. " \
        '--layout-args label_set=mnad' in out.stderr, out.stderr


def test_train_refuses_typos_in_a_config_file_all_at_once(vadkit_command, tmp_path):
    config = tmp_path / 'typos.py'
    config.write_text(f'_base_ = [{DEMO!r}]\n'
                      'trian_cfg = dict(max_epochs=1)\n'
                      "test_evaluator = dict(score_weights=dict(_delete_=True, vrc=1.0))\n"
                      "optim_wrapper = dict(optimizer=dict(lr=0))\n")
    out = train(vadkit_command, str(config), tmp_path)
    assert out.returncode == 2, out.stderr
    assert f'config {config} has 3 problem(s)' in out.stderr
    assert "trian_cfg: unknown top-level key 'trian_cfg'" in out.stderr
    assert "test_evaluator.score_weights.vrc: the model scores no 'vrc'; did you mean " \
           "'vcr'?" in out.stderr
    assert 'optim_wrapper.optimizer.lr: Adam: lr=0 is out of range: it must be > 0' in out.stderr


def test_train_refuses_max_epochs_0_written_in_the_config(vadkit_command, tmp_path):
    config = tmp_path / 'zero.py'
    config.write_text(f'_base_ = [{DEMO!r}]\ntrain_cfg = dict(max_epochs=0)\n')
    out = train(vadkit_command, str(config), tmp_path)
    assert out.returncode == 2
    assert 'max_epochs=0 trains nothing' in out.stderr and 'tools/test.py' in out.stderr


def test_test_tool_refuses_a_typo_before_reading_the_checkpoint(vadkit_command, tmp_path):
    (tmp_path / 'not_a_checkpoint.pth').write_bytes(b'')
    code, _, err = vadkit_command('test', DEMO, tmp_path / 'not_a_checkpoint.pth',
                                  '--cfg-options', 'test_dataloader.batch_sise=2')
    assert code == 2
    assert "test_dataloader.batch_sise: the dataloader (torch DataLoader) has no argument " \
           "'batch_sise'; did you mean 'batch_size'" in err


# --- every shipped config is clean ----------------------------------------------------------

def test_configs_found():
    assert len(CONFIGS) > 20 and any('/plugins/' in p for p in CONFIGS)


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_shipped_config_validates_clean(path):
    cfg = Config.fromfile(path, import_custom_modules=False)
    import_plugins(cfg)
    assert find_config_problems(cfg) == []


# --- the validator --------------------------------------------------------------------------

def test_all_problems_reported_at_once():
    cfg = demo(**{
        'trian_cfg': dict(max_epochs=1), 'train_cfg.max_epoch': 3,
        'optim_wrapper.optimizer.lrr': 1e-3, 'model.backbone.widthz': (4, 8),
        'model.tasks': [dict(type='ClipReconstructionHed')],
        'train_dataloader.batch_size': 0, 'train_dataloader.dataset.layout.num_trian': 3,
        'train_dataloader.dataset.pipeline': [dict(type='SampleWindow', lenght=3)],
        'test_dataloader.sampler.shufle': False, 'default_hooks.logger.intervall': 5,
        'custom_hooks': [dict(type='FiniteLossHook', bar=2)],
        'param_scheduler': [dict(type='MultiStepLR', milestonez=[3])],
        'visualizer.vis_backends': [dict(type='LocalVisBackend', foo=1)],
        'randomness.sed': 1, 'log_level': 'LOUD', 'optimizer': dict(type='SGD')})
    with pytest.raises(ConfigError) as info:
        validate_config(cfg)
    found = [p.path for p in info.value.problems]
    assert set(found) == {
        'trian_cfg', 'train_cfg.max_epoch', 'optim_wrapper.optimizer.lrr',
        'model.backbone.widthz', 'model.tasks[0].type', 'train_dataloader.batch_size',
        'train_dataloader.dataset.layout.num_trian',
        'train_dataloader.dataset.pipeline[0].lenght', 'test_dataloader.sampler.shufle',
        'default_hooks.logger.intervall', 'custom_hooks[0].bar',
        'param_scheduler[0].milestonez', 'visualizer.vis_backends[0].foo', 'randomness.sed',
        'log_level', 'optimizer'}
    assert isinstance(info.value, VadkitError)
    message = str(info.value)
    assert f'has {len(found)} problem(s)' in message
    assert "type 'ClipReconstructionHed' is not in vadkit's 'task head' registry. Did you " \
           'mean: ClipReconstructionHead?' in message  # the wording of registry_errors
    assert "'optimizer' is an mmcv 1.x key that mmengine ignores" in message


def test_helper_variables_allowed_but_near_misses_and_unused_copies_not():
    assert paths(demo(norm_cfg=dict(type='BN3d'), my_pipeline=[], _trian_cfg=1,
                      work_dirs='x')) == ['work_dirs']
    assert paths(demo(max_epochs=5)) == []  # the value train_cfg reads: a helper variable
    assert paths(demo(max_epochs=9)) == ['max_epochs']


@pytest.mark.parametrize('options, path, text', [
    ({'train_cfg': dict(_delete_=True, max_epochs=2)}, 'train_cfg',
     "needs type='EpochBasedTrainLoop'"),
    ({'train_cfg': dict(_delete_=True, by_epoch=False, max_iters=0)}, 'train_cfg.max_iters',
     'max_iters=0 trains nothing'),
    ({'train_cfg.by_epoch': True}, 'train_cfg.by_epoch', 'not both'),
    ({'train_cfg.max_epochs': -3}, 'train_cfg.max_epochs', 'must be >= 1'),
    ({'train_cfg.val_interval': 0, 'val_cfg': dict(_delete_=True),
      'val_evaluator': dict(_delete_=True, type='FrameAUROCMetric', score_weights=dict(vcr=1.0)),
      'val_dataloader': dict(_delete_=True, sampler=dict(type='DefaultSampler'), dataset=dict(
          type='VideoWindowDataset', layout=dict(type='SyntheticLayout')))},
     'train_cfg.val_interval', 'divides by zero'),
    ({'train_dataloader.persistent_workers': True}, 'train_dataloader.persistent_workers',
     'needs num_workers > 0'),
    ({'train_dataloader.num_workers': -1}, 'train_dataloader.num_workers', 'must be >= 0'),
    ({'test_dataloader.batch_size': '8'}, 'test_dataloader.batch_size', 'an integer or None'),
    ({'resume': 'yes'}, 'resume', 'should be True or False'),
    ({'test_evaluator': None}, 'test_evaluator', 'set all three, or none'),
    ({'model.clip_len': 0}, 'model.clip_len', 'must be >= 1'),
    ({'model.tasks.2.loss_wieght': 1.0},  # PlaybackRateHead passes **kwargs to BaseTaskHead
     'model.tasks[2].loss_wieght', "did you mean 'loss_weight'"),
    ({'test_cfg.fuse_conv_bn': 'no'}, 'test_cfg.fuse_conv_bn', 'True or False'),
])
def test_wrong_values_and_rules(options, path, text):
    problems = find_config_problems(demo(**options))
    assert [p.path for p in problems] == [path], problems
    assert text in problems[0].message


def test_nothing_is_built(tmp_path):
    """Validation reads no data and builds no model: a missing dataset root passes."""
    cfg = demo(**{'train_dataloader.dataset.layout.root': str(tmp_path / 'absent'),
                  'test_dataloader.dataset.layout.root': str(tmp_path / 'absent')})
    validate_config(cfg)
    assert not (tmp_path / 'absent').exists()


def test_scheduler_arguments_filled_by_a_subclass_are_not_required():
    # MultiStepLR passes param_name='lr' positionally to MultiStepParamScheduler
    assert find_config_problems(demo(param_scheduler=[dict(type='MultiStepLR',
                                                           milestones=[2])])) == []
    from mmengine.optim import MultiStepLR
    assert 'param_name' not in accepted_arguments(MultiStepLR).params


def test_model_loading_checks_the_model_only():
    with pytest.raises(ConfigError) as info:
        load_model_config(DEMO, {'model.backbone.widthz': (4, 8), 'trian_cfg': {}})
    assert [p.path for p in info.value.problems] == ['model.backbone.widthz']
    assert load_model_config(DEMO, {'trian_cfg': {}}).model.clip_len == 8


def test_export_refuses_a_model_typo_before_reading_the_checkpoint(vadkit_command, tmp_path):
    (tmp_path / 'not_a_checkpoint.pth').write_bytes(b'')
    code, _, err = vadkit_command('export', DEMO, tmp_path / 'not_a_checkpoint.pth', '--out',
                                  tmp_path / 'model.pt', '--cfg-options',
                                  'model.backbone.widthz=1', 'model.clip_len=0')
    assert code == 2
    assert 'export.py: error: config' in err and 'has 2 problem(s)' in err
    assert "model.backbone.widthz: Conv3DAutoEncoder has no argument 'widthz'; did you mean " \
           "'widths'?" in err
    assert 'model.clip_len: MultiTaskAutoEncoder: clip_len=0 is out of range' in err
    assert not (tmp_path / 'model.pt').exists()


def test_a_heads_own_score_names_are_known_before_anything_is_built():
    """A head that adds scores (PRP with ``rates``: ``prp.rate``) says so from its config:
    weights on them validate; a misspelt one is named with the close match."""
    rates = osp.join(REPO, 'configs', 'ablations',
                     'luss-ae-prp-rates_3dcae-w8_8x64x64_synthetic.py')
    cfg = Config.fromfile(rates)
    cfg.test_evaluator.score_weights = {'prp.rate': 1.0, 'ffp': 0.8}
    assert find_config_problems(cfg) == []
    cfg.test_evaluator.score_weights = {'prp.rat': 1.0}
    problems = [str(p) for p in find_config_problems(cfg)]
    assert len(problems) == 1 and "did you mean 'prp.rate'" in problems[0], problems
    plain = Config.fromfile(DEMO)
    plain.test_evaluator.score_weights = {'prp.rate': 1.0}
    assert "the model scores no 'prp.rate'" in str(find_config_problems(plain)[0])
