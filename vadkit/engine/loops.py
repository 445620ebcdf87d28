"""The test loop: mmengine's, made for inference.

Testing a video anomaly detector is inference over every window of every test video: no
gradient is ever needed, and a model in eval mode computes ``BatchNorm(conv(x))`` with
constant statistics, which is one convolution with rescaled weights. This loop runs the
test under ``torch.inference_mode`` (no autograd bookkeeping at all, where mmengine's
``TestLoop`` uses ``torch.no_grad``) and folds every eval-mode BatchNorm into the
convolution before it for the duration of the test (one pass less over the largest
activations), then puts the original modules back. Scores agree with the plain loop to
float32 rounding (``tests/test_fast_path.py``).
"""
import contextlib
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.model import is_model_wrapper
from mmengine.runner import TestLoop
from mmengine.runner.amp import autocast
from mmengine.runner.loops import _update_losses
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.conv import _ConvNd, _ConvTransposeNd
from torch.nn.utils.fusion import fuse_conv_bn_eval
from torch.utils.data import DataLoader

from vadkit.registry import LOOPS

__all__ = ['InferenceTestLoop', 'fold_batchnorm', 'inference_model']


def _layout_of(t: torch.Tensor) -> torch.memory_format:
    if t.dim() == 5 and not t.is_contiguous() and t.is_contiguous(
            memory_format=torch.channels_last_3d):
        return torch.channels_last_3d
    if t.dim() == 4 and not t.is_contiguous() and t.is_contiguous(
            memory_format=torch.channels_last):
        return torch.channels_last
    return torch.contiguous_format


def _foldable(conv: nn.Module, bn: nn.Module) -> bool:
    if not isinstance(conv, _ConvNd) or not isinstance(bn, _BatchNorm):
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

    The model must be in eval mode (folding uses the running statistics). Yields the
    number of folded pairs. The folded weights keep the memory layout of the originals.
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


@LOOPS.register_module()
class InferenceTestLoop(TestLoop):
    """mmengine's ``TestLoop`` under ``torch.inference_mode``, with BatchNorm folded into
    the convolutions for the test (see the module docstring). Same hooks, evaluator and
    metrics as ``TestLoop``.

    Args:
        runner: The runner.
        dataloader: Test dataloader (or its config).
        evaluator: Evaluator (or its config).
        fp16: Run the model under autocast (mixed precision; GPU).
        fuse_conv_bn: Fold eval-mode BatchNorm into the preceding convolutions.
        compile: ``torch.compile`` the model's ``predict_scores`` for the test (``True`` or
            a dict of options). Off by default: on a CPU it made the test slower than
            folding alone, after seconds of compilation (docs/performance.md); measure it
            on a GPU with ``benchmarks/bench_train_test.py --compile``.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Dict, List, object],
                 fp16: bool = False,
                 fuse_conv_bn: bool = True,
                 compile: Union[bool, dict] = False) -> None:
        super().__init__(runner, dataloader, evaluator, fp16=fp16)
        self.fuse_conv_bn = fuse_conv_bn
        self.compile = compile
        self._model: Optional[nn.Module] = None

    def run(self) -> dict:
        with inference_model(self.runner.model, self.fuse_conv_bn, self.compile) as model:
            self._model = model
            try:
                return super().run()
            finally:
                self._model = None

    def run_iter(self, idx: int, data_batch: Sequence[dict]) -> None:
        self.runner.call_hook('before_test_iter', batch_idx=idx, data_batch=data_batch)
        model = self._model if self._model is not None else self.runner.model
        with torch.inference_mode(), autocast(enabled=self.fp16):
            outputs = model.test_step(data_batch)
        outputs, self.test_loss = _update_losses(outputs, self.test_loss)
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook('after_test_iter', batch_idx=idx, data_batch=data_batch,
                              outputs=outputs)
