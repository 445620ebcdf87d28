from .base_loss import BaseLoss
from .measure_loss import MeasureLoss
from .standard_losses import CrossEntropyLoss, MSELoss
from .weighted_sum_loss import WeightedSumLoss

__all__ = ['BaseLoss', 'MSELoss', 'CrossEntropyLoss', 'MeasureLoss', 'WeightedSumLoss']
