from .gemm_conv3d import (
    WEIGHT_GRAD_IMPLS,
    GemmConv3d,
    GemmConvTranspose3d,
    gemm_weight_grad,
    set_weight_grad,
    use_gemm_weight_grad,
)
from .layer_configs import LayerConfigError, build_activation, build_conv3d
from .static_adaptive_pool import StaticAdaptiveMaxPool2d, adaptive_windows
from .unet2d import UNet2d

__all__ = [
    'WEIGHT_GRAD_IMPLS', 'GemmConv3d', 'GemmConvTranspose3d', 'gemm_weight_grad',
    'set_weight_grad', 'use_gemm_weight_grad', 'StaticAdaptiveMaxPool2d', 'adaptive_windows',
    'LayerConfigError', 'build_activation', 'build_conv3d', 'UNet2d'
]
