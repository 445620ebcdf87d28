"""Multiply-accumulates of a model for one clip, counted with forward hooks (the get_flops
tool and the benchmarks report them)."""
import torch
from torch import nn


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
