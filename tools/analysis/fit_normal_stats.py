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

import torch
from mmengine.config import DictAction

from vadkit.engine.offline_scoring import build_window_dataset, load_model, score_windows
from vadkit.evaluation.normalizers import compute_normal_stats, save_normal_stats
from vadkit.utils import register_all_modules
from vadkit.utils.errors import run_cli
from vadkit.utils.run_config import load_config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Score the training (normal) windows and '
                                     'write each score\'s mean and std as JSON')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', help='output JSON (default: normal_stats.json beside the '
                        'checkpoint)')
    parser.add_argument('--split', default='train', help='split to score (default train)')
    parser.add_argument('--window-stride', type=int, default=1,
                        help='score every k-th window only (faster on large training sets)')
    parser.add_argument('--batch-size', type=int, help='default: the test dataloader\'s')
    parser.add_argument('--num-workers', type=int, default=0)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--data-root', help='dataset root, overriding the config')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    cfg = load_config(args.config, args.cfg_options, data_root=args.data_root)
    model = load_model(cfg, args.checkpoint, args.device)
    dataset = build_window_dataset(cfg, args.split, args.window_stride)
    print(f'scoring {dataset!r} on {args.device}', flush=True)
    scores = score_windows(model, dataset, args.batch_size or cfg.test_dataloader.batch_size,
                           args.num_workers)
    stats = compute_normal_stats(scores)
    out = args.out or osp.join(osp.dirname(osp.abspath(args.checkpoint)), 'normal_stats.json')
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
