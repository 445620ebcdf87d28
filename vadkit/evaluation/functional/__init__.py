from .auroc import average_precision, equal_error_rate, macro_auroc, micro_auroc
from .measures import blur, bpe, bpe_map, gaussian_kernel, mse, mse_map, pse, pse_map, psnr
from .normalizers import gaussian_smooth, min_max, robust, z_score
from .scoring import FrameEvaluation, evaluate_frame_scores, fuse_scores, frame_metrics

__all__ = ['average_precision', 'equal_error_rate', 'macro_auroc', 'micro_auroc', 'blur', 'bpe',
           'bpe_map', 'gaussian_kernel', 'mse', 'mse_map', 'pse', 'pse_map', 'psnr',
           'gaussian_smooth', 'min_max', 'robust', 'z_score', 'FrameEvaluation',
           'evaluate_frame_scores', 'fuse_scores', 'frame_metrics']
