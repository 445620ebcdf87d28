from .base_backbone import BaseBackbone
from .conv3d_autoencoder import Conv3DAutoEncoder

__all__ = ['BaseBackbone', 'Conv3DAutoEncoder']
