"""The error measures of the paper (MSE, PSE, BPE) and PSNR."""
from torch import Tensor

from vadkit.registry import ERROR_MEASURES

from .base_measure import VF, BaseErrorMeasure


@ERROR_MEASURES.register_module()
class MSE(BaseErrorMeasure):
    """Mean squared error (paper Eq. 8)."""

    def frame_error(self, pred: Tensor, target: Tensor) -> Tensor:
        return VF.mse(pred, target)

    def frame_error_map(self, pred: Tensor, target: Tensor) -> Tensor:
        """The squared error image; its mean is the MSE."""
        return VF.mse_map(pred, target)


@ERROR_MEASURES.register_module()
class PSE(BaseErrorMeasure):
    """Proximally sensitive error: Gaussian-smoothed error image (Eq. 9-10)."""

    def __init__(self, sigma: float = 1.0, kernel_size: int = 5) -> None:
        self.sigma, self.kernel_size = sigma, kernel_size

    def frame_error(self, pred: Tensor, target: Tensor) -> Tensor:
        return VF.pse(pred, target, self.sigma, self.kernel_size)

    def frame_error_map(self, pred: Tensor, target: Tensor) -> Tensor:
        """The squared Gaussian-filtered error image; its mean is the PSE."""
        return VF.pse_map(pred, target, self.sigma, self.kernel_size)


@ERROR_MEASURES.register_module()
class BPE(BaseErrorMeasure):
    """Blur pooled error: Gaussian low-pass then subsampling with ``stride`` (Eq. 11).

    ``padding`` is how the filter sees past the frame's border: ``'reflect'`` (default)
    mirrors the error image, so an anomaly at the edge counts fully; ``'zeros'`` pads with
    zero error, as the reference code (kornia's blur pool) does, which attenuates errors
    within ``kernel_size // 2`` pixels of the border. Eq. 11 does not say.
    """

    def __init__(self, sigma: float = 1.0, kernel_size: int = 5, stride: int = 2,
                 padding: str = 'reflect') -> None:
        self.sigma, self.kernel_size, self.stride = sigma, kernel_size, stride
        self.padding = VF.check_padding(padding)

    def frame_error(self, pred: Tensor, target: Tensor) -> Tensor:
        return VF.bpe(pred, target, self.sigma, self.kernel_size, self.stride, self.padding)

    def frame_error_map(self, pred: Tensor, target: Tensor) -> Tensor:
        """The squared blur-pooled error image, subsampled by ``stride``; its sum divided by
        the full frame's ``C H W`` is the BPE."""
        return VF.bpe_map(pred, target, self.sigma, self.kernel_size, self.stride,
                          self.padding)


@ERROR_MEASURES.register_module()
class NegativePSNR(BaseErrorMeasure):
    """Minus the PSNR in dB, so that larger means more anomalous like the other measures."""

    def __init__(self, data_range: float = 2.0) -> None:
        self.data_range = data_range

    def frame_error(self, pred: Tensor, target: Tensor) -> Tensor:
        return -VF.psnr(pred, target, self.data_range)

    def frame_error_map(self, pred: Tensor, target: Tensor) -> Tensor:
        """The squared error image: PSNR is a function of the MSE of this image."""
        return VF.mse_map(pred, target)
