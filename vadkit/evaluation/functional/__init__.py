from .auroc import average_precision, equal_error_rate, macro_auroc, micro_auroc
from .normalizers import gaussian_smooth, log_odds, log_transform, min_max, robust, z_score
from .scoring import (
    FrameEvaluation,
    evaluate_frame_scores,
    frame_metrics,
    fuse_scores,
    weighted_sum,
)

__all__ = ['average_precision', 'equal_error_rate', 'macro_auroc', 'micro_auroc',
           'gaussian_smooth', 'log_odds', 'log_transform', 'min_max', 'robust', 'z_score',
           'FrameEvaluation',
           'evaluate_frame_scores', 'fuse_scores', 'frame_metrics', 'weighted_sum']
