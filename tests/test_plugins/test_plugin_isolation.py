"""Plugins: the three shipped ones (MemAE, gradient difference error, arrow of time), the
plugin loader with its error messages, a throwaway plugin written from the test, and the
rule that the core never imports a plugin."""
import ast
import importlib
import importlib.util
import math
import os
import os.path as osp
import subprocess
import sys
import textwrap
import uuid
import warnings
from glob import glob

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:  # `plugins` is imported from the repository root, as tools do
    sys.path.insert(0, REPO)

import plugins.arrow_of_time  # noqa: F401
import plugins.gradient_error  # noqa: F401
import plugins.memae  # noqa: F401
from plugins.arrow_of_time import ArrowOfTimeHead, SampleTemporalOrderClip
from plugins.gradient_error import GradientDifferenceError, gradient_difference
from plugins.memae import (
    MemoryModule,
    attention_entropy,
    hard_shrink_relu,
)
from vadkit.models.backbones import Conv3DAutoEncoder
from vadkit.registry import BACKBONES, ERROR_MEASURES, MODELS, TASK_HEADS, TRANSFORMS
from vadkit.utils import register_all_modules
from vadkit.utils.plugins import PluginImportError, import_plugins

register_all_modules()

PLUGIN_CONFIGS = sorted(glob(osp.join(REPO, 'plugins', '*', 'configs', '*.py')))
TINY_WIDTHS = (4, 8, 8, 8)
T = 8


def uint8_clip(frames, b=2, hw=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (b, 1, frames, hw, hw), dtype=torch.uint8, generator=g)


# ---------------------------------------------------------------------------------------
# The core stays independent of plugins
# ---------------------------------------------------------------------------------------
def _imported_modules(tree: ast.AST):
    """Top-level module names imported by a module (absolute imports and import_module)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and getattr(node.func, 'attr', getattr(node.func, 'id', None))
              in ('import_module', '__import__')):
            yield node.args[0].value


def test_core_never_imports_plugins():
    offenders = []
    for path in glob(osp.join(REPO, 'vadkit', '**', '*.py'), recursive=True):
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for name in _imported_modules(tree):
            if name == 'plugins' or name.startswith('plugins.'):
                offenders.append(f'{osp.relpath(path, REPO)} imports {name}')
    assert not offenders, offenders


def test_import_scan_sees_every_form_of_import():
    code = ('import plugins\nfrom plugins.memae import X\nimport importlib\n'
            "importlib.import_module('plugins.y')\nfrom . import plugins\n")
    assert list(_imported_modules(ast.parse(code))) == [
        'plugins', 'plugins.memae', 'importlib', 'plugins.y']


def test_importing_vadkit_loads_no_plugin():
    code = ('import sys; from vadkit.utils import register_all_modules; '
            'register_all_modules(); import vadkit.utils.plugins; '
            "print([m for m in sys.modules if m == 'plugins' or m.startswith('plugins.')])")
    out = subprocess.run([sys.executable, '-c', code], cwd=REPO, capture_output=True,
                         text=True, env=dict(os.environ, PYTHONPATH=REPO), timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == '[]'


def test_plugins_is_a_package_of_the_repo_root():
    import plugins
    assert osp.dirname(plugins.__file__) == osp.join(REPO, 'plugins')
    for name in ('memae', 'gradient_error', 'arrow_of_time'):
        assert osp.isfile(osp.join(REPO, 'plugins', name, '__init__.py'))
    assert osp.isfile(osp.join(REPO, 'plugins', 'README.md'))


# ---------------------------------------------------------------------------------------
# MemAE
# ---------------------------------------------------------------------------------------
def test_hard_shrink_relu_by_hand():
    w = torch.tensor([0.001, 0.0025, 0.003, 0.5])
    out = hard_shrink_relu(w, 0.0025)
    # relu(w - l) * w / (|w - l| + eps): 0 below or at the threshold, ~w above it
    assert out[0] == 0 and out[1] == 0
    assert torch.allclose(out[2:], w[2:], rtol=1e-6)


def test_attention_entropy_by_hand():
    w = torch.tensor([[0.25, 0.25, 0.25, 0.25], [1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]])
    assert torch.allclose(attention_entropy(w), torch.tensor([math.log(4), 0.0, math.log(2)]),
                          atol=1e-6)


def test_memory_addressing_is_sparse_and_normalised():
    torch.manual_seed(0)
    mem = MemoryModule(num_items=200, channels=16, shrink_thres=0.0025)
    code = torch.randn(2, 16, 1, 3, 3)
    read, att = mem(code)
    assert read.shape == code.shape and att.shape == (2, 9, 200)
    assert torch.allclose(att.sum(-1), torch.ones(2, 9), atol=1e-5)
    assert (att == 0).any(), 'hard shrinkage should zero the small weights'
    # the read code is the attention-weighted sum of the items
    expected = (att @ mem.items).transpose(1, 2).reshape_as(code)
    assert torch.allclose(read, expected, atol=1e-6)


def test_memory_cosine_attention_by_hand():
    mem = MemoryModule(num_items=2, channels=2, shrink_thres=0.0, temperature=1.0)
    with torch.no_grad():
        mem.items.copy_(torch.tensor([[2.0, 0.0], [0.0, 3.0]]))
    # query (1, 1): cosine 1/sqrt(2) to both items -> equal weights, whatever the norms
    w = mem.address(torch.tensor([[1.0, 1.0]]))
    assert torch.allclose(w, torch.tensor([[0.5, 0.5]]))
    # query (1, 0): cosine 1 and 0 -> softmax(1, 0)
    w = mem.address(torch.tensor([[5.0, 0.0]]))
    assert torch.allclose(w, torch.tensor([[1.0, 0.0]]).softmax(1))


def test_memory_at_temperature_one_shrinks_everything():
    """Why the default temperature is not 1 (see MemoryModule's docstring)."""
    torch.manual_seed(0)
    mem = MemoryModule(num_items=2000, channels=32, temperature=1.0)
    assert (mem.address(torch.randn(8, 32)) == 0).all()
    mem = MemoryModule(num_items=2000, channels=32)  # default temperature
    assert (mem.address(torch.randn(8, 32)) > 0).any(1).all()


def test_memory_backbone_extends_the_3d_autoencoder():
    cfg = dict(type='MemoryConv3DAutoEncoder', widths=TINY_WIDTHS, num_items=50)
    mem_ae = BACKBONES.build(cfg)
    plain = Conv3DAutoEncoder(widths=TINY_WIDTHS)
    n = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert n(mem_ae) == n(plain) + 50 * TINY_WIDTHS[-1]
    x = torch.randn(2, 1, T, 32, 32)
    code = mem_ae.encode(x)
    assert code.shape == plain.encode(x).shape == (2, 8, 1, 2, 2)
    att = mem_ae.pop_attention()
    assert att.shape == (2, 1 * 2 * 2, 50) and mem_ae.pop_attention() is None
    assert mem_ae.decode(code).shape == x.shape


def memae_model(tasks=None, **backbone):
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='MemoryAutoEncoder', clip_len=T,
        backbone=dict(type='MemoryConv3DAutoEncoder', widths=TINY_WIDTHS, num_items=50,
                      **backbone),
        tasks=tasks or [dict(type='ClipReconstructionHead', name='vcr'),
                        dict(type='MemoryEntropyHead', name='mem_entropy')]))


def test_memae_losses_and_gradients():
    model = memae_model()
    data = model.data_preprocessor(dict(inputs=dict(window=uint8_clip(T + 1)),
                                        data_samples={}), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_vcr', 'loss_mem_entropy'}
    # the entropy loss is 0.0002 x the mean attention entropy of the window's clip
    feats = model.extract_features(data['inputs']['window'])
    expected = 0.0002 * attention_entropy(feats.attention).mean()
    assert torch.allclose(losses['loss_mem_entropy'], expected, rtol=1e-5)
    sum(losses.values()).backward()
    enc = model.backbone.encoder[0][0].weight.grad
    assert enc is not None and enc.abs().sum() > 0, 'no gradient reaches the encoder'
    assert model.backbone.memory.items.grad.abs().sum() > 0


def test_memae_attention_follows_each_input_clip():
    tasks = [dict(type='ClipReconstructionHead', name='vcr'),
             dict(type='MemoryEntropyHead', name='ent_prp', input_key='prp_clip'),
             dict(type='MemoryEntropyHead', name='ent_win', input_key='window')]
    model = memae_model(tasks).eval()
    window, prp = uint8_clip(T + 1, seed=1), uint8_clip(T, seed=2)
    data = model.data_preprocessor(dict(inputs=dict(window=window, prp_clip=prp),
                                        data_samples={}))
    losses = model(**data, mode='loss')
    for key, name in (('window', 'ent_win'), ('prp_clip', 'ent_prp')):
        att = model.extract_features(data['inputs'][key]).attention
        assert torch.allclose(losses[f'loss_{name}'],
                              0.0002 * attention_entropy(att).mean(), rtol=1e-5)


def test_memae_predict_scores_reconstruction_only():
    model = memae_model().eval()
    data = model.data_preprocessor(dict(
        inputs=dict(window=uint8_clip(T + 1)),
        data_samples=dict(video_idx=torch.tensor([0, 0]), frame_idx=torch.tensor([8, 9]),
                          label=torch.tensor([0, 1]))))
    with torch.no_grad():
        out = model(**data, mode='predict')
    assert [sorted(r['scores']) for r in out] == [['vcr'], ['vcr']]
    with_score = memae_model([dict(type='ClipReconstructionHead', name='vcr'),
                              dict(type='MemoryEntropyHead', as_score=True)]).eval()
    with torch.no_grad():
        scores = with_score.predict_scores(data['inputs']['window'])
    assert set(scores) == {'vcr', 'mem_entropy'} and scores['mem_entropy'].shape == (2, )


def test_memae_parts_explain_a_wrong_assembly():
    with pytest.raises(TypeError, match='MemoryAutoEncoder'):
        model = MODELS.build(dict(
            type='MultiTaskAutoEncoder', clip_len=T,
            backbone=dict(type='MemoryConv3DAutoEncoder', widths=TINY_WIDTHS, num_items=50),
            tasks=[dict(type='MemoryEntropyHead')]))
        model(dict(window=torch.zeros(1, 1, T, 32, 32)), mode='tensor')
    with pytest.raises(TypeError, match='memory backbone'):
        MODELS.build(dict(type='MemoryAutoEncoder', clip_len=T,
                          backbone=dict(type='Conv3DAutoEncoder', widths=TINY_WIDTHS),
                          tasks=[dict(type='ClipReconstructionHead')]))


# ---------------------------------------------------------------------------------------
# Gradient difference error
# ---------------------------------------------------------------------------------------
def test_gradient_difference_by_hand():
    pred = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    target = torch.zeros_like(pred)
    # |d_x pred| = 1, 1 -> mean 1; |d_y pred| = 2, 2 -> mean 2; target has no gradient
    assert torch.allclose(gradient_difference(pred, target), torch.tensor([3.0]))
    assert torch.allclose(gradient_difference(pred, target, alpha=2.0), torch.tensor([5.0]))
    # 3x3, edges in both: pred has a vertical edge, target a horizontal one
    pred = torch.tensor([[[[0.0, 0.0, 1.0]] * 3]])  # |d_x| = (0, 1) per row, |d_y| = 0
    target = pred.transpose(2, 3).contiguous()      # |d_x| = 0, |d_y| = (0, 1) per column
    # x term: |(0,1)-(0,0)| over 3 rows -> 3/6; y term: the same by symmetry -> 1/2 + 1/2
    assert torch.allclose(gradient_difference(pred, target), torch.tensor([1.0]))


def test_gradient_difference_ignores_brightness_and_handles_clips():
    torch.manual_seed(0)
    frames = torch.rand(3, 1, 8, 8)
    assert torch.allclose(gradient_difference(frames + 0.3, frames), torch.zeros(3),
                          atol=1e-6)
    measure = ERROR_MEASURES.build(dict(type='GradientDifferenceError'))
    assert isinstance(measure, GradientDifferenceError)
    clip_a, clip_b = torch.rand(2, 1, 4, 8, 8), torch.rand(2, 1, 4, 8, 8)
    per_frame = measure(clip_a, clip_b)
    assert per_frame.shape == (2, 4)
    assert torch.allclose(per_frame[1, 2], gradient_difference(clip_a[1:2, :, 2],
                                                               clip_b[1:2, :, 2])[0])
    with pytest.raises(ValueError, match='alpha'):
        GradientDifferenceError(alpha=0)


def test_gradient_difference_scores_a_core_task():
    head = TASK_HEADS.build(dict(type='ClipReconstructionHead',
                                 measure=dict(type='GradientDifferenceError'),
                                 extra_measures=dict(mse=dict(type='MSE'))),
                            default_args=dict(clip_len=T))
    from vadkit.models.heads import ClipFeatures
    x = torch.rand(2, 1, T, 16, 16) * 2 - 1
    decoded = torch.randn(2, 1, T, 16, 16)
    feats = ClipFeatures(clip=x, inputs=x, code=torch.zeros(1), decoded=decoded)
    scores = head.score(head(feats), feats)
    assert set(scores) == {'vcr', 'vcr.mse'}
    assert torch.allclose(scores['vcr'],
                          GradientDifferenceError()(torch.tanh(decoded), x).mean(1))


# ---------------------------------------------------------------------------------------
# Arrow of time
# ---------------------------------------------------------------------------------------
def fake_results(num_frames=30, start=3, window_length=T + 1):
    video = np.arange(num_frames, dtype=np.uint8)[:, None, None] * np.ones((1, 4, 4), np.uint8)
    return dict(start=start, num_frames=num_frames, window_length=window_length,
                video_name='v', read_frames=lambda idx: video[np.asarray(idx)])


def test_temporal_order_sampler():
    fwd = TRANSFORMS.build(dict(type='SampleTemporalOrderClip', p_reverse=0.0))
    out = fwd(fake_results())
    assert out['aot_label'] == 0 and out['aot_clip'][:, 0, 0].tolist() == list(range(3, 11))
    rev = SampleTemporalOrderClip(p_reverse=1.0, strides=(2, ))
    out = rev(fake_results())
    assert out['aot_label'] == 1
    assert out['aot_clip'][:, 0, 0].tolist() == list(range(17, 2, -2))
    # near the end the clip moves back so that it stays inside the video
    out = rev(fake_results(num_frames=20, start=15))
    assert out['aot_clip'][:, 0, 0].tolist() == list(range(19, 4, -2))
    np.random.seed(0)
    labels = [SampleTemporalOrderClip()(fake_results())['aot_label'] for _ in range(200)]
    assert 60 < sum(labels) < 140
    with pytest.raises(ValueError, match='frames'):
        SampleTemporalOrderClip(length=8)(fake_results(num_frames=5, start=0))


def test_arrow_of_time_head():
    head = TASK_HEADS.build(dict(type='ArrowOfTimeHead'),
                            default_args=dict(code_channels=8, frame_channels=1, clip_len=T))
    from vadkit.models.heads import ClipFeatures
    code = torch.randn(4, 8, 1, 2, 2)
    feats = ClipFeatures(clip=None, inputs=None, code=code)
    logits = head(feats)
    assert logits.shape == (4, 2)
    labels = torch.tensor([0, 1, 1, 0])
    assert torch.allclose(head.loss(logits, feats, dict(aot_label=labels)),
                          F.cross_entropy(logits, labels))
    assert torch.allclose(head.score(logits, feats)['aot'], logits.softmax(1)[:, 1])
    with pytest.raises(KeyError, match='SampleTemporalOrderClip'):
        head.loss(logits, feats, {})
    with pytest.raises(ValueError, match='temporal_size'):
        head(ClipFeatures(clip=None, inputs=None, code=torch.randn(4, 8, 2, 2, 2)))
    assert isinstance(head, ArrowOfTimeHead)


# ---------------------------------------------------------------------------------------
# The plugins' configs
# ---------------------------------------------------------------------------------------
def test_every_plugin_has_configs():
    names = {osp.basename(osp.dirname(osp.dirname(p))) for p in PLUGIN_CONFIGS}
    assert {'memae', 'gradient_error', 'arrow_of_time'} <= names
    for name in names:
        cfgs = [p for p in PLUGIN_CONFIGS if f'/{name}/configs/' in p]
        assert any('synthetic' in p for p in cfgs) and any('ped2' in p for p in cfgs), name


def tiny_data_cfg(cfg: Config, root: str, batch_size: int = 8) -> Config:
    """Point a config's dataloaders at tiny synthetic data, no cache, no workers."""
    layout = dict(type='SyntheticLayout', root=root, num_train=1, num_test=2, num_frames=24,
                  size=32)
    for key in ('train_dataloader', 'test_dataloader'):
        loader = cfg[key]
        loader.update(batch_size=batch_size, num_workers=0, persistent_workers=False,
                      pin_memory=False)
        loader.dataset.update(layout=layout, cache_dir=None)
    return cfg


@pytest.mark.parametrize('path', [p for p in PLUGIN_CONFIGS if 'synthetic' in p],
                         ids=osp.basename)
def test_plugin_config_trains_and_tests(path, tmp_path):
    from mmengine.runner import Runner
    cfg = Config.fromfile(path, import_custom_modules=False)
    assert import_plugins(cfg)
    cfg = tiny_data_cfg(cfg, str(tmp_path / 'data'))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.experiment_name = f'plugin-{uuid.uuid4().hex[:8]}'
    cfg.train_cfg.max_epochs = 1
    cfg.default_hooks.logger.interval = 1
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert 0.0 <= metrics['micro_auroc'] <= 1.0
    for name in cfg.test_evaluator.score_weights:
        assert f'{name}_micro_auroc' in metrics


@pytest.mark.parametrize('path', [p for p in PLUGIN_CONFIGS if 'ped2' in p], ids=osp.basename)
def test_plugin_ped2_config_builds_and_steps(path):
    """The Ped2 configs' model and train pipeline, on one batch of random 128px clips."""
    cfg = Config.fromfile(path, import_custom_modules=False)
    import_plugins(cfg)
    assert cfg.train_dataloader.dataset.layout.type == 'AutoLayout'
    pipeline = [TRANSFORMS.build(t) for t in cfg.train_dataloader.dataset.pipeline]
    samples = []
    for start in (0, 5):
        results = fake_results(num_frames=40, start=start,
                               window_length=cfg.train_dataloader.dataset.window_length)
        for t in pipeline:
            results = t(results)
        samples.append(results)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    inputs = {k: F.interpolate(torch.stack([s['inputs'][k] for s in samples]).float(),
                               size=(samples[0]['inputs'][k].shape[1], 128, 128)).byte()
              for k in samples[0]['inputs']}
    data_samples = {k: torch.stack([s['data_samples'][k] for s in samples])
                    for k in samples[0]['data_samples']}
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=data_samples), True)
    losses = model(**data, mode='loss')
    assert {f'loss_{t.name}' for t in model.tasks} == set(losses)
    assert all(torch.isfinite(v) for v in losses.values())


# ---------------------------------------------------------------------------------------
# The plugin loader
# ---------------------------------------------------------------------------------------
def write_package(root, name, files):
    pkg = root / name
    pkg.mkdir(parents=True)
    for fname, text in files.items():
        (pkg / fname).write_text(textwrap.dedent(text))
    return pkg


def test_missing_plugin_is_named_with_a_fix():
    cfg = Config(dict(custom_imports=dict(imports=['plugins.does_not_exist'])))
    with pytest.raises(PluginImportError) as err:
        import_plugins(cfg, source='config x.py')
    msg = str(err.value)
    assert "'plugins.does_not_exist'" in msg and 'was not found' in msg and 'x.py' in msg
    assert isinstance(err.value.__cause__, ModuleNotFoundError)
    assert 'arrow_of_time, gradient_error, memae' in msg  # what the package does have
    with pytest.raises(PluginImportError, match='did you mean memae'):
        import_plugins(Config(dict(custom_imports=dict(imports=['plugins.memea']))))


def test_failing_import_inside_a_plugin_is_located(tmp_path, monkeypatch):
    name = f'broken_plugin_{uuid.uuid4().hex[:8]}'
    write_package(tmp_path, name, {
        '__init__.py': 'from .part import X\n',
        'part.py': 'import os\nimport surely_missing_dependency_xyz\nX = 1\n'})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginImportError) as err:
        import_plugins(Config(dict(custom_imports=dict(imports=[name]))))
    msg = str(err.value)
    assert f"plugin '{name}'" in msg and 'was found but failed to import' in msg
    assert "'surely_missing_dependency_xyz'" in msg
    assert f'{osp.join(str(tmp_path), name, "part.py")}:2' in msg


def test_plugin_raising_while_imported_is_reported(tmp_path, monkeypatch):
    name = f'raising_plugin_{uuid.uuid4().hex[:8]}'
    write_package(tmp_path, name, {'__init__.py': "x = 1\nraise RuntimeError('boom')\n"})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginImportError, match=rf"'{name}'.*RuntimeError: boom.*:2"):
        import_plugins(Config(dict(custom_imports=dict(imports=[name]))))


def test_plugin_folder_without_init_is_refused(tmp_path, monkeypatch):
    """A folder without __init__.py imports as an empty namespace package: it would
    register nothing and the config would fail later on an unknown type."""
    name = f'noinit_{uuid.uuid4().hex[:8]}'
    (tmp_path / name).mkdir()
    (tmp_path / name / 'measure.py').write_text('raise RuntimeError("never imported")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginImportError, match='without an __init__.py'):
        import_plugins(Config(dict(custom_imports=dict(imports=[name]))))


def test_missing_module_inside_a_plugin_is_named(tmp_path, monkeypatch):
    name = f'typo_plugin_{uuid.uuid4().hex[:8]}'
    write_package(tmp_path, name, {'__init__.py': 'from .heads import X\n'})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginImportError, match=rf"its own module '{name}.heads'"):
        import_plugins(Config(dict(custom_imports=dict(imports=[name]))))


def test_shadowed_plugins_package_is_explained(tmp_path, monkeypatch):
    """A second `plugins/` folder elsewhere loses to the repository's `plugins` package."""
    write_package(tmp_path / 'plugins', 'mine', {'__init__.py': ''})
    (tmp_path / 'plugins' / '__init__.py').write_text('')
    monkeypatch.syspath_prepend(str(tmp_path))  # after `plugins` was imported from REPO
    with pytest.raises(PluginImportError, match='shadowed'):
        import_plugins(Config(dict(custom_imports=dict(imports=['plugins.mine']))))


def test_plugin_beside_the_config_gets_a_pythonpath_hint(tmp_path):
    name = f'elsewhere_{uuid.uuid4().hex[:8]}'
    write_package(tmp_path, name, {'__init__.py': ''})
    (tmp_path / name / 'configs').mkdir()
    cfg_file = tmp_path / name / 'configs' / 'c.py'
    cfg_file.write_text(f"custom_imports = dict(imports=['{name}'])\n")
    cfg = Config.fromfile(str(cfg_file), import_custom_modules=False)
    with pytest.raises(PluginImportError, match=rf'PYTHONPATH={tmp_path}'):
        import_plugins(cfg)


def test_allowed_failures_warn_and_bad_specs_are_rejected():
    cfg = Config(dict(custom_imports=dict(imports=['plugins.nope', 'plugins.memae'],
                                          allow_failed_imports=True)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        modules = import_plugins(cfg)
    assert [m.__name__ for m in modules] == ['plugins.memae']
    assert any("'plugins.nope'" in str(w.message) for w in caught)
    assert import_plugins(Config(dict())) == []
    with pytest.raises(TypeError, match='custom_imports'):
        import_plugins(Config(dict(custom_imports=['plugins.memae'])))
    with pytest.raises(TypeError, match='list of module names'):
        import_plugins(Config(dict(custom_imports=dict(imports=[3]))))


def test_load_config_reports_plugin_errors(tmp_path):
    """Once load_config loads plugins through import_plugins (see vadkit/utils/plugins.py)."""
    import inspect

    from vadkit.utils import run_config
    if 'import_plugins' not in inspect.getsource(run_config):
        pytest.skip('vadkit/utils/run_config.py load_config does not call import_plugins yet')
    cfg_file = tmp_path / 'c.py'
    cfg_file.write_text("custom_imports = dict(imports=['plugins.does_not_exist'])\n")
    with pytest.raises(PluginImportError, match="'plugins.does_not_exist' .*was not found"):
        run_config.load_config(str(cfg_file))


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
    from mmengine.runner import Runner
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
    runner = Runner.from_cfg(cfg)
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
    out = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'train.py'), cfg, '--work-dir',
         str(tmp_path / 'work'), '--test'],
        cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert 'micro AUROC' in out.stdout and 'flip alone' in out.stdout
    assert_not_in_vadkit(package, ('ThrowawayAbsError', 'ThrowawayFlipHead',
                                   'SampleThrowawayFlipClip'))
