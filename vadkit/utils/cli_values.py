"""Checked numeric command-line values, as ``argparse`` ``type=`` functions.

A wrong value is refused while the command line is parsed, so it comes back as argparse's
usage error (exit status 2) naming the option, in the option's own terms:
``argument --min-event-frames: must be a whole number >= 1, got -3``. Without these, a NaN
threshold flags nothing, a negative frame rate silently becomes the default, and a bad
count fails later in an internal name.
"""
import argparse
import math
from typing import Callable, Optional

__all__ = ['finite_float', 'positive_float', 'whole_number', 'percentile']


def _number(text: str, kind: type, what: str):
    try:
        return kind(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f'must be {what}, got {text!r}') from None


def finite_float(text: str) -> float:
    """Any finite number (not ``nan``/``inf``)."""
    value = _number(text, float, 'a finite number')
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f'must be a finite number, got {text}')
    return value


def positive_float(unit: str = '') -> Callable[[str], float]:
    """A finite number > 0; ``unit`` (e.g. ``'frames per second'``) is said in errors."""
    what = f'a finite number of {unit} > 0' if unit else 'a finite number > 0'

    def parse(text: str) -> float:
        value = _number(text, float, what)
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f'must be {what}, got {text}')
        return value
    parse.__name__ = 'positive number'
    return parse


def whole_number(minimum: int = 0, meaning: str = '') -> Callable[[str], int]:
    """An integer >= ``minimum``; ``meaning`` (e.g. ``'frames'``) is said in errors."""
    what = f'a whole number >= {minimum}' + (f' ({meaning})' if meaning else '')

    def parse(text: str) -> int:
        value = _number(text, int, what)
        if value < minimum:
            raise argparse.ArgumentTypeError(f'must be {what}, got {text}')
        return value
    parse.__name__ = 'whole number'
    return parse


def percentile(low: float = 0.0, high: float = 100.0,
               low_open: bool = False) -> Callable[[str], float]:
    """A percentile in ``[low, high]`` (``(low, high]`` with ``low_open``)."""
    what = f'a percentile in {"(" if low_open else "["}{low:g}, {high:g}]'

    def parse(text: str) -> float:
        value = _number(text, float, what)
        ok: Optional[bool] = math.isfinite(value) and value <= high and (
            value > low if low_open else value >= low)
        if not ok:
            raise argparse.ArgumentTypeError(f'must be {what}, got {text}')
        return value
    parse.__name__ = 'percentile'
    return parse
