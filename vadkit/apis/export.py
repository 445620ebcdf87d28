"""Export the scoring network for deployment (TorchScript, or ONNX when installed).

The exported module maps a batch of test windows, float ``(B, C, T+1, H, W)`` in [-1, 1]
(uint8 pixels ``/ 127.5 - 1``), to the raw score of every task, ``(B, K)``, in the order
of ``score_names`` in the metadata. Decoding, windowing and fusion stay outside (they are
a few lines of numpy; the metadata holds the decode pipeline, window length, weights and
normalizers). An export is checked against PyTorch on a batch of a size other than the
traced one, and refused if the scores differ by more than ``tolerance`` relatively.
"""
import importlib.util
import json
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

from vadkit.utils.errors import VadkitError

FORMATS = ('torchscript', 'onnx')


class ExportError(VadkitError, RuntimeError):
    """An export that cannot be made or does not reproduce PyTorch's scores."""


class ScoreExportWrapper(nn.Module):
    """``clip (B, C, L, H, W)`` in [-1, 1] -> raw task scores ``(B, K)``."""

    def __init__(self, model: nn.Module, score_names: Sequence[str]) -> None:
        super().__init__()
        self.model = model
        self.score_names = list(score_names)

    def forward(self, clip: Tensor) -> Tensor:
        scores = self.model.predict_scores(clip)
        return torch.stack([scores[n].float() for n in self.score_names], 1)


def input_shape_of(detector, input_size: Optional[Tuple[int, int]] = None
                   ) -> Tuple[int, int, int, int]:
    """``(C, L, H, W)`` of one window: channels and size from the decode pipeline (its
    Resize) unless ``input_size`` = (H, W) is given."""
    pipeline = detector.decode_pipeline
    channels = 1 if any(c.get('type') == 'Grayscale' for c in pipeline) else 3
    if input_size is None:
        sizes = [c['size'] for c in pipeline if c.get('type') == 'Resize']
        if not sizes:
            raise ExportError('the config\'s test decode pipeline has no Resize, so the frame '
                              'size is not fixed: pass the size the model was trained on '
                              '(--input-size H W)')
        s = sizes[-1]
        input_size = (s, s) if isinstance(s, int) else tuple(s)
    h, w = input_size
    return channels, detector.window_length, int(h), int(w)


def metadata(detector, score_names: List[str], shape) -> dict:
    from vadkit import __version__
    of = detector.offline
    return dict(format='vadkit.export/1', vadkit_version=__version__,
                input='clip (B, C, L, H, W) float32 in [-1, 1] = uint8 / 127.5 - 1',
                input_shape=[None] + list(shape), output='raw scores (B, K)',
                score_names=score_names, window_length=detector.window_length,
                decode_pipeline=detector.decode_pipeline,
                score_weights=detector.score_weights,
                normalizers={n: of.normalizer_cfg_of(n) for n in score_names},
                config=str(detector.config_path), checkpoint=str(detector.checkpoint))


def max_relative_diff(ref: Tensor, other: Tensor) -> float:
    """Max over scores of ``max |ref - other| / max |ref|`` (each score column relative to
    its own magnitude, so tiny probabilities do not blow the ratio up)."""
    ref, other = ref.double(), other.double()
    scale = ref.abs().amax(0).clamp_min(1e-12)
    return float(((ref - other).abs().amax(0) / scale).max())


def _example(shape, batch: int, seed: int) -> Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.rand((batch, ) + tuple(shape), generator=g) * 2 - 1


def export_model(detector, out: str, fmt: str = 'torchscript',
                 input_size: Optional[Tuple[int, int]] = None, tolerance: float = 1e-4,
                 opset: int = 17) -> Dict:
    """Export ``detector``'s network to ``out`` and check it against PyTorch.

    Returns:
        A report: format, path, metadata path, score names, input shape, max relative diff
        (``None`` when the ONNX check could not run for want of onnxruntime).

    Raises:
        ExportError: If the format is unavailable or the scores differ by more than
            ``tolerance``.
    """
    if fmt not in FORMATS:
        raise ExportError(f'format must be one of {FORMATS}, got {fmt!r}')
    model = detector.model.eval()
    shape = input_shape_of(detector, input_size)
    example = _example(shape, 2, 0).to(next(model.parameters()).device)
    with torch.inference_mode():
        names = list(model.predict_scores(example))
    wrapper = ScoreExportWrapper(model, names).eval()
    meta = metadata(detector, names, shape)
    check = _example(shape, 3, 1).to(example.device)  # another batch size than traced
    with torch.no_grad():
        ref = wrapper(check)
    if fmt == 'torchscript':
        with torch.no_grad(), warnings.catch_warnings():
            # shape-dependent Python branches (padding mode, FFP target check) are constant
            # for a fixed frame size; the batch dimension stays dynamic (checked below)
            warnings.simplefilter('ignore', torch.jit.TracerWarning)
            traced = torch.jit.trace(wrapper, example, check_trace=False)
        traced.save(out, _extra_files={'vadkit.json': json.dumps(meta)})
        loaded = torch.jit.load(out, map_location=example.device)
        with torch.no_grad():
            got = loaded(check)
        diff = max_relative_diff(ref, got)
    else:
        missing = [m for m in ('onnx', ) if importlib.util.find_spec(m) is None]
        if missing:
            raise ExportError('ONNX export needs the onnx package, which is not installed '
                              '(pip install onnx onnxruntime); TorchScript needs nothing more: '
                              '--format torchscript')
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter('ignore', torch.jit.TracerWarning)
            torch.onnx.export(wrapper, (example, ), out, input_names=['clip'],
                              output_names=['scores'], opset_version=opset,
                              dynamic_axes={'clip': {0: 'batch'}, 'scores': {0: 'batch'}},
                              dynamo=False)
        if importlib.util.find_spec('onnxruntime') is None:
            diff = None
        else:
            import onnxruntime as ort
            sess = ort.InferenceSession(out, providers=['CPUExecutionProvider'])
            got = torch.from_numpy(sess.run(['scores'], {'clip': check.cpu().numpy()})[0])
            diff = max_relative_diff(ref.cpu(), got)
    meta_path = out + '.json'
    with open(meta_path, 'w') as f:
        json.dump(meta, f, indent=1)
    report = dict(format=fmt, path=out, metadata=meta_path, score_names=names,
                  input_shape=[None] + list(shape), max_relative_diff=diff,
                  tolerance=tolerance)
    if diff is not None and not diff <= tolerance:
        raise ExportError(f'the exported model\'s scores differ from PyTorch\'s by {diff:.3g} '
                          f'(relative), more than {tolerance:g}: do not use {out}')
    return report
