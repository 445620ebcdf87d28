"""Convolution and activation layers of a backbone built from OpenMMLab-style configs.

A backbone takes ``conv_cfg``, ``deconv_cfg`` and ``act_cfg`` as ``dict(type=..., **extra)``
and sets the geometry itself (channels, kernel, stride, padding). Types are looked up in
vadkit's ``MODELS`` registry, which falls back to mmengine's root ``MODELS``, where mmcv
registers its layers. Names that work for the 3D autoencoder:

- convolutions: ``'GemmConv3d'`` (vadkit's, the default), ``'Conv3d'`` (mmcv's
  ``nn.Conv3d``); transposed: ``'GemmConvTranspose3d'`` (the default),
  ``'ConvTranspose3d'`` or its alias ``'deconv3d'`` (mmcv's ``nn.ConvTranspose3d``). mmcv's
  ``'Conv'`` and ``'deconv'`` are 2-D and refused here with the 3-D name to use;
- activations: mmcv's ``'ReLU'``, ``'LeakyReLU'``, ``'ELU'``, ``'GELU'``, ``'SiLU'``,
  ``'PReLU'``, ``'Swish'``, ... (torch's classes; their own arguments, e.g.
  ``negative_slope``, ``inplace``).
"""
from typing import Any, Optional, Tuple

import mmcv.cnn  # noqa: F401 - registers mmcv's layers in mmengine's root MODELS
from torch import nn
from torch.nn.modules.conv import _ConvNd, _ConvTransposeNd

from vadkit.registry import MODELS
from vadkit.utils.errors import VadkitError
from vadkit.utils.registry_errors import unknown_type_message

__all__ = ['LayerConfigError', 'build_activation', 'build_conv3d']


class LayerConfigError(VadkitError, ValueError):
    """A layer config (``conv_cfg``, ``deconv_cfg``, ``act_cfg``) that cannot be built."""


def _layer_class(cfg: Any, arg: str, example: str) -> Tuple[type, str, dict]:
    """The class ``cfg`` names, its name and the other keys of ``cfg``."""
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise LayerConfigError(f'{arg}={cfg!r}: expected a config dict(type=...), e.g. '
                               f'{arg}={example}')
    extra = dict(cfg)
    layer_type = extra.pop('type')
    if isinstance(layer_type, str):
        cls = MODELS.get(layer_type)
        if cls is None:
            raise LayerConfigError(f'{arg}: {unknown_type_message(layer_type, MODELS)}')
        return cls, layer_type, extra
    if callable(layer_type):
        return layer_type, getattr(layer_type, '__name__', str(layer_type)), extra
    raise LayerConfigError(f'{arg}: type={layer_type!r} is neither a registered name nor a '
                           'class')


def build_conv3d(cfg: dict, arg: str, transposed: bool, **geometry: Any) -> nn.Module:
    """The 3D convolution (``transposed``: upsampling) that ``cfg`` names, with the
    backbone's ``geometry`` (``in_channels``, ``out_channels``, ``kernel_size``, ``stride``,
    ``padding``, ``output_padding``) and the other keys of ``cfg`` (``bias``, ...).

    Raises:
        LayerConfigError: ``cfg`` names an unknown type, sets a geometry key, does not
            build, or builds a convolution of another dimension or direction.
    """
    example = ("dict(type='deconv3d')" if transposed else "dict(type='Conv3d')")
    cls, name, extra = _layer_class(cfg, arg, example)
    clash = sorted(set(extra) & set(geometry))
    if clash:
        raise LayerConfigError(
            f'{arg}={cfg!r} sets {", ".join(clash)}, which the backbone sets itself (channels '
            'from widths, kernel 3, padding 1, stride from strides); remove them')
    if isinstance(cls, type) and issubclass(cls, _ConvNd) and issubclass(
            cls, _ConvTransposeNd) != transposed:
        what = ('a transposed (upsampling) convolution' if transposed else
                'an ordinary (downsampling) convolution')
        raise LayerConfigError(f"{arg}: type '{name}' builds {cls.__name__}; the backbone "
                               f'needs {what} here, e.g. {arg}={example}')
    try:
        layer = cls(**geometry, **extra)
    except TypeError as e:
        raise LayerConfigError(f'{arg}={cfg!r}: {name} could not be built with the '
                               f'arguments {", ".join(list(geometry) + list(extra))}: {e}'
                               ) from e
    if isinstance(layer, _ConvNd) and len(layer.kernel_size) != 3:
        raise LayerConfigError(
            f"{arg}: type '{name}' builds {type(layer).__name__}, a "
            f'{len(layer.kernel_size)}-D convolution; use a 3-D one, e.g. {arg}={example}')
    return layer


def build_activation(cfg: Optional[dict], arg: str = 'act_cfg') -> Optional[nn.Module]:
    """The activation ``cfg`` names (``None``: none).

    Raises:
        LayerConfigError: ``cfg`` names an unknown type or does not build.
    """
    if cfg is None:
        return None
    cls, name, extra = _layer_class(cfg, arg, "dict(type='ReLU')")
    try:
        return cls(**extra)
    except TypeError as e:
        raise LayerConfigError(f'{arg}={cfg!r}: {name} could not be built: {e}') from e
