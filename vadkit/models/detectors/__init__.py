from .multitask_autoencoder import MultiTaskAutoEncoder

__all__ = ['MultiTaskAutoEncoder']
