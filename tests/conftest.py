"""Helpers shared by the test files."""
from torch import nn


def trained_like_batchnorm(model: nn.Module) -> nn.Module:
    """Give every BatchNorm statistics and affine weights like a trained model's (not the
    identity of a fresh one), so that folding them into the convolutions changes weights."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.running_mean.normal_(0, 0.2)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.normal_(0, 0.1)
    return model
