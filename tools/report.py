"""Make a self-contained HTML report of a test run from its saved files (no model needed).

    python tools/report.py work_dirs/<config>/test_<time>          # -> .../report.html
    vadkit report RUN_DIR --out report.html --data-root /data/ped2

The report shows the run's config, checkpoint, metrics (each task's AUROC too), normalizer
settings and machine; each video's fused and per-task score curves with the ground truth
shaded, a threshold and the events above it; sortable tables of videos and events; and
thumbnails of the frames around each event peak when the dataset is at hand. See
docs/report.md.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from vadkit.utils.errors import run_cli


def parse_args():
    parser = argparse.ArgumentParser(
        description='Make a self-contained HTML report of a test run (its out dir: '
        'frame_scores.npz, metrics.json, machine.json, config copy)')
    parser.add_argument('run_dir', help='out dir of tools/test.py (or of train.py --test)')
    parser.add_argument('--out', help='the HTML file to write (default: RUN_DIR/report.html)')
    parser.add_argument('--threshold', type=float,
                        help='fused-score threshold of the events (default: the point of the '
                        'ROC curve closest to (0,1); without labels, the 95th percentile of '
                        'the normal frames)')
    parser.add_argument('--min-event-frames', type=int, default=1,
                        help='drop events shorter than this many frames (default 1)')
    parser.add_argument('--merge-gap', type=int, default=0,
                        help='merge events at most this many frames apart (default 0)')
    parser.add_argument('--config', help='config whose test data holds the frames (default: '
                        'the config copy in RUN_DIR)')
    parser.add_argument('--data-root', help='dataset root, overriding the config')
    parser.add_argument('--no-frames', action='store_true',
                        help='embed no frame thumbnails (a smaller file)')
    parser.add_argument('--max-events-with-frames', type=int, default=60,
                        help='embed the frames of at most this many events, the highest '
                        'peaks first (default 60)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    from vadkit.visualization.report import write_report
    out = write_report(args.run_dir, args.out, threshold=args.threshold, config=args.config,
                       data_root=args.data_root, with_frames=not args.no_frames,
                       min_event_frames=args.min_event_frames, merge_gap=args.merge_gap,
                       max_events_with_frames=args.max_events_with_frames)
    size = osp.getsize(out)
    print(f'report: {out} ({size / 1e6:.2f} MB); open it in a browser', flush=True)


if __name__ == '__main__':
    run_cli(main)
