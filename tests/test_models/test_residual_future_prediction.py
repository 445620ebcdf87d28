"""FFP predicting the change from frame T: the untrained head is the copy-the-last-frame
predictor, it learns, it stays at zero through init_weights, the paper's head is unchanged,
and a checkpoint of one is refused by the other."""
import copy

import pytest
import torch
from mmengine.optim import OptimWrapper
from test_multitask_autoencoder import T, eval_batch, tiny_model, train_batch
from tiny_detector import PAPER_TASKS, TINY_WIDTHS

from vadkit.utils import register_all_modules
from vadkit.utils.model_identity import (
    IDENTITY_KEY,
    CheckpointMismatchError,
    check_checkpoint_fits,
    model_identity,
)

register_all_modules()


def ffp_tasks(residual):
    tasks = copy.deepcopy(PAPER_TASKS)
    for task in tasks:
        if task['type'] == 'FuturePredictionHead':
            task['residual'] = residual
    return tasks


def ffp_head(model):
    return next(head for head in model.tasks if head.name == 'ffp')


def test_untrained_head_copies_the_last_frame():
    model = tiny_model(ffp_tasks(True))
    model.init_weights()  # the runner's init (and any init_cfg) keeps the conv at zero
    head = ffp_head(model)
    assert head.residual and not head.conv.weight.any() and not head.conv.bias.any()
    model.eval()
    data = model.data_preprocessor(eval_batch())
    with torch.no_grad():
        out = model(**data, mode='predict')
    window = data['inputs']['window']  # normalised to [-1, 1]
    # the score is the FFP measure of x_T (the untrained prediction) against x_{T+1}
    expected = head.measures['ffp'](window[:, :, T - 1], window[:, :, T])
    got = torch.tensor([o['scores']['ffp'] for o in out])
    torch.testing.assert_close(got, expected.float(), rtol=1e-5, atol=1e-7)


def test_it_learns_the_change():
    torch.manual_seed(0)
    model = tiny_model(ffp_tasks(True))
    wrapper = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    first = None
    for _ in range(20):
        logs = model.train_step(train_batch(), wrapper)
        first = logs['loss_ffp'].item() if first is None else first
    assert ffp_head(model).conv.weight.abs().sum() > 0
    assert logs['loss_ffp'].item() < first


def test_the_paper_head_is_unchanged():
    torch.manual_seed(0)
    paper = tiny_model(PAPER_TASKS)
    torch.manual_seed(0)
    explicit = tiny_model(ffp_tasks(False))
    sd0, sd1 = paper.state_dict(), explicit.state_dict()
    assert sd0.keys() == sd1.keys() and all(torch.equal(sd0[k], sd1[k]) for k in sd0)
    assert not ffp_head(paper).residual and ffp_head(paper).conv.weight.abs().sum() > 0


def test_a_checkpoint_of_the_paper_head_is_refused_by_the_residual_config():
    # same weight names and shapes, other meaning: the model identity tells them apart
    def cfg(tasks):
        return dict(type='MultiTaskAutoEncoder', clip_len=T,
                    backbone=dict(type='Conv3DAutoEncoder', widths=TINY_WIDTHS), tasks=tasks)

    paper = tiny_model(PAPER_TASKS)
    checkpoint = dict(state_dict=paper.state_dict(),
                      meta={IDENTITY_KEY: model_identity(cfg(PAPER_TASKS), paper, 'paper.py')})
    residual = tiny_model(ffp_tasks(True))
    with pytest.raises(CheckpointMismatchError, match='residual'):
        check_checkpoint_fits(checkpoint, residual, cfg(ffp_tasks(True)), 'paper.pth',
                              'residual.py')
