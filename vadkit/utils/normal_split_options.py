"""Command-line options of the tools that score a trained model on the normal training
split (``fit_normal_stats.py``, ``fit_normal_error_maps.py``), and what they load."""
import argparse
import os.path as osp
from typing import Tuple

import torch

from .cli_values import KeyValueOptions


def add_normal_split_args(parser: argparse.ArgumentParser, out_file: str) -> None:
    """The config, checkpoint, output, split and data options; ``out_file`` is the default
    output's name, written beside the checkpoint."""
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', help=f'output file (default: {out_file} beside the '
                        'checkpoint)')
    parser.add_argument('--split', default='train', help='split to score (default train)')
    parser.add_argument('--window-stride', type=int, default=1,
                        help='score every k-th window only (faster on large training sets)')
    parser.add_argument('--batch-size', type=int, help='default: the test dataloader\'s')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--data-root', help='dataset root, overriding the config')
    parser.add_argument('--cfg-options', nargs='+', action=KeyValueOptions)


def load_normal_split(args: argparse.Namespace) -> Tuple:
    """``(cfg, model, dataset)``: the config, its model with the checkpoint's weights in test
    mode, and the split's windows under the test pipeline."""
    from vadkit.engine.offline_scoring import build_window_dataset, load_model

    from . import register_all_modules
    from .run_config import load_config
    register_all_modules(init_default_scope=True)
    cfg = load_config(args.config, args.cfg_options, data_root=args.data_root)
    model = load_model(cfg, args.checkpoint, args.device)
    dataset = build_window_dataset(cfg, args.split, args.window_stride)
    print(f'scoring {dataset!r} on {args.device}', flush=True)
    return cfg, model, dataset


def output_path(args: argparse.Namespace, out_file: str) -> str:
    """``--out``, else ``out_file`` beside the checkpoint."""
    return args.out or osp.join(osp.dirname(osp.abspath(args.checkpoint)), out_file)
