from .frame_auroc_metric import FrameAUROCMetric, fuse_scores

__all__ = ['FrameAUROCMetric', 'fuse_scores']
