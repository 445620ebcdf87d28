"""Parameters and multiply-accumulates of a config's model for one clip.

Counts every Conv3d/ConvTranspose3d/Conv2d/Linear of a test forward pass (encoder, decoder
once, every task head) with forward hooks. The paper's Table 6 numbers (LUSS-AE: 6.12 M
parameters, 16.30 G) come from a counter that skips transposed convolutions and adds
element-wise layers; that convention is printed too, so the two can be compared.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch

from vadkit.registry import MODELS
from vadkit.utils import register_all_modules
from vadkit.utils.complexity import count_macs
from vadkit.utils.errors import run_cli
from vadkit.utils.run_config import load_config


def main():
    parser = argparse.ArgumentParser(description='Parameters and MACs of a model for one clip')
    parser.add_argument('config')
    parser.add_argument('--shape', type=int, nargs='+',
                        help='clip shape C T H W (default: from the config: 1, clip_len, '
                        'and the decode Resize size)')
    args = parser.parse_args()
    register_all_modules()
    cfg = load_config(args.config)
    model = MODELS.build(cfg.model).eval()
    if args.shape:
        c, t, h, w = args.shape
    else:
        c, t = model.backbone.in_channels, model.clip_len
        h = w = 256
        for tr in cfg.test_dataloader.dataset.get('decode_pipeline', []):
            if tr.get('type') == 'Resize':
                size = tr['size']
                h, w = (size, size) if isinstance(size, int) else size
    # a test window: T input frames plus the frame FFP predicts
    clip = torch.zeros(1, c, t + 1, h, w)
    params = sum(p.numel() for p in model.parameters())
    macs = count_macs(model, clip)
    print(f'config: {args.config}')
    print(f'input clip: {c}x{t}x{h}x{w} (one test window of {t + 1} frames)')
    print(f'parameters: {params / 1e6:.2f} M ({params:,})')
    print(f'multiply-accumulates, paper convention (Table 6): {macs["paper"] / 1e9:.2f} G')
    print(f'multiply-accumulates, every layer incl. transposed convolutions: '
          f'{macs["all"] / 1e9:.2f} G')


if __name__ == '__main__':
    run_cli(main)
