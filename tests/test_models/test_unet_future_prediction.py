"""FFP by a U-Net of its own: it predicts frame T+1 from the last frames, learns, is scored
by minus the PSNR, pads odd frame sizes, and its loss and measure are checked."""
import copy

import pytest
import torch
from mmengine.optim import OptimWrapper
from test_multitask_autoencoder import T, eval_batch, tiny_model, train_batch
from tiny_detector import PAPER_TASKS

from vadkit.models.layers import UNet2d
from vadkit.models.measures import GradientDifference
from vadkit.registry import LOSSES
from vadkit.utils import register_all_modules

register_all_modules()


def unet_tasks(**kwargs):
    tasks = [t for t in copy.deepcopy(PAPER_TASKS) if t['type'] != 'FuturePredictionHead']
    return tasks + [dict(type='UNetFuturePredictionHead', name='ffp', loss_weight=0.4,
                         **{**dict(in_frames=2, widths=(4, 8)), **kwargs})]


def ffp_head(model):
    return next(head for head in model.tasks if head.name == 'ffp')


def test_unet_keeps_the_frame_size_and_pads_odd_sides():
    torch.manual_seed(0)
    net = UNet2d(3, 1, widths=(4, 8, 8)).eval()
    for h, w in ((16, 24), (15, 21), (7, 9)):
        assert net(torch.rand(2, 3, h, w)).shape == (2, 1, h, w)
    with pytest.raises(ValueError, match='at least two positive widths'):
        UNet2d(1, 1, widths=(8, ))


def test_score_is_minus_the_psnr_of_the_prediction_of_frame_t_plus_1():
    torch.manual_seed(0)
    model = tiny_model(unet_tasks())
    model.eval()
    head = ffp_head(model)
    data = model.data_preprocessor(eval_batch())
    with torch.no_grad():
        out = model(**data, mode='predict')
        window = data['inputs']['window']
        last = window[:, :, T - 2:T]  # in_frames=2 frames before T+1, stacked as channels
        pred = torch.tanh(head.unet(last.transpose(1, 2).flatten(1, 2)))
        mse = (pred - window[:, :, T]).pow(2).flatten(1).mean(1)
    expected = -10 * torch.log10(4 / mse)
    got = torch.tensor([o['scores']['ffp'] for o in out])
    torch.testing.assert_close(got, expected.float(), rtol=1e-5, atol=1e-5)
    # the frames it reads decide the score: change frame T+1 and the score moves
    other = copy.deepcopy(data)
    other['inputs']['window'][:, :, T] = -other['inputs']['window'][:, :, T]
    with torch.no_grad():
        moved = torch.tensor([o['scores']['ffp'] for o in model(**other, mode='predict')])
    assert not torch.allclose(moved, got)


def test_it_learns_with_its_default_loss_of_intensity_and_gradients():
    torch.manual_seed(0)
    model = tiny_model(unet_tasks())
    head = ffp_head(model)
    assert [type(t).__name__ for t in head.loss_fn.terms] == ['MSELoss', 'MeasureLoss']
    wrapper = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    before = copy.deepcopy(head.unet.state_dict())
    losses = [model.train_step(train_batch(), wrapper)['loss_ffp'].item() for _ in range(15)]
    assert losses[-1] < losses[0]
    assert any(not torch.equal(before[k], v) for k, v in head.unet.state_dict().items())


def test_in_frames_longer_than_the_clip_is_refused():
    with pytest.raises(ValueError, match=r'in_frames=9 must be between 1 and the clip length'):
        tiny_model(unet_tasks(in_frames=9))


def test_gradient_difference_sees_edges_not_offsets():
    g = GradientDifference()
    x = torch.rand(2, 1, 8, 10)
    # a constant offset leaves every edge in place: no error
    assert torch.allclose(g(x + 0.5, x), torch.zeros(2), atol=1e-6)
    # a flat frame against a textured one: the target's mean edge strength, each direction
    # averaged over its own pixel pairs
    flat = torch.zeros_like(x)
    dy = (x[..., 1:, :] - x[..., :-1, :]).abs()
    dx = (x[..., :, 1:] - x[..., :, :-1]).abs()
    expected = dy.flatten(1).mean(1) + dx.flatten(1).mean(1)
    torch.testing.assert_close(g(flat, x), expected)
    # the map holds both terms at each pixel, zero past the last row and column
    emap = g.error_map(flat, x)
    assert emap.shape == (2, 1, 8, 10)
    torch.testing.assert_close(emap.sum((1, 2, 3)), dy.sum((1, 2, 3)) + dx.sum((1, 2, 3)))
    loss = LOSSES.build(dict(type='MeasureLoss', measure=dict(type='GradientDifference')))
    torch.testing.assert_close(loss(flat, x), expected.mean())
    with pytest.raises(ValueError, match='alpha must be > 0'):
        GradientDifference(alpha=0)


def test_the_recommended_config_trains_the_unet_at_10x_the_learning_rate():
    # a paramwise key that matches no parameter is silently ignored by mmengine: check it
    import os.path as osp

    from mmengine.optim import build_optim_wrapper

    from vadkit.registry import MODELS
    from vadkit.utils.run_config import load_config
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = load_config(osp.join(repo, 'configs', 'luss_ae',
                               'luss-ae-unet-ffp_3dcae-w24_8x128x192_2e_cpu_ped2.py'))
    model = MODELS.build(cfg.model)
    head = ffp_head(model)
    assert type(head).__name__ == 'UNetFuturePredictionHead' and head.in_frames == 4
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    unet = {id(p) for p in head.unet.parameters()}
    lrs = {}
    for group in wrapper.optimizer.param_groups:
        for p in group['params']:
            lrs[id(p)] = group['lr']
    assert sorted({lrs[i] for i in unet}) == pytest.approx([1e-3])
    assert sorted({lr for i, lr in lrs.items() if i not in unet}) == pytest.approx([1e-4])
