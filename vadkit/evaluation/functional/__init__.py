from .auroc import average_precision, equal_error_rate, macro_auroc, micro_auroc
from .measures import blur, bpe, gaussian_kernel, mse, pse, psnr
from .normalizers import min_max, robust, z_score

__all__ = ['average_precision', 'equal_error_rate', 'macro_auroc', 'micro_auroc', 'blur', 'bpe',
           'gaussian_kernel', 'mse', 'pse', 'psnr', 'min_max', 'robust', 'z_score']
