"""The frame-difference baseline: its score by hand, no parameters, no loss, the same
trained model with or without it, and its refusals."""
import pytest
import torch
from mmengine.optim import OptimWrapper
from test_multitask_autoencoder import B, T, eval_batch, tiny_model, train_batch
from tiny_detector import PAPER_TASKS

from vadkit.registry import TASK_HEADS
from vadkit.utils import register_all_modules

register_all_modules()

WITH_MOTION = PAPER_TASKS + [dict(type='FrameDifferenceHead', name='motion')]


def test_score_is_the_error_of_copying_the_last_frame():
    model = tiny_model(WITH_MOTION)
    model.eval()
    data = model.data_preprocessor(eval_batch())
    with torch.no_grad():
        out = model(**data, mode='predict')
    window = data['inputs']['window']  # normalised to [-1, 1]
    expected = ((window[:, :, T] - window[:, :, T - 1])**2).flatten(1).mean(1)
    got = torch.tensor([o['scores']['motion'] for o in out])
    torch.testing.assert_close(got, expected.float(), rtol=1e-5, atol=1e-7)
    # the learned scores are those of the model without the baseline
    plain = tiny_model()
    plain.eval()
    with torch.no_grad():
        ref = plain(**plain.data_preprocessor(eval_batch()), mode='predict')
    for a, b in zip(out, ref):
        assert {k: a['scores'][k] for k in b['scores']} == b['scores']


def test_it_trains_nothing_and_leaves_the_model_as_it_trains():
    head = TASK_HEADS.build(dict(type='FrameDifferenceHead'))
    assert sum(p.numel() for p in head.parameters()) == 0
    steps = []
    # deterministic algorithms: the layers' weight gradients are not chosen by timing
    deterministic = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        for tasks in (PAPER_TASKS, WITH_MOTION):
            model = tiny_model(tasks)
            wrapper = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
            logs = model.train_step(train_batch(), wrapper)
            steps.append((model.state_dict(), logs))
    finally:
        torch.use_deterministic_algorithms(deterministic)
    (sd0, logs0), (sd1, logs1) = steps
    assert float(logs1['loss_motion']) == 0.0
    assert float(logs1['loss']) == pytest.approx(float(logs0['loss']), rel=0, abs=0)
    assert sd0.keys() == sd1.keys()
    assert all(torch.equal(sd0[k], sd1[k]) for k in sd0)


def test_refusals_name_the_fix():
    with pytest.raises(ValueError, match='nothing to train: leave loss_weight at 0'):
        TASK_HEADS.build(dict(type='FrameDifferenceHead', loss_weight=0.5))
    model = tiny_model([dict(type='FrameDifferenceHead', name='motion')])
    model.eval()
    with pytest.raises(ValueError, match=r'window_length'):
        with torch.no_grad():
            model(**model.data_preprocessor(eval_batch(frames=T)), mode='predict')
    assert B == 2
