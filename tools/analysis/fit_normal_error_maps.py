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

from vadkit.engine.normal_error_maps import fit_normal_error_maps
from vadkit.utils.errors import run_cli
from vadkit.utils.normal_split_options import (
    add_normal_split_args,
    load_normal_split,
    output_path,
)

OUT_FILE = 'normal_error_maps.npz'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Score the training (normal) windows and '
                                     'write each task\'s per-location error mean and std')
    add_normal_split_args(parser, OUT_FILE)
    parser.add_argument('--tasks', nargs='+', help='tasks to fit (default: every task scored '
                        'by an error image, e.g. vcr ffp)')
    parser.add_argument('--sigma', type=float, help='Gaussian filter of the error image, as '
                        'the measure\'s sigma (default: none)')
    parser.add_argument('--kernel-size', type=int, default=5)
    return parser.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    cfg, model, dataset = load_normal_split(args)
    maps = fit_normal_error_maps(model, dataset, args.tasks, args.sigma, args.kernel_size,
                                 args.batch_size or cfg.test_dataloader.batch_size)
    maps.meta.update(split=args.split, windows=len(dataset), window_stride=args.window_stride,
                     config=osp.abspath(args.config), checkpoint=osp.abspath(args.checkpoint))
    out = output_path(args, OUT_FILE)
    maps.save(out)
    for task, m in maps.mean.items():
        print(f'{task}: {"x".join(map(str, m.shape))} locations, mean error {m.mean():.6g} '
              f'(from {m.min():.3g} to {m.max():.3g}), mean std {maps.std[task].mean():.6g}')
    print(f'written: {out}')
    return out


if __name__ == '__main__':
    run_cli(main)
