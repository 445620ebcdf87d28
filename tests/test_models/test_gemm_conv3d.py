"""The GEMM weight gradient of ``vadkit.models.layers`` equals PyTorch's (float32).

It is the training fast path on CPUs (channels-last 3D tensors); these tests compare it
with ``nn.Conv3d`` / ``nn.ConvTranspose3d`` on the same weights and inputs, for the
strides, paddings and odd sizes LUSS-AE and its variants use, and check the fallbacks.
"""
import copy

import pytest
import torch
from torch import nn

from vadkit.models.backbones import Conv3DAutoEncoder
from vadkit.models.layers import GemmConv3d, GemmConvTranspose3d, gemm_weight_grad, set_weight_grad

CL = torch.channels_last_3d

CASES = [
    # (gemm class, plain class, constructor args, input shape)
    (GemmConv3d, nn.Conv3d, (1, 6, 3, (1, 2, 2), 1), (2, 1, 4, 12, 10)),
    (GemmConv3d, nn.Conv3d, (5, 7, 3, 2, 1), (2, 5, 4, 12, 10)),
    (GemmConv3d, nn.Conv3d, (5, 7, 3, 2, 1), (1, 5, 5, 11, 9)),  # odd sizes
    (GemmConv3d, nn.Conv3d, (3, 4, 3, 1, 1), (2, 3, 3, 6, 7)),  # stride 1
    (GemmConv3d, nn.Conv3d, (3, 4, (1, 3, 3), 1, (0, 1, 1)), (2, 3, 3, 6, 7)),
    (GemmConvTranspose3d, nn.ConvTranspose3d, (7, 5, 3, 2, 1, 1), (2, 7, 2, 6, 5)),
    (GemmConvTranspose3d, nn.ConvTranspose3d, (6, 1, 3, (1, 2, 2), 1, (0, 1, 1)),
     (2, 6, 4, 6, 5)),
    (GemmConvTranspose3d, nn.ConvTranspose3d, (4, 3, 3, 2, 1, 0), (1, 4, 3, 5, 4)),
    # a code of one frame (T = 8 with three temporal strides of 2): offsets that only
    # read padding
    (GemmConvTranspose3d, nn.ConvTranspose3d, (4, 3, 3, 2, 1, 1), (2, 4, 1, 3, 3)),
    (GemmConv3d, nn.Conv3d, (4, 3, 3, 2, 1), (2, 4, 2, 3, 3)),
]


def _grads(layer, x, grad_out=None, input_grad=True):
    x = x.clone().requires_grad_(input_grad)
    y = layer(x)
    g = torch.randn_like(y) if grad_out is None else grad_out
    y.backward(g)
    return y.detach(), layer.weight.grad, layer.bias.grad, (x.grad if input_grad else None), g


@pytest.mark.parametrize('gemm_cls,plain_cls,args,shape', CASES)
@pytest.mark.parametrize('input_grad', [True, False])
def test_gradients_match_pytorch(gemm_cls, plain_cls, args, shape, input_grad):
    torch.manual_seed(0)
    plain = plain_cls(*args).to(memory_format=CL)
    gemm = gemm_cls(*args).to(memory_format=CL)
    set_weight_grad(gemm, 'gemm')
    gemm.load_state_dict(plain.state_dict())
    x = torch.randn(shape).to(memory_format=CL)
    y0, w0, b0, x0, g = _grads(plain, x, input_grad=input_grad)
    y1, w1, b1, x1, _ = _grads(gemm, x, g, input_grad=input_grad)
    assert torch.equal(y0, y1)
    torch.testing.assert_close(w1, w0, rtol=1e-4, atol=1e-5 * w0.abs().max().item())
    torch.testing.assert_close(b1, b0, rtol=1e-4, atol=1e-5 * b0.abs().max().item())
    if input_grad:
        torch.testing.assert_close(x1, x0, rtol=1e-5, atol=1e-6)
    # the gradient has the weight's layout, so the optimizer state keeps it
    assert w1.is_contiguous(memory_format=CL)


def test_weight_grad_against_definition():
    """dW[a, b, k] = sum_p small[a, p] * big[b, s p + k - pad], written out as loops."""
    torch.manual_seed(1)
    small = torch.randn(1, 2, 2, 3, 2)
    big = torch.randn(1, 3, 4, 5, 4)
    got = gemm_weight_grad(small, big, (3, 3, 3), (2, 2, 2), (1, 1, 1))
    want = torch.zeros(2, 3, 3, 3, 3)
    for a in range(2):
        for b in range(3):
            for k in [(i, j, t) for i in range(3) for j in range(3) for t in range(3)]:
                total = 0.0
                for p in [(d, h, w) for d in range(2) for h in range(3) for w in range(2)]:
                    q = [2 * p[i] + k[i] - 1 for i in range(3)]
                    if all(0 <= q[i] < big.shape[2 + i] for i in range(3)):
                        total += small[0, a, p[0], p[1], p[2]] * big[0, b, q[0], q[1], q[2]]
                want[a, b, k[0], k[1], k[2]] = total
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_falls_back_outside_its_domain():
    """Contiguous tensors, eval mode and no-grad use PyTorch's own kernels."""
    layer = GemmConv3d(2, 3, 3, 2, 1)
    with pytest.raises(ValueError, match='auto'):
        set_weight_grad(layer, 'fast')
    x = torch.randn(1, 2, 4, 6, 6)
    assert layer(x).grad_fn.name().startswith('ConvolutionBackward')  # contiguous
    layer = layer.to(memory_format=CL)
    xcl = x.to(memory_format=CL)
    assert 'Gemm' in layer(xcl).grad_fn.name()
    layer.eval()
    assert layer(xcl).grad_fn.name().startswith('ConvolutionBackward')
    layer.train()
    set_weight_grad(layer, 'native')
    assert layer(xcl).grad_fn.name().startswith('ConvolutionBackward')


def test_backbone_training_step_matches_plain_layers():
    """A whole backbone: same loss and gradients with and without the GEMM path."""
    torch.manual_seed(0)
    fast = Conv3DAutoEncoder(widths=(4, 6, 8, 8), weight_grad='gemm').to(memory_format=CL)
    plain = copy.deepcopy(fast)
    assert set_weight_grad(plain, 'native') == 8
    x = torch.rand(2, 1, 8, 32, 32).mul(2).sub(1).to(memory_format=CL)
    losses = []
    for m in (fast, plain):
        code, out = m(x)
        loss = torch.tanh(out).sub(x).square().mean() + code.square().mean()
        loss.backward()
        losses.append(loss.item())
    assert losses[0] == pytest.approx(losses[1], rel=1e-6)
    scale = max(q.grad.abs().max().item() for q in plain.parameters())
    for (name, p), q in zip(fast.named_parameters(), plain.parameters()):
        # (biases followed by BatchNorm have gradients of rounding size: hence the atol)
        torch.testing.assert_close(p.grad, q.grad, rtol=1e-4, atol=1e-5 * scale, msg=name)
    # same parameters and state dict as the plain layers
    assert list(fast.state_dict()) == list(Conv3DAutoEncoder(
        widths=(4, 6, 8, 8), weight_grad='native').state_dict())


def test_auto_measures_each_shape_once_and_gives_the_same_gradients(monkeypatch):
    """'auto' times both ways on the first backward of a shape, then reuses the choice."""
    from vadkit.models.layers import gemm_conv3d as module
    monkeypatch.setattr(module, 'sharing_cpu', lambda: False)  # as a job alone
    torch.manual_seed(0)
    plain = nn.Conv3d(3, 5, 3, 2, 1).to(memory_format=CL)
    auto = GemmConv3d(3, 5, 3, 2, 1).to(memory_format=CL)
    auto.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 4, 8, 8).to(memory_format=CL)
    before = len(module._MEASURED)
    for _ in range(2):
        auto.zero_grad()
        plain.zero_grad()
        _, w0, b0, _, g = _grads(plain, x, input_grad=False)
        _, w1, b1, _, _ = _grads(auto, x, g, input_grad=False)
        torch.testing.assert_close(w1, w0, rtol=1e-4, atol=1e-5 * w0.abs().max().item())
    assert len(module._MEASURED) == before + 1


def test_auto_keeps_pytorch_kernels_under_deterministic_algorithms(monkeypatch):
    """A choice by timing could differ between runs: deterministic mode times nothing and
    gives PyTorch's own weight gradient, bit for bit."""
    from vadkit.models.layers import gemm_conv3d as module
    timed = []
    timer = module._gemm_is_faster
    monkeypatch.setattr(module, '_gemm_is_faster', lambda *a: timed.append(1) or timer(*a))
    monkeypatch.setattr(module, '_MEASURED', {})  # no shape measured yet (restored after)
    torch.manual_seed(0)
    plain = nn.Conv3d(3, 5, 3, 2, 1).to(memory_format=CL)
    layer = GemmConv3d(3, 5, 3, 2, 1).to(memory_format=CL)
    layer.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 6, 10, 10).to(memory_format=CL)
    was = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        _, w0, _, _, g = _grads(plain, x, input_grad=False)
        _, w1, _, _, _ = _grads(layer, x, g, input_grad=False)
    finally:
        torch.use_deterministic_algorithms(was)
    assert timed == []
    assert torch.equal(w1, w0)
    layer.zero_grad()
    _grads(layer, x, g, input_grad=False)
    assert timed  # outside it, 'auto' times the shape again
