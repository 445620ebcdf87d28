"""Make a labelled pseudo-anomaly test set from a dataset's normal training videos.

    python tools/data/make_pseudo_anomalies.py data/ped2 --out data/ped2_pseudo
    python tools/test.py CONFIG CKPT --data-root data/ped2_pseudo --out-dir W/pseudo
    python tools/analysis/heldout_selection.py W/test --pseudo W/pseudo --score-sets ...

Each training video gets one synthetic event (``fast_object``: a region where something
moved slides across the frame, too fast; ``skip``: a stretch played three times too fast),
kinds in turn, and is written as a frames-layout test video with its frame labels
(``ground_truth/frame_labels_pseudo.npy``; every event in ``pseudo_anomalies.json``). Test
any run on it like on a dataset, then choose scoring settings on it instead of on the test
labels (``heldout_selection.py --pseudo``): a choice made without a single test label, for
benchmarks without a validation split and for sites with no labelled anomaly at all.

Exit status: 0 when written, 2 with a message naming the file and the fix when not.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from vadkit.datasets.pseudo_anomalies import PSEUDO_ANOMALY_KINDS, write_pseudo_anomaly_dataset
from vadkit.utils import register_all_modules
from vadkit.utils.cli_values import KeyValueOptions
from vadkit.utils.errors import run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Make a labelled pseudo-anomaly test set from normal training videos',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('root', help='dataset root whose training videos are used')
    parser.add_argument('--out', required=True, help='folder to write (new, or a set this '
                        'tool wrote, with --overwrite)')
    parser.add_argument('--layout', default='auto', help='layout type of the dataset '
                        '(auto: detect)')
    parser.add_argument('--layout-args', nargs='+', action=KeyValueOptions, default={},
                        example='scene=1', help='layout arguments')
    parser.add_argument('--kinds', nargs='+', default=list(PSEUDO_ANOMALY_KINDS),
                        choices=PSEUDO_ANOMALY_KINDS, help='event kinds, taken in turn')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--max-videos', type=int, default=None,
                        help='use only the first N training videos (a faster test)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a pseudo-anomaly set already in --out')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    layout_type = 'AutoLayout' if args.layout.lower() == 'auto' else args.layout
    layout = dict(type=layout_type, root=args.root, **args.layout_args)
    meta = write_pseudo_anomaly_dataset(args.root, args.out, layout=layout, kinds=args.kinds,
                                        seed=args.seed, max_videos=args.max_videos,
                                        overwrite=args.overwrite)
    videos = meta['videos']
    frames = sum(v['frames'] for v in videos)
    anomalous = sum(v['anomalous_frames'] for v in videos)
    print(f'{args.out}: {len(videos)} videos from the training videos of {meta["layout"]}, '
          f'{frames} frames, {anomalous} pseudo-anomalous')
    for v in videos:
        print(f'  {v["video"]:>12}  {v["kind"]:<11} {v["anomalous_frames"]:4d} of '
              f'{v["frames"]:4d} frames, from frame {v["start"]}')
    print(f'test a run on it: python tools/test.py CONFIG CKPT --data-root {args.out} '
          '--out-dir W/pseudo')
    return meta


if __name__ == '__main__':
    run_cli(main)
