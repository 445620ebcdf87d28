"""Per-frame anomaly score curves of a test video (the paper's Figures 3 and 4).

Drawn with matplotlib's object API on an Agg canvas (no pyplot, no global backend change),
so it works headless and inside training processes.
"""
import os
import os.path as osp
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from vadkit.utils.mask_runs import true_runs

TASK_COLORS = {'vcr': 'tab:blue', 'ffp': 'tab:green', 'prp': 'tab:orange'}


def score_label(name: str) -> str:
    """``'vcr'`` -> ``A_VCR``, ``'vcr.pse'`` -> ``A_VCR (pse)`` in mathtext."""
    task, _, measure = name.partition('.')
    label = rf'$A_{{\mathrm{{{task.upper()}}}}}$'
    return f'{label} ({measure})' if measure else label


def _display(values: np.ndarray, rescale: bool) -> np.ndarray:
    if not rescale:
        return values
    lo, hi = np.nanmin(values), np.nanmax(values)
    return (values - lo) / (hi - lo) if hi > lo else np.zeros_like(values)


def plot_video_scores(frames: np.ndarray, curves: Mapping[str, np.ndarray],
                      labels: np.ndarray, out_file: str, title: str = '',
                      fused: Optional[np.ndarray] = None, fused_label: str = r'$A$ (fused)',
                      num_frames: Optional[int] = None, display_rescale: bool = True,
                      subtitle: str = '') -> str:
    """Plot one video's per-frame scores with its anomalous frames shaded; write a PNG.
    The arguments are :func:`video_scores_figure`'s."""
    fig = video_scores_figure(frames, curves, labels, title, fused, fused_label, num_frames,
                              display_rescale, subtitle)
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    fig.savefig(out_file)
    return out_file


def figure_to_rgb(fig: Figure) -> np.ndarray:
    """The ``(H, W, 3)`` uint8 RGB pixels of a figure drawn on an Agg canvas."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def video_scores_figure(frames: np.ndarray, curves: Mapping[str, np.ndarray],
                        labels: np.ndarray, title: str = '',
                        fused: Optional[np.ndarray] = None, fused_label: str = r'$A$ (fused)',
                        num_frames: Optional[int] = None, display_rescale: bool = True,
                        subtitle: str = '') -> Figure:
    """One video's per-frame scores with its anomalous frames shaded, as a figure.

    Args:
        frames: Scored frame indices (0-based).
        curves: ``{score name: values}`` (the rescaled task scores), drawn as thin lines.
        labels: 0/1 ground truth of ``frames``; anomalous runs are shaded red.
        title: Figure title (e.g. the video name and its AUROC).
        fused: The fused score ``A``, drawn thick and black.
        num_frames: Total frames of the video; the unscored first frames are hatched.
        display_rescale: Min-max each curve to [0, 1] for display only (the paper's look;
            the metrics use the rescaled values, not these).
        subtitle: A second title line (e.g. the weights and normalizers).
    """
    frames = np.asarray(frames)
    labels = np.asarray(labels)
    fig = Figure(figsize=(10, 3.8), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    handles = []
    for a, b in true_runs(labels == 1):
        ax.axvspan(frames[a] - 0.5, frames[b] + 0.5, color='red', alpha=0.18, lw=0)
    if (labels == 1).any():
        handles.append(Patch(color='red', alpha=0.25, label='anomalous (ground truth)'))
    end = int(num_frames) if num_frames else int(frames.max()) + 1
    if frames.size and frames.min() > 0:
        ax.axvspan(-0.5, frames.min() - 0.5, facecolor='none', edgecolor='0.6', hatch='//',
                   lw=0)
        handles.append(Patch(facecolor='none', edgecolor='0.6', hatch='//',
                             label=f'no score (first {int(frames.min())} frames)'))
    for name, values in curves.items():
        color = TASK_COLORS.get(name.split('.')[0])
        (line, ) = ax.plot(frames, _display(np.asarray(values, float), display_rescale),
                           lw=1.2, alpha=0.85, color=color, label=score_label(name))
        handles.append(line)
    if fused is not None:
        (line, ) = ax.plot(frames, _display(np.asarray(fused, float), display_rescale),
                           lw=2.2, color='black', label=fused_label)
        handles.append(line)
    ax.set_xlim(-0.5, end - 0.5)
    if display_rescale:
        ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel('frame')
    ax.set_ylabel('anomaly score' + (' (min-max per curve, display only)'
                                     if display_rescale else ' (rescaled per video)'))
    ax.grid(alpha=0.3, lw=0.5)
    ax.legend(handles=handles, loc='upper left', bbox_to_anchor=(1.01, 1.0), fontsize=9,
              frameon=False)
    ax.set_title(title + (f'\n{subtitle}' if subtitle else ''), fontsize=10)
    fig.tight_layout()
    return fig


def plot_frame_scores(scores, evaluation, out_dir: str, videos: Optional[Sequence[int]] = None,
                      names: Optional[Sequence[str]] = None, weights: Optional[Dict] = None,
                      display_rescale: bool = True, subtitle: str = '') -> List[str]:
    """One PNG a video from a :class:`~vadkit.evaluation.FrameScores` and its
    :class:`~vadkit.evaluation.functional.FrameEvaluation`.

    Args:
        videos: List positions of the videos to draw (default all).
        names: Scores to draw (default the weighted ones, e.g. vcr, ffp, prp).
        weights: The weights of the fusion (shown in the legend of ``A``).
    """
    return [plot_video_scores(out_file=osp.join(out_dir, f'scores_{_safe(name)}.png'), **kw)
            for name, kw in video_plot_arguments(scores, evaluation, videos, names, weights,
                                                 display_rescale, subtitle)]


def video_plot_arguments(scores, evaluation, videos: Optional[Sequence[int]] = None,
                         names: Optional[Sequence[str]] = None, weights: Optional[Dict] = None,
                         display_rescale: bool = True, subtitle: str = ''
                         ) -> List[Tuple[str, dict]]:
    """``(video name, keyword arguments of video_scores_figure)`` of each video drawn (the
    arguments of :func:`plot_frame_scores`)."""
    videos = range(len(scores.video_names)) if videos is None else videos
    names = list(names or weights or scores.score_names)
    out = []
    for i in videos:
        name = scores.video_names[i]
        auc = evaluation.per_video_auroc[i]
        if i in evaluation.excluded:
            reason = evaluation.excluded_reasons[evaluation.excluded.index(i)]
            auc_text = f'single-class video ({reason}): its AUROC is undefined'
        else:
            auc_text = f'AUROC of A on this video {100 * auc:.2f} %'
        fused_label = r'$A$ = ' + ' + '.join(
            f'{w:g} {score_label(n)}' for n, w in weights.items()) if weights else r'$A$'
        out.append((name, dict(
            frames=scores.frames[i], curves={n: evaluation.normalized[i][n] for n in names},
            labels=scores.labels[i], title=f'video {name}: {auc_text}',
            fused=evaluation.combined[i], fused_label=fused_label,
            num_frames=scores.num_frames[i] if scores.num_frames else None,
            display_rescale=display_rescale, subtitle=subtitle)))
    return out


def _safe(name: str) -> str:
    return ''.join(c if c.isalnum() or c in '-_.' else '_' for c in name)
