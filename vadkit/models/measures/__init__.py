from .base_measure import BaseErrorMeasure
from .standard_measures import BPE, MSE, PSE, NegativePSNR

__all__ = ['BaseErrorMeasure', 'MSE', 'PSE', 'BPE', 'NegativePSNR']
