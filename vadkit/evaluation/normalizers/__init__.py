from .builder import after_averaging_config, build_score_normalizers, normalizer_config
from .normal_stats import compute_normal_stats, load_normal_stats, save_normal_stats
from .score_normalizers import (
    BaseScoreNormalizer,
    Chain,
    GaussianSmoothing,
    LogOdds,
    LogTransform,
    MinMaxNormalizer,
    NoNormalizer,
    RobustNormalizer,
    ZScoreNormalizer,
)

__all__ = ['BaseScoreNormalizer', 'Chain', 'GaussianSmoothing', 'LogOdds', 'LogTransform',
           'MinMaxNormalizer', 'NoNormalizer', 'RobustNormalizer', 'ZScoreNormalizer',
           'after_averaging_config', 'build_score_normalizers', 'normalizer_config',
           'compute_normal_stats', 'load_normal_stats', 'save_normal_stats']
