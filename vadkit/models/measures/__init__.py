from .base_measure import BaseErrorMeasure
from .gradient_difference import GradientDifference
from .local_measures import LocalErrorMeasure, RelativeToNormal, TopK, WorstRegion
from .normal_error_maps import NormalErrorMaps, NormalErrorMapsError
from .standard_measures import BPE, MSE, PSE, NegativePSNR
from .temporal_difference import ClipMeasureError, TemporalDifference

__all__ = ['BaseErrorMeasure', 'MSE', 'PSE', 'BPE', 'NegativePSNR', 'LocalErrorMeasure',
           'WorstRegion', 'TopK', 'RelativeToNormal', 'NormalErrorMaps', 'NormalErrorMapsError',
           'TemporalDifference', 'ClipMeasureError', 'GradientDifference']
