"""The test loop: mmengine's, made for inference.

Testing a video anomaly detector is inference over every window of every test video: no
gradient is ever needed. This loop scores every batch through the
:class:`~vadkit.engine.window_scorer.WindowScorer` that detection, streaming, calibration
and the export check use too: under ``torch.inference_mode`` (no autograd bookkeeping at
all, where mmengine's ``TestLoop`` uses ``torch.no_grad``), with every eval-mode BatchNorm
folded into the convolution before it and the model's test memory layout for the test
(:func:`~vadkit.engine.inference_model.inference_model`); the original modules are put
back afterwards. Scores agree with the plain loop to float32 rounding
(``tests/test_engine/test_fast_path.py``).
"""
from typing import Dict, List, Sequence, Union

import torch
from mmengine.logging import print_log
from mmengine.runner import TestLoop
from mmengine.runner.amp import autocast
from mmengine.runner.loops import _parse_losses, _update_losses
from torch.utils.data import DataLoader

from vadkit.registry import LOOPS

from .inference_model import fold_batchnorm, inference_model
from .window_scorer import WindowScorer

__all__ = ['InferenceTestLoop', 'fold_batchnorm', 'inference_model']


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
        hflip_average: Test-time augmentation: score each window also mirrored left-right
            and average the two scores (:class:`WindowScorer`); twice the test time.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Dict, List, object],
                 fp16: bool = False,
                 fuse_conv_bn: bool = True,
                 compile: Union[bool, dict] = False,
                 hflip_average: bool = False) -> None:
        super().__init__(runner, dataloader, evaluator, fp16=fp16)
        self.fuse_conv_bn = fuse_conv_bn
        self.compile = compile
        self.scorer = WindowScorer(self.runner.model, fuse_conv_bn=fuse_conv_bn,
                                   compile=compile, hflip_average=hflip_average)

    def run(self) -> dict:
        """``TestLoop.run`` with the model prepared for the windows only: hooks that swap
        weights before the test epoch (weight averaging) and back after it see the model's
        own modules, not the folded ones."""
        self.runner.call_hook('before_test')
        self.runner.call_hook('before_test_epoch')
        self.runner.model.eval()
        if self.scorer.hflip_average:
            print_log('test-time augmentation: every window is scored as is and mirrored '
                      'left-right, and the two scores are averaged (hflip_average)',
                      logger='current')
        self.test_loss.clear()
        with self.scorer.prepared():
            for idx, data_batch in enumerate(self.dataloader):
                self.run_iter(idx, data_batch)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        if self.test_loss:
            metrics.update(_parse_losses(self.test_loss, 'test'))
        self.runner.call_hook('after_test_epoch', metrics=metrics)
        self.runner.call_hook('after_test')
        return metrics

    def run_iter(self, idx: int, data_batch: Sequence[dict]) -> None:
        self.runner.call_hook('before_test_iter', batch_idx=idx, data_batch=data_batch)
        with torch.inference_mode(), autocast(enabled=self.fp16):
            outputs = self.scorer.test_step(data_batch)
        outputs, self.test_loss = _update_losses(outputs, self.test_loss)
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook('after_test_iter', batch_idx=idx, data_batch=data_batch,
                              outputs=outputs)
