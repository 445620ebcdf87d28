"""Per-location mean and std of a model's error on the normal training clips, for the
RelativeToNormal error measure.

    python tools/analysis/fit_normal_error_maps.py CONFIG CHECKPOINT --out normal_error_maps.npz
    python tools/analysis/fit_normal_error_maps.py CONFIG CHECKPOINT --sigma 1 --kernel-size 5

The training split's windows are scored exactly like test windows (the config's test
pipeline, split='train'); each error-scored task (VCR, FFP) adds the squared error image of
every frame it produces. --sigma must match the measure's sigma (default: no blur).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch
from mmengine.config import DictAction

from vadkit.engine.normal_error_maps import fit_normal_error_maps
from vadkit.engine.offline_scoring import build_window_dataset, load_model
from vadkit.utils import register_all_modules
from vadkit.utils.errors import run_cli
from vadkit.utils.run_config import load_config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Score the training (normal) windows and '
                                     'write each task\'s per-location error mean and std')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', help='output .npz (default: normal_error_maps.npz beside the '
                        'checkpoint)')
    parser.add_argument('--tasks', nargs='+', help='tasks to fit (default: every task scored '
                        'by an error image, e.g. vcr ffp)')
    parser.add_argument('--sigma', type=float, help='Gaussian filter of the error image, as '
                        'the measure\'s sigma (default: none)')
    parser.add_argument('--kernel-size', type=int, default=5)
    parser.add_argument('--split', default='train', help='split to score (default train)')
    parser.add_argument('--window-stride', type=int, default=1,
                        help='use every k-th window only (faster on large training sets)')
    parser.add_argument('--batch-size', type=int, help='default: the test dataloader\'s')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--data-root', help='dataset root, overriding the config')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    cfg = load_config(args.config, args.cfg_options, data_root=args.data_root)
    model = load_model(cfg, args.checkpoint, args.device)
    dataset = build_window_dataset(cfg, args.split, args.window_stride)
    print(f'scoring {dataset!r} on {args.device}', flush=True)
    maps = fit_normal_error_maps(model, dataset, args.tasks, args.sigma, args.kernel_size,
                                 args.batch_size or cfg.test_dataloader.batch_size)
    maps.meta.update(split=args.split, windows=len(dataset), window_stride=args.window_stride,
                     config=osp.abspath(args.config), checkpoint=osp.abspath(args.checkpoint))
    out = args.out or osp.join(osp.dirname(osp.abspath(args.checkpoint)),
                               'normal_error_maps.npz')
    maps.save(out)
    for task, m in maps.mean.items():
        print(f'{task}: {"x".join(map(str, m.shape))} locations, mean error {m.mean():.6g} '
              f'(from {m.min():.3g} to {m.max():.3g}), mean std {maps.std[task].mean():.6g}')
    print(f'written: {out}')
    return out


if __name__ == '__main__':
    run_cli(main)
