"""Misspelt backbone, measure, task and model types name the registry's close matches."""
import pytest
import torch

from vadkit.registry import ERROR_MEASURES, MODELS
from vadkit.utils import register_all_modules

register_all_modules()

PAPER_TASKS = [
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0),
]
TINY_WIDTHS = (4, 8, 8, 8)
T = 8  # clip_len of the tiny model


def tiny_model(tasks=None, **kwargs):
    torch.manual_seed(0)
    return MODELS.build(
        dict(type='MultiTaskAutoEncoder', clip_len=T,
             backbone=dict(type='Conv3DAutoEncoder', widths=TINY_WIDTHS),
             tasks=[dict(t) for t in (tasks or PAPER_TASKS)], **kwargs))


# ---------------------------------------------------------------------------------------
# Registry errors
# ---------------------------------------------------------------------------------------
def test_unknown_backbone_type_suggests_close_match():
    with pytest.raises(KeyError) as err:
        MODELS.build(dict(type='MultiTaskAutoEncoder',
                          backbone=dict(type='Conv3DAutoEncodr'),
                          tasks=[dict(t) for t in PAPER_TASKS]))
    msg = str(err.value)
    assert "'backbone'" in msg
    assert 'Conv3DAutoEncodr' in msg
    assert 'Did you mean: Conv3DAutoEncoder' in msg


def test_unknown_measure_type_suggests_bpe():
    with pytest.raises(KeyError) as err:
        ERROR_MEASURES.build(dict(type='BPF'))
    msg = str(err.value)
    assert "'error measure'" in msg
    assert 'Did you mean:' in msg and 'BPE' in msg
    assert not msg.startswith('"')  # readable, not the repr KeyError would print


def test_unknown_task_and_model_types_suggest_close_matches():
    with pytest.raises(KeyError, match='ClipReconstructionHead') as err:
        tiny_model([dict(type='ClipReconstructionHed')])
    assert "'task head'" in str(err.value)
    with pytest.raises(KeyError, match='MultiTaskAutoEncoder'):
        MODELS.build(dict(type='MultiTaskAutoEncodr', backbone=dict(type='Conv3DAutoEncoder'),
                          tasks=[]))
    with pytest.raises(KeyError, match='Registered types'):
        ERROR_MEASURES.build(dict(type='zzzzzz'))
