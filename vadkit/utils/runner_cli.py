"""The command-line options that every runner tool (``tools/train.py``, ``tools/test.py``)
takes, and what they set before the runner starts."""
import argparse
import os

from .cli_values import KeyValueOptions


def add_runner_options(parser: argparse.ArgumentParser,
                       cfg_options_help: str = 'override config entries') -> None:
    """``--cfg-options``, ``--launcher``, ``--verbose`` and torchrun's ``--local-rank``."""
    parser.add_argument('--cfg-options', nargs='+', action=KeyValueOptions, help=cfg_options_help)
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none')
    parser.add_argument('--verbose', action='store_true',
                        help='print the environment and config dump on the terminal too '
                        '(it is always in the log file); same as VADKIT_VERBOSE=1')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def apply_runner_options(args: argparse.Namespace) -> argparse.Namespace:
    """Export what the options of :func:`add_runner_options` set for the whole process."""
    if args.verbose:
        os.environ['VADKIT_VERBOSE'] = '1'
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args
