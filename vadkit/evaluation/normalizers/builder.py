"""Build one normalizer a score from a default config and per-score overrides."""
import copy
from typing import Dict, Iterable, Mapping, Optional

from vadkit.registry import SCORE_NORMALIZERS


def _fill_stats_key(cfg, name: str):
    """A ``ZScoreNormalizer`` reading a ``stats_file`` without a ``key`` reads the
    statistics of the score it normalizes (also inside ``Chain`` steps)."""
    if not isinstance(cfg, dict):
        return cfg
    cfg = copy.deepcopy(dict(cfg))
    if cfg.get('type') == 'ZScoreNormalizer' and cfg.get('stats_file') and not cfg.get('key'):
        cfg['key'] = name
    if cfg.get('type') == 'Chain':
        cfg['steps'] = [_fill_stats_key(s, name) for s in cfg.get('steps', [])]
    return cfg


def normalizer_config(name: str, default: Mapping, overrides: Optional[Mapping] = None) -> dict:
    """The config of score ``name``: its override (exact score name, e.g. ``prp`` or
    ``vcr.pse``), else the default."""
    overrides = overrides or {}
    return _fill_stats_key(overrides.get(name, default), name)


def build_score_normalizers(names: Iterable[str], default: Mapping,
                            overrides: Optional[Mapping] = None) -> Dict[str, object]:
    """``{score name: built normalizer}`` for every name."""
    return {n: SCORE_NORMALIZERS.build(normalizer_config(n, default, overrides)) for n in names}


def after_averaging_config(cfg: Mapping) -> dict:
    """The normalizer to apply to the average of several models' normalized scores (an
    ensemble), given the one each model's scores went through.

    Only the per-video rescalings (normalizers whose class sets
    ``reapply_after_averaging``: min-max, robust) are applied again: they bring the average
    back to the range the fusion weights expect, and applying them twice changes nothing
    else. Transforms and smoothing (log, log-odds, Gaussian smoothing, z-scores against
    normal statistics) were already applied to each member's scores: applied again they
    would transform twice. The steps of a :class:`Chain` are filtered alike; when none is
    left, the averages are used as they are (``NoNormalizer``).
    """
    cfg = dict(cfg)
    if cfg.get('type') == 'Chain':
        steps = [after_averaging_config(s) for s in cfg.get('steps', [])]
        steps = [s for s in steps if s.get('type') != 'NoNormalizer']
        if not steps:
            return dict(type='NoNormalizer')
        return steps[0] if len(steps) == 1 else dict(type='Chain', steps=steps)
    cls = SCORE_NORMALIZERS.get(cfg.get('type'))
    if cls is None:
        raise KeyError(f"unknown normalizer type {cfg.get('type')!r}: registered types are "
                       f'{sorted(SCORE_NORMALIZERS.module_dict)}')
    return cfg if getattr(cls, 'reapply_after_averaging', False) else dict(type='NoNormalizer')
