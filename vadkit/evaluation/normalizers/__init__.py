from .score_normalizers import (BaseScoreNormalizer, MinMaxNormalizer, NoNormalizer,
                                RobustNormalizer, ZScoreNormalizer)

__all__ = ['BaseScoreNormalizer', 'MinMaxNormalizer', 'NoNormalizer', 'RobustNormalizer',
           'ZScoreNormalizer']
