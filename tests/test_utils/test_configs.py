"""Every shipped config loads, builds its model, and keeps inheritance shallow."""
import ast
import glob
import os.path as osp

import pytest

from vadkit.registry import MODELS
from vadkit.utils import register_all_modules
from vadkit.utils.run_config import load_config

register_all_modules()
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASE = osp.join(REPO, 'configs', '_base_')
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    + glob.glob(osp.join(REPO, 'plugins', '*', 'configs', '*.py')) if not p.startswith(BASE))


def bases_of(path):
    with open(path) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                getattr(t, 'id', None) == '_base_' for t in node.targets):
            value = ast.literal_eval(node.value)
            value = [value] if isinstance(value, str) else value
            return [osp.normpath(osp.join(osp.dirname(path), b)) for b in value]
    return []


def test_configs_found():
    assert len(CONFIGS) > 20


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_inheritance_is_base_plus_at_most_one_level(path):
    for base in bases_of(path):
        assert osp.isfile(base), base
        if not base.startswith(BASE + osp.sep):
            # a variant of another config: that one inherits only _base_ files
            assert all(b.startswith(BASE + osp.sep) for b in bases_of(base)), base
    for base_file in glob.glob(osp.join(BASE, '**', '*.py'), recursive=True):
        assert not bases_of(base_file), f'{base_file} must not inherit'


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_config_builds_its_model(path):
    cfg = load_config(path)
    model = MODELS.build(cfg.model)
    weights = cfg.test_evaluator['score_weights']
    produced = set()
    for head in model.tasks:
        produced.update([head.name, *head.measures])
    assert set(weights) <= produced, f'alphas name {set(weights) - produced}'
    window = cfg.test_dataloader.dataset.window_length
    assert window == model.clip_len + 1
