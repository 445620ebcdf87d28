"""The model ready for inference: eval mode, BatchNorm folded, the test memory layout.

A model in eval mode computes ``BatchNorm(conv(x))`` with constant statistics, which is one
convolution with rescaled weights: :func:`fold_batchnorm` makes it so for the duration of a
block (one pass less over the largest activations) and puts the original modules back.
:func:`inference_model` adds the model's test memory layout and, optionally,
``torch.compile``. Scores agree with the plain model to float32 rounding
(``tests/test_engine/test_fast_path.py``).
"""
import contextlib
from typing import Iterator, List, Tuple, Union

import torch
from mmengine.model import is_model_wrapper
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.conv import _ConvNd, _ConvTransposeNd
from torch.nn.utils import parametrize
from torch.nn.utils.fusion import fuse_conv_bn_eval

__all__ = ['fold_batchnorm', 'inference_model']


def _layout_of(t: torch.Tensor) -> torch.memory_format:
    if t.dim() == 5 and not t.is_contiguous() and t.is_contiguous(
            memory_format=torch.channels_last_3d):
        return torch.channels_last_3d
    if t.dim() == 4 and not t.is_contiguous() and t.is_contiguous(
            memory_format=torch.channels_last):
        return torch.channels_last
    return torch.contiguous_format


def _plain_conv_classes() -> Tuple[type, ...]:
    """Convolutions whose ``forward`` convolves with ``weight`` and ``bias`` as stored:
    torch's, vadkit's Gemm layers and mmcv's wrappers (``'Conv3d'``, ``'deconv3d'``)."""
    from mmcv.cnn.bricks import wrappers

    from vadkit.models.layers import GemmConv3d, GemmConvTranspose3d
    return (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d,
            nn.ConvTranspose3d, GemmConv3d, GemmConvTranspose3d, wrappers.Conv2d,
            wrappers.Conv3d, wrappers.ConvTranspose2d, wrappers.ConvTranspose3d)


def _plain_forward(conv: nn.Module) -> bool:
    """Whether folding (which rescales ``weight``) keeps ``conv``'s function: not for a
    layer that transforms its weight in ``forward`` (weight standardisation), in a forward
    pre-hook (``weight_norm``) or by a parametrization. Those are left unfolded."""
    owner = next(k for k in type(conv).__mro__ if 'forward' in vars(k))
    return (owner in _plain_conv_classes() and not conv._forward_pre_hooks
            and not parametrize.is_parametrized(conv))


def _foldable(conv: nn.Module, bn: nn.Module) -> bool:
    if not isinstance(conv, _ConvNd) or not isinstance(bn, _BatchNorm):
        return False
    if not _plain_forward(conv):
        return False
    if bn.running_mean is None or bn.running_var is None or bn.num_features != (
            conv.out_channels):
        return False
    # fuse_conv_bn_weights scales dim 1 of a transposed weight: right for groups == 1 only
    return not (isinstance(conv, _ConvTransposeNd) and conv.groups != 1)


@contextlib.contextmanager
def fold_batchnorm(model: nn.Module) -> Iterator[int]:
    """Within the block, every convolution directly followed by a BatchNorm in an
    ``nn.Sequential`` is one convolution with the BatchNorm folded into its weights, and
    the BatchNorm an identity; on exit the original modules are put back, untouched.

    Convolutions that transform their weight when they run (see :func:`_plain_forward`)
    are left as they are. The model must be in eval mode (folding uses the running
    statistics). Yields the number of folded pairs. The folded weights keep the memory
    layout of the originals.
    """
    if any(m.training for m in model.modules() if isinstance(m, _BatchNorm)):
        raise RuntimeError('fold_batchnorm needs the model in eval mode (model.eval()): '
                           'training-mode BatchNorm uses batch statistics, not foldable')
    swapped: List[Tuple[nn.Sequential, int, nn.Module, nn.Module]] = []
    try:
        with torch.no_grad():
            for seq in list(model.modules()):
                if not isinstance(seq, nn.Sequential):
                    continue
                for i in range(len(seq) - 1):
                    conv, bn = seq[i], seq[i + 1]
                    if not _foldable(conv, bn):
                        continue
                    fused = fuse_conv_bn_eval(conv, bn,
                                              transpose=isinstance(conv, _ConvTransposeNd))
                    fused.weight.data = fused.weight.data.contiguous(
                        memory_format=_layout_of(conv.weight))
                    seq[i], seq[i + 1] = fused, nn.Identity()
                    swapped.append((seq, i, conv, bn))
        yield len(swapped)
    finally:
        for seq, i, conv, bn in reversed(swapped):
            seq[i], seq[i + 1] = conv, bn


@contextlib.contextmanager
def inference_model(model: nn.Module, fuse_conv_bn: bool = True,
                    compile: Union[bool, dict] = False,
                    memory_format: Union[str, None, torch.memory_format] = 'auto'
                    ) -> Iterator[nn.Module]:
    """The model (unwrapped from DDP & co.) in eval mode, ready for inference.

    Args:
        model: The model, or a model wrapper.
        fuse_conv_bn: Fold eval-mode BatchNorm into the preceding convolutions.
        compile: ``torch.compile`` the model's ``predict_scores`` (``True`` or a dict of
            ``torch.compile`` options).
        memory_format: Layout of the 5-D weights during inference: ``'auto'``: the test
            layout the model's data preprocessor picks for the model's device (models with
            ``preferred_memory_format``/``set_memory_format``, e.g.
            ``MultiTaskAutoEncoder``); ``None``: unchanged; or a ``torch.memory_format``.

    Everything is undone on exit (weights, layout, modules) except eval mode.
    """
    inner = model.module if is_model_wrapper(model) else model
    model.eval()
    with contextlib.ExitStack() as stack:
        if memory_format is not None and callable(getattr(inner, 'set_memory_format', None)):
            if memory_format == 'auto':
                param = next(inner.parameters(), None)
                memory_format = inner.preferred_memory_format(
                    param.device if param is not None else None, training=False)
            if memory_format is not None:
                before = inner.memory_format
                inner.set_memory_format(memory_format)
                stack.callback(lambda: inner.set_memory_format(
                    before if before is not None else torch.contiguous_format))
        if fuse_conv_bn:
            stack.enter_context(fold_batchnorm(inner))
        if compile and hasattr(inner, 'predict_scores'):
            options = {} if compile is True else dict(compile)
            # an instance attribute shadows the method; removed on exit
            inner.predict_scores = torch.compile(inner.predict_scores, **options)
            stack.callback(lambda: inner.__dict__.pop('predict_scores', None))
        yield inner
