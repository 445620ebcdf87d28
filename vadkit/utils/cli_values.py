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

from mmengine.config import DictAction

__all__ = ['finite_float', 'positive_float', 'whole_number', 'percentile', 'KeyValueOptions']


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


class KeyValueOptions(DictAction):
    """mmengine's ``key=value`` options (``--cfg-options``), with argparse's usage error
    naming the option that cannot be parsed and the form to write, instead of a traceback
    from deep in the parser (a missing ``=``, unbalanced brackets, a ``dict(...)``, which
    even recursed until Python's limit). ``example`` is shown in the message."""

    def __init__(self, *args, example: str = 'train_cfg.max_epochs=5', **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.example = example

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        for kv in ([values] if isinstance(values, str) else values or []):
            key, sep, _ = kv.partition('=')
            if not sep or not key:
                parser.error(f'{option_string} {kv!r}: write key=value, e.g. '
                             f'{option_string} {self.example}')
            try:
                super().__call__(parser, namespace, [kv], option_string)
            except (AssertionError, ValueError, IndexError, RecursionError):
                parser.error(
                    f'{option_string} {kv!r}: its value cannot be parsed. A value is a number, '
                    'true/false/None, a string, a list [a,b] or a tuple (a,b) with balanced '
                    "brackets; set a dict's entries one by one (e.g. train_cfg.max_epochs=5 "
                    "train_cfg.val_interval=1), or write it in a config file")
