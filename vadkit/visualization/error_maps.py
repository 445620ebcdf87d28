"""Error maps of MSE, PSE and BPE side by side (the paper's Figure 5).

Each measure's :meth:`~vadkit.evaluation.BaseErrorMeasure.error_map` gives the image it
reduces to one value: the squared error (MSE), the squared Gaussian-filtered error (PSE),
and the squared blur-pooled error, subsampled (BPE, hence its smaller grid).
"""
import os
import os.path as osp
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def compute_error_maps(pred: torch.Tensor, target: torch.Tensor,
                       measures: Mapping[str, object]) -> Dict[str, dict]:
    """Error map and value of each measure for one frame.

    Args:
        pred, target: One frame, ``(C, H, W)`` or ``(1, C, H, W)``, in [-1, 1].
        measures: ``{display name: built error measure}``.

    Returns:
        ``{name: dict(map=(h, w) array (mean over channels), value=float)}``.
    """
    if pred.dim() == 3:
        pred, target = pred[None], target[None]
    out = {}
    with torch.no_grad():
        for name, m in measures.items():
            emap = m.error_map(pred.double(), target.double())[0].mean(0)
            out[name] = dict(map=emap.cpu().numpy(),
                             value=float(m(pred.double(), target.double())[0]))
    return out


def plot_error_maps(rows: Sequence[dict], out_file: str, title: str = '',
                    shared_scale: bool = False) -> str:
    """One row a prediction: the target frame, the prediction, then each error map.

    Args:
        rows: Each ``dict(name, target, prediction, maps, target_title, prediction_title)``
            where ``target``/``prediction`` are ``(H, W)`` arrays in [-1, 1] and ``maps``
            comes from :func:`compute_error_maps`.
        out_file: PNG path.
        title: Figure title.
        shared_scale: One colour scale for all maps of a row (compares magnitudes) instead
            of one a map (shows where each measure puts the error).
    """
    n_maps = max(len(r['maps']) for r in rows)
    cols = 2 + n_maps
    fig = Figure(figsize=(3.1 * cols, 3.3 * len(rows) + 0.6), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(rows), cols, squeeze=False)
    for r, row in enumerate(rows):
        for c, (img, sub) in enumerate(((row['target'], row.get('target_title', 'frame')),
                                        (row['prediction'],
                                         row.get('prediction_title', 'prediction')))):
            ax = axes[r, c]
            ax.imshow(img, cmap='gray', vmin=-1, vmax=1, interpolation='nearest')
            ax.set_title(sub, fontsize=9)
            _pixel_axes(ax, img.shape)
        vmax = max(float(m['map'].max()) for m in row['maps'].values()) if shared_scale \
            else None
        for c, (name, m) in enumerate(row['maps'].items()):
            ax = axes[r, 2 + c]
            im = ax.imshow(m['map'], cmap='inferno', vmin=0, vmax=vmax,
                           interpolation='nearest')
            h, w = m['map'].shape
            ax.set_title(f'{name} error map ({h}x{w})\n{name} = {m["value"]:.4g}', fontsize=9)
            _pixel_axes(ax, m['map'].shape)
            cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
            cb.ax.tick_params(labelsize=7)
            cb.formatter.set_powerlimits((-2, 3))
            cb.update_ticks()
        for c in range(2 + len(row['maps']), cols):
            axes[r, c].axis('off')
        axes[r, 0].set_ylabel(row.get('name', ''), fontsize=11, fontweight='bold')
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    fig.savefig(out_file)
    return out_file


def _pixel_axes(ax, shape) -> None:
    h, w = shape[:2]
    ax.set_xticks([0, w - 1])
    ax.set_yticks([0, h - 1])
    ax.tick_params(labelsize=7)


def frame_image(frame: torch.Tensor) -> np.ndarray:
    """``(C, H, W)`` in [-1, 1] -> ``(H, W)`` (channel mean) for display."""
    return frame.detach().float().mean(0).cpu().numpy()


def default_measures(sigma: float = 1.0, kernel_size: int = 5, stride: int = 2,
                     names: Optional[List[str]] = None) -> Dict[str, object]:
    """MSE, PSE and BPE with the paper's settings (sigma 1, k 5, b 2) unless given."""
    from vadkit.registry import ERROR_MEASURES
    cfgs = dict(MSE=dict(type='MSE'),
                PSE=dict(type='PSE', sigma=sigma, kernel_size=kernel_size),
                BPE=dict(type='BPE', sigma=sigma, kernel_size=kernel_size, stride=stride))
    return {n: ERROR_MEASURES.build(cfgs[n]) for n in (names or list(cfgs))}
