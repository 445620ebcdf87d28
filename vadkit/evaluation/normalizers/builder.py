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
