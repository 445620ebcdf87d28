from .conv3d_autoencoder import Conv3DAutoEncoder

__all__ = ['Conv3DAutoEncoder']
