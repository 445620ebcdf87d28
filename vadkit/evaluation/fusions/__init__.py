from .score_fusions import (
    BaseScoreFusion,
    CappedWeightedSum,
    MedianFusion,
    RankFusion,
    StabilityWeightedSum,
    WeightedSum,
    build_score_fusion,
    capped_weights,
)

__all__ = ['BaseScoreFusion', 'CappedWeightedSum', 'MedianFusion', 'RankFusion',
           'StabilityWeightedSum', 'WeightedSum', 'build_score_fusion', 'capped_weights']
