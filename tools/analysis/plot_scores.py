"""Per-frame A_VCR, A_FFP, A_PRP and A of test videos, anomalies shaded (Figures 3-4).

    python tools/analysis/plot_scores.py work_dirs/x/test/frame_scores.npz --videos 01 02 \
        --out-dir work_dirs/x/test/plots

Scores are rescaled and fused with the run's saved settings unless overridden.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from vadkit.evaluation import FrameScores
from vadkit.utils import register_all_modules
from vadkit.utils.errors import run_cli
from vadkit.utils.scoring_options import add_scoring_args, normalizers_in_words, resolve_settings
from vadkit.visualization.score_plots import plot_frame_scores


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Plot per-frame anomaly scores of test '
                                     'videos from a frame_scores.npz')
    parser.add_argument('frame_scores', help='frame_scores.npz (or the folder holding it)')
    parser.add_argument('--videos', nargs='+', help='video names (or indices); default all')
    parser.add_argument('--out-dir', required=True, help='where scores_<video>.png go')
    parser.add_argument('--names', nargs='+', help='scores to draw (default: the weighted '
                        'ones), e.g. vcr ffp prp or vcr.mse vcr.bpe')
    parser.add_argument('--no-display-rescale', action='store_true',
                        help='draw the rescaled values as they are instead of min-maxing '
                        'each curve to [0, 1] for display')
    add_scoring_args(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    scores = FrameScores.load(args.frame_scores)
    weights, default, overrides = resolve_settings(scores, args)
    if not weights:
        sys.exit('this file carries no saved weights: pass --weights')
    names = args.names or list(weights)
    try:
        videos = scores.find_videos(args.videos) if args.videos else None
        ev = scores.evaluate(weights, default, overrides, score_names=names)
    except (KeyError, ValueError) as e:
        sys.exit(f'error: {e}')
    norm = normalizers_in_words(default, {n: c for n, c in overrides.items() if n in names})
    files = plot_frame_scores(scores, ev, args.out_dir, videos, names, weights,
                              display_rescale=not args.no_display_rescale,
                              subtitle=f'per-video rescaling: {norm}; micro AUROC of A over '
                              f'the test set {100 * ev.metrics["micro_auroc"]:.2f} %')
    print('\n'.join(files))
    return files


if __name__ == '__main__':
    run_cli(main)
