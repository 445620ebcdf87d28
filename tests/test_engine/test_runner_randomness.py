"""``randomness.fill_uninitialized_memory``: a deterministic run skips PyTorch's NaN fill of
new tensors unless asked, and the fill changes no number (no kernel of LUSS-AE or of the
LUSS-AE+ heads reads memory it has not written)."""
import os.path as osp

import numpy as np
import pytest
import torch
from conftest import run_tool_in_process
from tiny_detector import TINY_SYNTHETIC_CONFIG

from vadkit.datasets import generate_synthetic_dataset

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# the tiny config with every head LUSS-AE+ trains: the U-Net FFP head (narrow for 32 px),
# VCR scored by its motion, PRP, and the model-free frame difference
PLUS_HEADS_CONFIG = f"""
_base_ = ['{TINY_SYNTHETIC_CONFIG}', '{ROOT}/configs/_base_/models/luss_ae_plus_heads.py']
_base_.luss_ae_plus_tasks[1]['widths'] = (4, 8, 8, 8)
model = dict(tasks=_base_.luss_ae_plus_tasks)
optim_wrapper = dict(paramwise_cfg=_base_.luss_ae_plus_paramwise)
test_evaluator = dict(score_weights=dict(vcr=1.0, ffp=1.0, prp=1.0))
"""


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('randomness_data')
    generate_synthetic_dataset(str(root), num_train=2, num_test=2, num_frames=40, size=32)
    return str(root)


@pytest.mark.parametrize('config', ['paper_heads', 'plus_heads'])
def test_the_fill_changes_no_weight_and_no_score(config, data, tmp_path, monkeypatch):
    monkeypatch.setattr(torch.utils.deterministic, 'fill_uninitialized_memory', True)
    if config == 'plus_heads':
        path = tmp_path / 'plus_heads.py'
        path.write_text(PLUS_HEADS_CONFIG)
        config = str(path)
    else:
        config = TINY_SYNTHETIC_CONFIG
    runs = {}
    for fill in (None, True):  # None: the default
        work = tmp_path / f'fill_{fill}'
        options = ['train_cfg.max_epochs=1', 'randomness.deterministic=True']
        if fill is not None:
            options.append(f'randomness.fill_uninitialized_memory={fill}')
        proc = run_tool_in_process(['tools/train.py', config, '--data-root', data,
                                    '--work-dir', str(work), '--test', '--cfg-options',
                                    *options], threads=1)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        # the setting is in force after the run: off by default, on when asked
        assert torch.utils.deterministic.fill_uninitialized_memory is bool(fill)
        runs[fill] = (torch.load(work / 'epoch_1.pth', weights_only=True)['state_dict'],
                      dict(np.load(work / 'frame_scores.npz')))
    (weights_off, scores_off), (weights_on, scores_on) = runs[None], runs[True]
    assert weights_off.keys() == weights_on.keys()
    for k in weights_off:
        assert torch.equal(weights_off[k], weights_on[k]), k
    assert scores_off.keys() == scores_on.keys()
    for k in scores_off:
        assert np.array_equal(scores_off[k], scores_on[k]), k
    if config != TINY_SYNTHETIC_CONFIG:  # the U-Net head was trained and scored
        assert any('.unet.' in k for k in weights_off)


def test_a_wrong_randomness_key_is_refused_by_name(data, tmp_path):
    proc = run_tool_in_process(['tools/train.py', TINY_SYNTHETIC_CONFIG, '--data-root', data,
                                '--work-dir', str(tmp_path / 'w'), '--cfg-options',
                                'randomness.fill_uninitialised_memory=False'], threads=1)
    assert proc.returncode != 0
    assert 'fill_uninitialised_memory' in proc.stdout + proc.stderr
