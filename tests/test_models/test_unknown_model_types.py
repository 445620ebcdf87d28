"""Misspelt backbone, measure, task and model types name the registry's close matches."""
import pytest
from tiny_detector import PAPER_TASKS, build_tiny_model

from vadkit.registry import ERROR_MEASURES, MODELS
from vadkit.utils import register_all_modules

register_all_modules()


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
        build_tiny_model([dict(type='ClipReconstructionHed')])
    assert "'task head'" in str(err.value)
    with pytest.raises(KeyError, match='MultiTaskAutoEncoder'):
        MODELS.build(dict(type='MultiTaskAutoEncodr', backbone=dict(type='Conv3DAutoEncoder'),
                          tasks=[]))
    with pytest.raises(KeyError, match='Registered types'):
        ERROR_MEASURES.build(dict(type='zzzzzz'))
