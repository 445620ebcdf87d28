"""Gradient difference error as a vadkit plugin.

Registers the error measure ``GradientDifferenceError`` in ``ERROR_MEASURES``: any task
scored by an error (VCR, FFP, a plugin's own) uses it through its config,
``measure=dict(type='GradientDifferenceError')`` or
``extra_measures=dict(gde=dict(type='GradientDifferenceError'))``.

Load it with
``custom_imports = dict(imports=['plugins.gradient_error'], allow_failed_imports=False)``.
"""
from .measure import GradientDifferenceError, gradient_difference

__all__ = ['GradientDifferenceError', 'gradient_difference']
