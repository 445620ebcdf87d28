"""Mean and std of every score on the normal training videos, for ZScoreNormalizer.

    python tools/analysis/fit_normal_stats.py CONFIG CHECKPOINT --out normal_stats.json
    python tools/analysis/rescore.py test/frame_scores.npz \
        --normalizer ZScoreNormalizer --stats-file normal_stats.json

The training split's windows are scored exactly like test windows (the config's test
pipeline, split='train'); one statistic a score over all of them.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from vadkit.engine.offline_scoring import score_windows
from vadkit.evaluation.normalizers import compute_normal_stats, save_normal_stats
from vadkit.utils.errors import run_cli
from vadkit.utils.normal_split_options import (
    add_normal_split_args,
    load_normal_split,
    output_path,
)

OUT_FILE = 'normal_stats.json'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Score the training (normal) windows and '
                                     'write each score\'s mean and std as JSON')
    add_normal_split_args(parser, OUT_FILE)
    parser.add_argument('--num-workers', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg, model, dataset = load_normal_split(args)
    scores = score_windows(model, dataset, args.batch_size or cfg.test_dataloader.batch_size,
                           args.num_workers)
    stats = compute_normal_stats(scores)
    out = output_path(args, OUT_FILE)
    save_normal_stats(out, stats, split=args.split, windows=len(dataset),
                      videos=len(dataset.videos), window_stride=args.window_stride,
                      config=osp.abspath(args.config), checkpoint=osp.abspath(args.checkpoint))
    print(f'{"score":<12} {"mean":>12} {"std":>12} {"count":>8}')
    for name, s in stats.items():
        print(f'{name:<12} {s["mean"]:>12.6g} {s["std"]:>12.6g} {s["count"]:>8}')
    print(f'written: {out}')
    return stats


if __name__ == '__main__':
    run_cli(main)
