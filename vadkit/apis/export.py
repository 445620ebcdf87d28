"""Export the scoring network for deployment (TorchScript, or ONNX with the ``onnx`` extra).

The exported module maps a batch of test windows, float ``(B, C, T+1, H, W)`` in [-1, 1]
(uint8 pixels ``/ 127.5 - 1``), to the raw score of every task, ``(B, K)``, in the order
of ``score_names`` in the metadata. Decoding, windowing and fusion stay outside (they are
a few lines of numpy; the metadata holds the decode pipeline, window length, weights and
normalizers). An export is checked against the scores PyTorch gives through the
:class:`~vadkit.engine.WindowScorer` that detection and the test use, on batches of sizes
other than the traced one, random and scene-like, and refused if the scores differ by more
than ``tolerance`` relatively. ONNX specifics are in :mod:`vadkit.apis.onnx_export`.
"""
import json
import math
import os
import os.path as osp
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

from vadkit.utils.errors import VadkitError

FORMATS = ('torchscript', 'onnx')


class ExportError(VadkitError, RuntimeError):
    """An export that cannot be made or does not reproduce PyTorch's scores."""


def ensemble_export_error(work_dir: str) -> ExportError:
    """The refusal of an ensemble's work dir, which one network cannot reproduce (given
    before its members are loaded, by the tool; after, by :func:`export_model`)."""
    return ExportError(f'{work_dir.rstrip("/")} is an ensemble: its members are rescaled per '
                       'video and averaged, which one network cannot do; export each '
                       'member\'s checkpoint (member<i>/epoch_*.pth)')


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


def scene_windows(shape: Sequence[int], batch: int, seed: int) -> Tensor:
    """Windows ``(B, C, L, H, W)`` that look like surveillance video (a lit background,
    bright objects moving a few pixels a frame, sensor noise, uint8 levels) in [-1, 1]: the
    export is checked on such inputs as well as on uniform noise, whose scores sit in
    another range."""
    c, length, h, w = (int(v) for v in shape)
    g = torch.Generator().manual_seed(seed)
    rows = torch.linspace(0, 1, h)[:, None]
    cols = torch.linspace(0, 1, w)[None]
    frames = (90 + 40 * rows + 10 * torch.sin(6 * cols)).expand(batch, c, length, h, w).clone()
    oh, ow = max(1, h // 8), max(1, w // 16)
    for b in range(batch):
        for _ in range(3):
            y, x, v, level = (int(torch.randint(lo, hi, (1, ), generator=g))
                              for lo, hi in ((0, max(1, h - oh)), (0, max(1, w - ow)),
                                             (-2, 3), (150, 231)))
            for t in range(length):
                x_t = min(max(x + v * t, 0), w - ow)
                frames[b, :, t, y:y + oh, x_t:x_t + ow] = level
    frames += 3 * torch.randn(frames.shape, generator=g)
    return frames.clamp(0, 255).round() / 127.5 - 1


def check_device(device: str) -> None:
    """Refuse a device that is not one or not present (before the model is moved there)."""
    try:
        dev = torch.device(device)
    except (RuntimeError, ValueError) as e:
        raise ExportError(f'--device {device!r} is not a device: use cpu, cuda or cuda:N') \
            from e
    if dev.type == 'cuda':
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0 or (dev.index or 0) >= count:
            why = ('this PyTorch is built without CUDA' if torch.version.cuda is None else
                   f'{count} CUDA device(s) visible')
            raise ExportError(f'--device {device}: no such device ({why}). Export on the CPU '
                              '(--device cpu): the exported file runs on any device')


def check_export_arguments(out: str, fmt: str, input_size: Optional[Sequence[int]],
                           tolerance: float, opset: int = 18,
                           device: Optional[str] = None) -> None:
    """Refuse bad arguments before anything is loaded; create ``out``'s folder."""
    if device is not None:
        check_device(device)
    if fmt not in FORMATS:
        raise ExportError(f'format must be one of {FORMATS}, got {fmt!r}')
    if input_size is not None and (len(input_size) != 2 or min(input_size) < 1):
        raise ExportError(f'input size (--input-size H W) must be two positive integers, got '
                          f'{tuple(input_size)}')
    if not (isinstance(tolerance, (int, float)) and 0 < tolerance < math.inf):
        raise ExportError(f'tolerance (--tolerance) must be a positive number, got '
                          f'{tolerance!r}: the largest relative score difference accepted, '
                          'e.g. 1e-4')
    if fmt == 'onnx':
        from .onnx_export import check_opset
        check_opset(opset)
    if not out or osp.isdir(out) or out.endswith(('/', os.sep)):
        raise ExportError(f'output {out!r} (--out) is a folder, not a file name: give e.g. '
                          f'{osp.join(out or ".", "model." + ("onnx" if fmt == "onnx" else "pt"))}')
    folder = osp.dirname(osp.abspath(out))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        blocker = next((p for p in _ancestors(folder) if osp.exists(p) and not osp.isdir(p)),
                       None)
        reason = f'{blocker} is a file, not a folder' if blocker else (e.strerror or str(e))
        raise ExportError(f'cannot create the output folder {folder} for {out} (--out): '
                          f'{reason}') from e


def _ancestors(path: str) -> List[str]:
    chain = [path]
    while osp.dirname(chain[-1]) != chain[-1]:
        chain.append(osp.dirname(chain[-1]))
    return chain


def reference_scores(scorer, clip: Tensor, names: Sequence[str]) -> Tensor:
    """PyTorch's raw scores ``(B, K)`` of ``clip`` (the window scorer's), on the CPU."""
    scores, _ = scorer.score_clips(clip)
    return torch.stack([scores[n].float() for n in names], 1).cpu()


def _score_names(scorer, example: Tensor) -> List[str]:
    try:
        return list(scorer.score_clips(example)[0])
    except (ValueError, RuntimeError) as e:
        raise ExportError(
            f'the model cannot score windows of shape {tuple(example.shape[1:])} (C, L, H, W): '
            f'{str(e).splitlines()[0]}. Give --input-size the frame size the model was '
            'trained on') from e


def _remove(*paths: str) -> None:
    for path in paths:
        if osp.isfile(path):
            os.remove(path)


def export_model(detector, out: str, fmt: str = 'torchscript',
                 input_size: Optional[Tuple[int, int]] = None, tolerance: float = 1e-4,
                 opset: int = 18) -> Dict:
    """Export ``detector``'s network to ``out`` (its folder is created) and check it
    against PyTorch on random windows and on scene-like ones, in batches of other sizes
    than the traced one (so the dynamic batch dimension is checked too).

    Returns:
        A report: format, path, metadata path, score names, input shape, max relative diff
        over all checks and the diff of each check (``checks``).

    Raises:
        ExportError: If an argument is invalid, the format's packages are missing, the
            exporter fails, or the scores differ by more than ``tolerance`` (the output
            files are removed then).
    """
    check_export_arguments(out, fmt, input_size, tolerance, opset)
    if getattr(detector, 'member_checkpoints', None):
        raise ensemble_export_error(detector.checkpoint)
    model = detector.model.eval()
    shape = input_shape_of(detector, input_size)
    device = next(model.parameters()).device
    example = _example(shape, 2, 0).to(device)
    # the exported network scores each window once: compare with the scorer without the
    # test-time flip averaging a config may ask for
    scorer = detector.scorer
    if getattr(scorer, 'hflip_average', False):
        from vadkit.engine import WindowScorer
        scorer = WindowScorer(model, scorer.window_length, scorer.batch_size)
    names = _score_names(scorer, example)
    wrapper = ScoreExportWrapper(model, names).eval()
    meta = metadata(detector, names, shape)
    checks = {'random (batch 3)': _example(shape, 3, 1).to(device),
              'scene-like (batch 1)': scene_windows(shape, 1, 2).to(device)}
    refs = {name: reference_scores(scorer, clip, names)
            for name, clip in checks.items()}
    if fmt == 'torchscript':
        with torch.no_grad(), warnings.catch_warnings():
            # shape-dependent Python branches (padding mode, FFP target check) are constant
            # for a fixed frame size; the batch dimension stays dynamic (checked below)
            warnings.simplefilter('ignore', torch.jit.TracerWarning)
            traced = torch.jit.trace(wrapper, example, check_trace=False)
        traced.save(out, _extra_files={'vadkit.json': json.dumps(meta)})
        loaded = torch.jit.load(out, map_location=device)

        def run(clip: Tensor) -> Tensor:
            with torch.no_grad():
                return loaded(clip).cpu()
    else:
        from .onnx_export import OnnxScorer, export_onnx
        export_onnx(wrapper, model, example, out, opset)
        run = OnnxScorer(out)
    diffs = {name: max_relative_diff(refs[name], run(clip)) for name, clip in checks.items()}
    diff = max(diffs.values())
    meta_path = out + '.json'
    if not diff <= tolerance:
        _remove(out, meta_path)
        raise ExportError(
            f'the exported model\'s scores differ from PyTorch\'s by {diff:.3g} (relative; '
            + ', '.join(f'{k}: {v:.3g}' for k, v in diffs.items())
            + f'), more than --tolerance {tolerance:g}: {out} was removed')
    with open(meta_path, 'w') as f:
        json.dump(meta, f, indent=1)
    return dict(format=fmt, path=out, metadata=meta_path, score_names=names,
                input_shape=[None] + list(shape), max_relative_diff=diff, checks=diffs,
                tolerance=tolerance)
