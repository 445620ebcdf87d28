"""vadkit: a registry-based toolkit for unsupervised video anomaly detection."""
from .version import __version__

__all__ = ['__version__']
