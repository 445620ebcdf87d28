"""ONNX export of the scoring network (torch.onnx's dynamo exporter) and its run in
onnxruntime.

Two things of the model at inference are not ONNX: its 5-D weights and clips are laid out
channels-last 3D (the fast layout on CPUs; ONNX tensors have no layout, and the exporter
refuses ``contiguous(memory_format=...)``), and the playback-rate head pools with
``nn.AdaptiveMaxPool2d`` (no general ONNX translation). For the export
(:func:`onnx_export_mode`) the model takes the default layout and
:class:`~vadkit.models.layers.StaticAdaptiveMaxPool2d` (the same windows as slices, exact),
and is put back afterwards. The result is one ``.onnx`` file of standard ops, weights
included, with a dynamic batch dimension.
"""
import contextlib
import importlib.util
import io
import logging
import re
import sys
import warnings
from typing import Iterator, List

import torch
from torch import Tensor, nn

from vadkit.models.layers import StaticAdaptiveMaxPool2d
from vadkit.utils.errors import debug_requested

from .export import ExportError

#: What ``--format onnx`` needs: the exporter (onnx, onnxscript) and the check (onnxruntime);
#: ``pip install -e ".[onnx]"`` installs them.
ONNX_PACKAGES = ('onnx', 'onnxscript', 'onnxruntime')
#: The oldest opset torch.onnx's dynamo exporter writes.
MIN_OPSET = 18
# loggers that report the exporter's progress and registry notes (e.g. torchvision absent)
_NOISY_LOGGERS = ('torch.onnx', 'torch.export', 'torch._export', 'torch._dynamo',
                  'torch.fx', 'onnxscript', 'onnx_ir')


def missing_onnx_packages() -> List[str]:
    return [m for m in ONNX_PACKAGES if importlib.util.find_spec(m) is None]


def require_onnx_packages() -> None:
    """Raise :class:`ExportError`, naming what to install, if an ONNX package is missing."""
    missing = missing_onnx_packages()
    if missing:
        raise ExportError(
            f'ONNX export needs {", ".join(missing)}, which '
            f'{"is" if len(missing) == 1 else "are"} not installed: pip install -e ".[onnx]" '
            '(or pip install onnx onnxscript onnxruntime). TorchScript export needs nothing '
            'more: --format torchscript')


def check_opset(opset: int) -> None:
    """Refuse an opset the exporter cannot write (it would write another one silently):
    from :data:`MIN_OPSET` to the newest the installed onnx package knows."""
    require_onnx_packages()
    import onnx
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, int) or not MIN_OPSET <= opset <= newest:
        raise ExportError(f'ONNX opset (--opset) {opset!r} is not supported: the exporter '
                          f'writes opsets {MIN_OPSET} to {newest} (installed onnx '
                          f'{onnx.__version__}); the default is {MIN_OPSET}')


@contextlib.contextmanager
def onnx_export_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Within the block ``model`` uses the default memory layout and
    :class:`StaticAdaptiveMaxPool2d` instead of ``nn.AdaptiveMaxPool2d``; both are undone
    on exit."""
    set_layout = getattr(model, 'set_memory_format', None)
    layout_before = getattr(model, 'memory_format', None)
    swapped = []
    try:
        if callable(set_layout):
            set_layout(torch.contiguous_format)
        for parent in list(model.modules()):
            for name, child in list(parent.named_children()):
                if isinstance(child, nn.AdaptiveMaxPool2d) and not child.return_indices:
                    setattr(parent, name, StaticAdaptiveMaxPool2d.from_module(child))
                    swapped.append((parent, name, child))
        yield model
    finally:
        for parent, name, child in reversed(swapped):
            setattr(parent, name, child)
        if callable(set_layout) and layout_before is not None:
            set_layout(layout_before)


@contextlib.contextmanager
def quiet_exporter() -> Iterator[io.StringIO]:
    """The exporter's progress lines, warnings and log records go to the yielded buffer (or
    nowhere) instead of the terminal; errors still raise."""
    loggers = [logging.getLogger(n) for n in _NOISY_LOGGERS]
    levels = [lg.level for lg in loggers]
    buffer = io.StringIO()
    try:
        for lg in loggers:
            lg.setLevel(logging.ERROR)
        with warnings.catch_warnings(), contextlib.redirect_stdout(buffer), \
                contextlib.redirect_stderr(buffer):
            warnings.simplefilter('ignore')
            yield buffer
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def _root_cause(error: BaseException, limit: int = 300) -> str:
    """The first line of the innermost cause (the exporter wraps it in generic advice)."""
    while error.__cause__ is not None:
        error = error.__cause__
    text = re.sub(r'\x1b\[[0-9;]*m', '', str(error))  # colour codes
    line = next((t.strip() for t in text.splitlines() if t.strip()), type(error).__name__)
    return line if len(line) <= limit else line[:limit] + '...'


def export_onnx(wrapper: nn.Module, model: nn.Module, example: Tensor, out: str,
                opset: int = MIN_OPSET) -> None:
    """Write ``wrapper`` (which runs ``model``) to ``out`` as ONNX, input ``clip`` with a
    dynamic batch dimension, output ``scores``.

    Raises:
        ExportError: If a package is missing, ``opset`` is too old, or the exporter fails.
    """
    require_onnx_packages()
    check_opset(opset)
    batch = torch.export.Dim('batch', min=1)
    log = io.StringIO()
    try:
        with onnx_export_mode(model), quiet_exporter() as log:
            torch.onnx.export(wrapper, (example, ), out, input_names=['clip'],
                              output_names=['scores'], opset_version=opset, dynamo=True,
                              dynamic_shapes={'clip': {0: batch}}, external_data=False,
                              verbose=False)
    except Exception as e:  # noqa: BLE001 - the exporter raises many kinds
        if debug_requested():
            print(log.getvalue(), file=sys.stderr)
        raise ExportError(
            f'torch.onnx could not export the model to {out}: {_root_cause(e)} (run again with '
            '--debug for the exporter\'s log and trace). TorchScript export may still work: '
            '--format torchscript') from e


class OnnxScorer:
    """An exported ``.onnx`` file in onnxruntime (CPU): ``clip`` -> ``scores``."""

    def __init__(self, path: str) -> None:
        require_onnx_packages()
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.log_severity_level = 3  # errors only
        try:
            self.session = ort.InferenceSession(path, options,
                                                providers=['CPUExecutionProvider'])
        except Exception as e:  # noqa: BLE001 - onnxruntime's own exception types
            raise ExportError(
                f'onnxruntime {ort.__version__} cannot load {path}: '
                f'{str(e).splitlines()[0] if str(e) else type(e).__name__} (an opset newer '
                f'than it supports? the default --opset {MIN_OPSET} is the most portable)') \
                from e

    def __call__(self, clip: Tensor) -> Tensor:
        scores = self.session.run(['scores'], {'clip': clip.detach().cpu().numpy()})[0]
        return torch.from_numpy(scores)
