"""Command-line settings of the re-scoring tools (``tools/analysis/rescore.py``,
``search_alphas.py``, ``plot_scores.py``): weights, normalizers, smoothing.

Every option defaults to what the test run saved in its ``frame_scores.npz``, so a tool run
without options reproduces the run.
"""
import argparse
import ast
import copy
import json
from typing import Dict, List, Optional, Sequence, Tuple

from vadkit.evaluation.frame_scores import DEFAULT_NORMALIZER, FrameScores
from vadkit.evaluation.normalizers.builder import normalizer_config


def parse_weights(items: Optional[Sequence[str]]) -> Optional[Dict[str, float]]:
    """``['vcr=0.1', 'ffp=0.8']`` (or ``'vcr=0.1,ffp=0.8'``) -> ``{'vcr': 0.1, 'ffp': 0.8}``."""
    if not items:
        return None
    weights = {}
    for item in items:
        for part in filter(None, item.split(',')):
            name, sep, value = part.partition('=')
            if not sep:
                raise ValueError(f'weight {part!r} is not NAME=VALUE, e.g. vcr=0.1 or '
                                 'vcr.pse=1')
            try:
                weights[name.strip()] = float(value)
            except ValueError:
                raise ValueError(f'weight {part!r}: {value!r} is not a number') from None
    return weights


def parse_normalizer(text: str) -> dict:
    """A normalizer config from the command line.

    Accepts a registered type (``RobustNormalizer``), a type with keyword arguments in
    Python syntax (``RobustNormalizer(low=5, high=95)``, ``GaussianSmoothing(sigma=3)``),
    or a JSON object (``'{"type": "Chain", "steps": [...]}'``).
    """
    text = text.strip()
    if text.startswith('{'):
        cfg = json.loads(text)
        if 'type' not in cfg:
            raise ValueError(f'normalizer {text!r} has no "type"')
        return cfg
    if '(' not in text:
        return dict(type=text)
    try:
        call = ast.parse(text, mode='eval').body
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name) or call.args:
            raise ValueError
        cfg = dict(type=call.func.id)
        for kw in call.keywords:
            cfg[kw.arg] = ast.literal_eval(kw.value)
        return cfg
    except (SyntaxError, ValueError):
        raise ValueError(f'cannot read normalizer {text!r}: write a type, e.g. '
                         'RobustNormalizer, or a type with keyword arguments, e.g. '
                         "'RobustNormalizer(low=5, high=95)'") from None


def parse_normalizer_for(items: Optional[Sequence[str]]) -> Dict[str, dict]:
    """``['prp=MinMaxNormalizer', 'vcr=ZScoreNormalizer(mean=0, std=1)']`` -> configs."""
    out = {}
    for item in items or []:
        name, sep, value = item.partition('=')
        if not sep or not value:
            raise ValueError(f'--normalizer-for {item!r} is not NAME=NORMALIZER, e.g. '
                             'prp=MinMaxNormalizer')
        out[name.strip()] = parse_normalizer(value)
    return out


def add_scoring_args(parser: argparse.ArgumentParser, weights: bool = True) -> None:
    """The options shared by the re-scoring tools."""
    g = parser.add_argument_group('scoring settings (default: those the test run saved)')
    if weights:
        g.add_argument('--weights', nargs='+', metavar='NAME=ALPHA',
                       help='fusion weights, e.g. vcr=0.1 ffp=0.8 prp=1; one score alone: '
                       'vcr.pse=1')
    g.add_argument('--normalizer', metavar='TYPE',
                   help='normalizer of every score, e.g. MinMaxNormalizer, RobustNormalizer, '
                   "'RobustNormalizer(low=5, high=95)', NoNormalizer, ZScoreNormalizer (with "
                   '--stats-file); resets the saved per-score overrides')
    g.add_argument('--normalizer-for', nargs='+', default=[], metavar='NAME=TYPE',
                   help='per-score normalizer, e.g. prp=MinMaxNormalizer (the reference code '
                   'rescales PRP with min-max and the others robustly)')
    g.add_argument('--smooth', type=float, metavar='SIGMA',
                   help='append temporal Gaussian smoothing (sigma in frames, non-causal) '
                   "to every score's normalizer")
    g.add_argument('--stats-file', metavar='JSON',
                   help='normal-score statistics (tools/analysis/fit_normal_stats.py) for '
                   'ZScoreNormalizer')


def resolve_settings(scores: FrameScores, args: argparse.Namespace,
                     names: Optional[Sequence[str]] = None) -> Tuple[Optional[dict], dict, dict]:
    """``(weights, default normalizer, per-score normalizers)`` from the saved settings and
    the options of :func:`add_scoring_args`; per-score configs are spelled out for every
    score in ``names`` (default all) when smoothing or statistics change them."""
    saved = scores.settings
    weights = parse_weights(getattr(args, 'weights', None)) or saved.get('score_weights')
    if args.normalizer:
        default, overrides = parse_normalizer(args.normalizer), {}
    else:
        default = saved.get('normalizer', DEFAULT_NORMALIZER)
        overrides = dict(saved.get('normalizers', {}))
    overrides.update(parse_normalizer_for(args.normalizer_for))
    names = list(names or scores.score_names)
    unknown = [n for n in overrides if n not in scores.score_names]
    if unknown:
        raise KeyError(f'--normalizer-for names unknown score(s) {unknown}; the scores are '
                       f'{scores.score_names}')
    if args.smooth is None and not args.stats_file:
        return weights, default, overrides
    resolved = {}
    for n in names:
        cfg = normalizer_config(n, default, overrides)
        if args.stats_file:
            cfg = _with_stats_file(cfg, args.stats_file, n)
        if args.smooth is not None:
            cfg = dict(type='Chain', steps=[cfg, dict(type='GaussianSmoothing',
                                                      sigma=args.smooth)])
        resolved[n] = cfg
    return weights, default, resolved


def _with_stats_file(cfg: dict, stats_file: str, name: str) -> dict:
    cfg = copy.deepcopy(cfg)
    if cfg.get('type') == 'ZScoreNormalizer' and not any(
            k in cfg for k in ('mean', 'std', 'stats_file')):
        cfg.update(stats_file=stats_file, key=name)
    if cfg.get('type') == 'Chain':
        cfg['steps'] = [_with_stats_file(s, stats_file, name) for s in cfg['steps']]
    return cfg


def normalizers_in_words(default: dict, overrides: dict) -> str:
    """``RobustNormalizer (prp: MinMaxNormalizer)``: the default and the overrides."""
    text = short_normalizer(default)
    if overrides:
        text += ' (' + ', '.join(f'{n}: {short_normalizer(c)}' for n, c in overrides.items()) + ')'
    return text


def describe_normalizers(names: Sequence[str], default: dict, overrides: dict) -> List[str]:
    """One line a score: ``name: config``."""
    return [f'  {n}: {short_normalizer(normalizer_config(n, default, overrides))}' for n in names]


def short_normalizer(cfg: dict) -> str:
    """``RobustNormalizer``, ``RobustNormalizer(low=5) -> GaussianSmoothing(sigma=3.0)``."""
    if cfg.get('type') == 'Chain':
        return ' -> '.join(short_normalizer(s) for s in cfg['steps'])
    args = ', '.join(f'{k}={v!r}' for k, v in cfg.items() if k != 'type')
    return f'{cfg["type"]}({args})' if args else cfg['type']
