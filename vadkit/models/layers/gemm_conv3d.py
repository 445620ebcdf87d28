"""3D (transposed) convolutions whose weight gradient can be computed with matrix multiplies.

On CPUs, oneDNN's weight-gradient kernels for some strided 3D convolutions on channels-last
tensors run at a fraction of the machine's matrix-multiply rate: for the 96->128 encoder
convolution of LUSS-AE at 256x256 (batch 2) 0.51 s, where the same multiply-accumulates as
GEMMs take 0.30 s. The weight gradient of a convolution is a sum over kernel offsets of
plain matrix products:

    dW[:, :, k] = small^T @ big[offset k, stride s]

where ``small`` is the tensor indexed by the output grid of the strided convolution (the
output gradient of a convolution, the input of a transposed one) and ``big`` the tensor
indexed by ``s * p + k - padding`` (the input of a convolution, the output gradient of a
transposed one). On a channels-last tensor ``small`` already is a (positions x channels)
matrix, and each offset of ``big`` is a strided view; a few offsets are gathered at a time
into one matrix so that each product is one wide GEMM.

Which way is faster depends on the layer's shapes and the CPU (oneDNN wins on small
layers), so by default (``weight_grad='auto'``) the first backward pass of each shape
times both and keeps the faster, as ``cudnn.benchmark`` does for cuDNN's algorithms. A
choice by timing can differ between runs (and the two ways round differently), so with
deterministic algorithms on (``torch.use_deterministic_algorithms(True)``, which
``randomness=dict(deterministic=True)`` sets) ``'auto'`` always keeps PyTorch's kernels,
as cuDNN autotuning is off then; nor is anything timed while other vadkit jobs share the
cores (:mod:`vadkit.utils.cpu_share`).
Forward and input gradient always stay on PyTorch's kernels, and the two weight
gradients agree to float32 rounding (``tests/test_models/test_gemm_conv3d.py``). Only channels-last
float32 CPU tensors in training take this path; everywhere else the layers are plain
``nn.Conv3d`` / ``nn.ConvTranspose3d`` (their state dicts are always the same).
"""
import time
from typing import Dict, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from vadkit.registry import MODELS
from vadkit.utils.cpu_share import sharing_cpu

# Bytes of one gathered block of ``big`` (offsets x positions x channels, float32); bounds
# the extra memory of a backward pass while keeping the GEMMs wide.
_GATHER_BYTES = 64 * 2**20


def _is_channels_last(t: Tensor) -> bool:
    return t.dim() == 5 and t.is_contiguous(memory_format=torch.channels_last_3d)


def use_gemm_weight_grad(*tensors: Tensor) -> bool:
    """Whether the GEMM weight gradient applies: CPU float32 tensors in channels-last 3D."""
    return all(t.device.type == 'cpu' and t.dtype == torch.float32 and _is_channels_last(t)
               for t in tensors)


def _valid_range(k: int, s: int, pad: int, out: int, size: int) -> Tuple[int, int]:
    """Output positions ``p`` whose input index ``s * p + k - pad`` lies in ``[0, size)``."""
    lo = max(0, -(-(pad - k) // s))
    hi = min(out - 1, (size - 1 + pad - k) // s)
    return lo, hi


def gemm_weight_grad(small: Tensor, big: Tensor, kernel_size: Sequence[int],
                     stride: Sequence[int], padding: Sequence[int]) -> Tensor:
    """Weight gradient ``(C_small, C_big, *kernel_size)`` of a strided 3D convolution.

    ``dW[a, b, k] = sum_{n, p} small[n, a, p] * big[n, b, stride * p + k - padding]``,
    with ``big`` read as zero outside its extent. For ``nn.Conv3d`` pass (output gradient,
    input); for ``nn.ConvTranspose3d`` pass (input, output gradient). Both are 5-D
    ``(N, C, D, H, W)`` tensors; channels-last ones are used without a copy. The result
    is laid out channels-last.
    """
    n, cs = small.shape[:2]
    grid = tuple(small.shape[2:])
    cb = big.shape[1]
    size = tuple(big.shape[2:])
    k, s, pad = tuple(kernel_size), tuple(stride), tuple(padding)
    a = small.permute(0, 2, 3, 4, 1).reshape(-1, cs)  # (positions, C_small)
    b = big.permute(0, 2, 3, 4, 1)  # (N, D, H, W, C_big), a view
    offsets = [(i, j, t) for i in range(k[0]) for j in range(k[1]) for t in range(k[2])]
    positions = a.shape[0]
    per_block = max(1, min(len(offsets), _GATHER_BYTES // max(1, positions * cb * 4)))
    per_block = -(-len(offsets) // -(-len(offsets) // per_block))  # even blocks
    grad = torch.empty((cs, len(offsets), cb), dtype=big.dtype, device=big.device)
    buf = None
    for start in range(0, len(offsets), per_block):
        block = offsets[start:start + per_block]
        if buf is None or buf.shape[1] != len(block):
            buf = torch.empty((positions, len(block), cb), dtype=big.dtype, device=big.device)
        view = buf.view(n, *grid, len(block), cb)
        for m, offset in enumerate(block):
            dst, src = view[:, :, :, :, m], b
            ranges = [_valid_range(offset[d], s[d], pad[d], grid[d], size[d])
                      for d in range(3)]
            if any(lo > hi for lo, hi in ranges):  # the offset reads only padding
                dst.zero_()
                continue
            for d, (lo, hi) in enumerate(ranges):
                if lo > 0:  # positions reading before the start of ``big``: zero
                    dst.narrow(1 + d, 0, lo).zero_()
                if hi < grid[d] - 1:  # ... and past its end
                    dst.narrow(1 + d, hi + 1, grid[d] - 1 - hi).zero_()
                dst = dst.narrow(1 + d, lo, hi - lo + 1)
                src = src.narrow(1 + d, s[d] * lo + offset[d] - pad[d], s[d] * (hi - lo) + 1)
            dst.copy_(src[:, ::s[0], ::s[1], ::s[2]])
        grad[:, start:start + len(block)] = torch.mm(a.t(), buf.view(positions, -1)).view(
            cs, len(block), cb)
    # (C_small, kd, kh, kw, C_big) is the channels-last layout of (C_small, C_big, *k).
    return grad.view(cs, *k, cb).permute(0, 4, 1, 2, 3)


WEIGHT_GRAD_IMPLS = ('auto', 'gemm', 'native')
# shape key -> True when the GEMM weight gradient was measured faster
_MEASURED: Dict[tuple, bool] = {}


def _native_weight_grad(grad_out: Tensor, x: Tensor, weight: Tensor, conf: tuple) -> Tensor:
    stride, padding, output_padding, transposed, _ = conf
    return torch.ops.aten.convolution_backward(
        grad_out, x, weight, None, list(stride), list(padding), [1, 1, 1], transposed,
        list(output_padding), 1, [False, True, False])[1]


def _gemm_weight_grad_of(grad_out: Tensor, x: Tensor, weight: Tensor, conf: tuple) -> Tensor:
    stride, padding, _, transposed, _ = conf
    small, big = (x, grad_out) if transposed else (grad_out, x)
    return gemm_weight_grad(small, big, weight.shape[2:], stride, padding)


def _shape_key(x: Tensor, weight: Tensor, conf: tuple) -> tuple:
    return tuple(x.shape), tuple(weight.shape), conf, torch.get_num_threads()


def _gemm_is_faster(grad_out: Tensor, x: Tensor, weight: Tensor, conf: tuple) -> bool:
    """Time both weight gradients once per shape (second call of each) and remember.
    While other vadkit jobs share the cores, a timing would measure them too: PyTorch's
    kernels are kept and nothing is remembered (measured once the job runs alone)."""
    key = _shape_key(x, weight, conf)
    if key not in _MEASURED and sharing_cpu():
        return False
    if key not in _MEASURED:
        elapsed = []
        for fn in (_native_weight_grad, _gemm_weight_grad_of):
            fn(grad_out, x, weight, conf)  # first call: kernel set-up, page faults
            t0 = time.perf_counter()
            fn(grad_out, x, weight, conf)
            elapsed.append(time.perf_counter() - t0)
        _MEASURED[key] = elapsed[1] < elapsed[0]
    return _MEASURED[key]


class _GemmConv3dFunction(torch.autograd.Function):
    """Convolution forward, native input gradient, native or GEMM weight gradient."""

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Optional[Tensor], conf: tuple,
                impl: str) -> Tensor:
        ctx.save_for_backward(x, weight)
        ctx.conf, ctx.impl = conf, impl
        stride, padding, output_padding, transposed, _ = conf
        if transposed:
            return F.conv_transpose3d(x, weight, bias, stride, padding, output_padding)
        return F.conv3d(x, weight, bias, stride, padding)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        x, weight = ctx.saved_tensors
        conf = ctx.conf
        stride, padding, output_padding, transposed, has_bias = conf
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        grad_out = grad_out.contiguous(memory_format=torch.channels_last_3d)
        gemm = need_w and (ctx.impl == 'gemm' or (
            ctx.impl == 'auto' and _gemm_is_faster(grad_out, x, weight, conf)))
        grad_x = grad_w = grad_b = None
        if need_x or (need_w and not gemm):
            grad_x, grad_w, _ = torch.ops.aten.convolution_backward(
                grad_out, x, weight, None, list(stride), list(padding), [1, 1, 1],
                transposed, list(output_padding), 1, [need_x, need_w and not gemm, False])
        if gemm:
            grad_w = _gemm_weight_grad_of(grad_out, x, weight, conf)
            if not _is_channels_last(weight):
                grad_w = grad_w.contiguous()
        if has_bias and need_b:
            grad_b = grad_out.sum(dim=(0, 2, 3, 4))
        return grad_x, grad_w, grad_b, None, None


class _WeightGradChoice:
    """``weight_grad``: ``'auto'`` (measured per shape), ``'gemm'`` or ``'native'``."""
    weight_grad = 'auto'

    def _gemm_conf(self, x: Tensor, output_padding, transposed: bool) -> Optional[tuple]:
        """The convolution's settings when the GEMM path may run for ``x``, else None:
        training, channels-last CPU float32, and not measured slower for this shape."""
        if not (self.weight_grad != 'native' and self.training and torch.is_grad_enabled()
                and self.groups == 1 and self.dilation == (1, 1, 1)
                and self.padding_mode == 'zeros' and isinstance(self.padding, tuple)
                and use_gemm_weight_grad(x, self.weight)):
            return None
        conf = (tuple(self.stride), tuple(self.padding), tuple(output_padding), transposed,
                self.bias is not None)
        if self.weight_grad == 'auto' and torch.are_deterministic_algorithms_enabled():
            return None  # a choice by timing could differ between runs: PyTorch's layer
        if self.weight_grad == 'auto' and _MEASURED.get(_shape_key(x, self.weight, conf)) \
                is False:
            return None  # oneDNN measured faster: PyTorch's own layer, no extra function
        return conf


@MODELS.register_module()
class GemmConv3d(_WeightGradChoice, nn.Conv3d):
    """``nn.Conv3d`` with the GEMM weight gradient on channels-last CPU tensors."""

    def forward(self, x: Tensor) -> Tensor:
        conf = self._gemm_conf(x, (0, 0, 0), False)
        if conf is not None:
            return _GemmConv3dFunction.apply(x, self.weight, self.bias, conf,
                                             self.weight_grad)
        return super().forward(x)


@MODELS.register_module()
class GemmConvTranspose3d(_WeightGradChoice, nn.ConvTranspose3d):
    """``nn.ConvTranspose3d`` with the GEMM weight gradient on channels-last CPU tensors."""

    def forward(self, x: Tensor, output_size: Optional[Sequence[int]] = None) -> Tensor:
        conf = None if output_size is not None else self._gemm_conf(
            x, self.output_padding, True)
        if conf is not None:
            return _GemmConv3dFunction.apply(x, self.weight, self.bias, conf,
                                             self.weight_grad)
        return super().forward(x, output_size)


def set_weight_grad(module: nn.Module, impl: str) -> int:
    """Set the weight-gradient way (``'auto'``, ``'gemm'``, ``'native'``) of every
    GEMM-capable layer in ``module``; returns how many layers."""
    if impl not in WEIGHT_GRAD_IMPLS:
        raise ValueError(f'weight_grad={impl!r}: choose one of {WEIGHT_GRAD_IMPLS}')
    layers = [m for m in module.modules() if isinstance(m, _WeightGradChoice)]
    for m in layers:
        m.weight_grad = impl
    return len(layers)
