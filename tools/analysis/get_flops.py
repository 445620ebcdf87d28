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

import torch  # noqa: E402
from torch import nn  # noqa: E402

from vadkit.registry import MODELS  # noqa: E402
from vadkit.utils import register_all_modules  # noqa: E402
from vadkit.utils.run_config import load_config  # noqa: E402
from vadkit.utils.errors import run_cli  # noqa: E402


def count_macs(model: nn.Module, clip: torch.Tensor) -> dict:
    """Multiply-accumulates of ``model.predict_scores(clip)``, by convention.

    ``all``: convolutions (transposed included, as input positions x kernel x channels) and
    linear layers. ``paper``: convolutions without transposed ones, plus one operation per
    element for biases, batch-norm (x2, affine) and pooling inputs, as ptflops-style counters
    do; this is how the paper's Table 6 counts.
    """
    totals = {'all': 0, 'paper': 0}

    def conv_hook(m, inp, out):
        k = m.weight[0].numel()  # in_channels/groups * kernel volume
        if isinstance(m, (nn.ConvTranspose3d, nn.ConvTranspose2d)):
            x = inp[0]
            totals['all'] += x.numel() // x.shape[1] * m.in_channels * m.weight[0].numel()
            return
        macs = out.numel() * k
        totals['all'] += macs
        totals['paper'] += macs + (out.numel() if m.bias is not None else 0)

    def linear_hook(m, inp, out):
        macs = out.numel() * m.in_features
        totals['all'] += macs
        totals['paper'] += macs + (out.numel() if m.bias is not None else 0)

    def bn_hook(m, inp, out):
        totals['paper'] += inp[0].numel() * (2 if m.affine else 1)

    def pool_hook(m, inp, out):
        totals['paper'] += inp[0].numel()

    hooks = []
    for m in model.modules():
        if isinstance(m, (nn.Conv3d, nn.Conv2d, nn.ConvTranspose3d, nn.ConvTranspose2d)):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
        elif isinstance(m, nn.modules.batchnorm._BatchNorm):
            hooks.append(m.register_forward_hook(bn_hook))
        elif isinstance(m, (nn.MaxPool3d, nn.MaxPool2d, nn.AdaptiveMaxPool2d)):
            hooks.append(m.register_forward_hook(pool_hook))
    with torch.inference_mode():
        model.predict_scores(clip)
    for h in hooks:
        h.remove()
    return totals


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
