"""Check a whole run config before anything heavy runs.

mmengine ignores top-level keys it does not know (a ``trian_cfg`` trains the default
epochs), and a typo inside a component surfaces as a ``TypeError`` from deep inside a
build, sometimes only after training (the test evaluator). :func:`validate_config` walks
every component the runner would build (model, datasets and their layouts and pipelines,
samplers, loops, optimizer, schedulers, hooks, evaluators, log processor, visualizer,
model wrapper), resolves each ``type`` in vadkit's registries and checks its arguments
against the class's signature, and reports every problem at once with its dotted path and
the fix. It builds nothing, so it takes well under a second.
"""
from typing import Any, Iterable, List, Optional, Sequence

from .component_signature import ConfigProblem, check_arguments, close_matches
from .errors import VadkitError
from .registry_errors import unknown_type_message

__all__ = ['ConfigError', 'ConfigProblem', 'find_config_problems', 'validate_config']


class ConfigError(VadkitError, ValueError):
    """A config with mistakes; ``problems`` lists them all."""

    def __init__(self, problems: Sequence[ConfigProblem], source: str = 'the config') -> None:
        self.problems = list(problems)
        lines = '\n'.join(f'  - {p}' for p in self.problems)
        super().__init__(f'{source} has {len(self.problems)} problem(s); nothing was run:\n'
                         f'{lines}')


#: Top-level keys read by vadkit's tools or by mmengine besides ``Runner.__init__``'s.
_TOOL_KEYS = {'work_dir', 'data_root', 'launcher', 'custom_imports', 'runner_type',
              'default_scope', 'model_wrapper_cfg', 'compile', 'sync_bn', 'vis_backends',
              'ensemble'}
#: mmcv 1.x keys that mmengine silently ignores, with their replacement.
_LEGACY_KEYS = {
    'optimizer': 'optim_wrapper = dict(optimizer=dict(...))',
    'optimizer_config': 'optim_wrapper = dict(clip_grad=...)',
    'lr_config': 'param_scheduler = [...]',
    'runner': "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=...)",
    'total_epochs': 'train_cfg = dict(max_epochs=...)',
    'workflow': 'train_cfg / val_cfg',
    'checkpoint_config': 'default_hooks = dict(checkpoint=dict(...))',
    'log_config': 'default_hooks = dict(logger=dict(...))',
    'evaluation': 'train_cfg.val_interval and val_evaluator',
    'data': 'train_dataloader / val_dataloader / test_dataloader',
    'dist_params': 'env_cfg = dict(dist_cfg=...)',
}
#: Top-level values that are not read where they stand but from the nested place.
_NESTED_HOMES = {'max_epochs': ('train_cfg', 'max_epochs'),
                 'max_iters': ('train_cfg', 'max_iters'),
                 'val_interval': ('train_cfg', 'val_interval'),
                 'seed': ('randomness', 'seed')}
#: Arguments that hold configs of another registry (by argument name).
_NESTED_REGISTRIES = {
    'backbone': 'BACKBONES', 'tasks': 'TASK_HEADS', 'measure': 'ERROR_MEASURES',
    'measures': 'ERROR_MEASURES', 'extra_measures': 'ERROR_MEASURES',
    'normalizer': 'SCORE_NORMALIZERS', 'normalizers': 'SCORE_NORMALIZERS',
    'compare_normalizers': 'SCORE_NORMALIZERS', 'layout': 'DATASET_LAYOUTS',
    'pipeline': 'TRANSFORMS', 'decode_pipeline': 'TRANSFORMS', 'transforms': 'TRANSFORMS',
    'data_preprocessor': 'MODELS', 'dataset': 'DATASETS', 'sampler': 'DATA_SAMPLERS',
    'batch_sampler': 'DATA_SAMPLERS', 'optimizer': 'OPTIMIZERS', 'metrics': 'METRICS',
    'vis_backends': 'VISBACKENDS',
}
#: Arguments holding configs of other libraries' builders (mmcv layers, weight init).
_OPAQUE = {'init_cfg', 'norm_cfg', 'act_cfg', 'conv_cfg', 'deconv_cfg', 'dist_cfg', 'mp_cfg',
           'compile', 'paramwise_cfg', 'clip_grad'}


def registry_named(name: str):
    """One of vadkit's registries by its name in :mod:`vadkit.registry` (imported late:
    the registries import this package)."""
    from vadkit import registry
    return getattr(registry, name)


def lookup_type(registry, obj_type: str):
    """The class or function ``obj_type`` names in ``registry`` (or its parents); ``None``
    if none."""
    try:
        return registry.get(obj_type)
    except Exception:  # noqa: BLE001 - a malformed scope prefix and the like
        return None


def _is_config(value: Any) -> bool:
    return isinstance(value, dict) and 'type' in value


def check_component(cfg: Any, registry, path: str, injected: Iterable[str] = (),
                    extra: Iterable[str] = (), default_type: Any = None,
                    skip_values: Iterable[str] = ()) -> List[ConfigProblem]:
    """Problems of the component config ``cfg`` at ``path``, built from ``registry``
    (``default_type`` where the builder supplies one), and of the configs nested in it."""
    if not isinstance(cfg, dict):
        return [ConfigProblem(path, f'expected a config dict(type=...), got {cfg!r}')]
    obj_type = cfg.get('type', default_type)
    if obj_type is None:
        return [ConfigProblem(path, f"has no 'type'; name a class of vadkit's "
                              f"'{registry.name}' registry, e.g. type='...'")]
    if isinstance(obj_type, str):
        target = lookup_type(registry, obj_type)
        if target is None:
            return [ConfigProblem(f'{path}.type', unknown_type_message(obj_type, registry))]
        name = obj_type
    elif callable(obj_type):
        target, name = obj_type, getattr(obj_type, '__name__', str(obj_type))
    else:
        return [ConfigProblem(f'{path}.type', f'type={obj_type!r} is neither a registered '
                              'name nor a class')]
    problems = check_arguments(cfg, target, path, name, injected, extra, skip_values)
    for key, value in cfg.items():
        if key != 'type' and key not in _OPAQUE and key not in extra:
            problems += _nested_problems(value, key, f'{path}.{key}', registry)
    return problems


def _nested_problems(value: Any, key: str, path: str, parent) -> List[ConfigProblem]:
    """Configs inside an argument: one, a list of them, or a dict of them by name."""
    if _is_config(value):
        return _nested_component(value, key, path, parent)
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) if _is_config(v)
                for p in _nested_component(v, key, f'{path}[{i}]', parent)]
    if isinstance(value, dict) and value and all(_is_config(v) for v in value.values()):
        return [p for k, v in value.items()
                for p in _nested_component(v, key, f'{path}.{k}', parent)]
    return []


def _nested_component(cfg: dict, key: str, path: str, parent) -> List[ConfigProblem]:
    """Check ``cfg`` in the registry its argument names, else wherever its type is
    registered; an unknown type under an argument of no known registry is left alone."""
    if key in _NESTED_REGISTRIES:
        return check_component(cfg, registry_named(_NESTED_REGISTRIES[key]), path)
    obj_type = cfg['type']
    if not isinstance(obj_type, str):
        return check_component(cfg, parent, path)
    from vadkit import registry as vr
    candidates = [parent] + [getattr(vr, n) for n in sorted(set(_NESTED_REGISTRIES.values()))]
    for reg in candidates:
        if lookup_type(reg, obj_type) is not None:
            return check_component(cfg, reg, path)
    return []


def _plain_keys(cfg: Any, path: str, target, name: str) -> List[ConfigProblem]:
    """A dict of keyword arguments to ``target`` (no ``type``)."""
    if cfg is None:
        return []
    if not isinstance(cfg, dict):
        return [ConfigProblem(path, f'expected a dict, got {cfg!r}')]
    return check_arguments(cfg, target, path, name)


def _top_level_problems(cfg: dict) -> List[ConfigProblem]:
    """Keys the runner would ignore. Configs keep helper variables at the top level
    (``clip_len``, ``layout``, ``decode_pipeline``: mmengine's ``Config`` keeps every name
    but ``__dunder__`` ones), so an unknown key is an error only when it is a near miss of
    a key the runner reads (``trian_cfg``), an mmcv 1.x key, or a copy of a nested value
    that disagrees with it (``max_epochs = 5`` beside ``train_cfg.max_epochs = 60``).
    Names starting with ``_`` are always private helpers."""
    from mmengine.runner import Runner

    from .component_signature import accepted_arguments
    known = (set(accepted_arguments(Runner).params) - {'cfg'}) | _TOOL_KEYS
    problems = []
    runner_type = cfg.get('runner_type')
    if isinstance(runner_type, str):
        runners = registry_named('RUNNERS')
        runner = lookup_type(runners, runner_type)
        if runner is None:
            problems.append(ConfigProblem('runner_type',
                                          unknown_type_message(runner_type, runners)))
        else:  # a runner of its own may read more keys
            known |= set(accepted_arguments(runner).params) - {'cfg'}
    for key in cfg:
        if key in known or key.startswith('_'):
            continue
        if key in _LEGACY_KEYS:
            problems.append(ConfigProblem(key, f'{key!r} is an mmcv 1.x key that mmengine '
                                          f'ignores; use {_LEGACY_KEYS[key]}'))
            continue
        close = close_matches(key, known, cutoff=0.8)
        if close:
            problems.append(ConfigProblem(key, f'unknown top-level key {key!r} (ignored by '
                                          f'the runner); did you mean {close[0]!r}?'))
        elif key in _NESTED_HOMES:
            home, arg = _NESTED_HOMES[key]
            nested = cfg.get(home) if isinstance(cfg.get(home), dict) else {}
            if arg in nested and nested[arg] != cfg[key]:
                problems.append(ConfigProblem(key, f'top-level {key}={cfg[key]!r} is not '
                                              f'used: the run reads {home}.{arg}='
                                              f'{nested[arg]!r}; set {home}.{arg} instead'))
    return problems


def find_config_problems(cfg: dict, parts: Optional[Iterable[str]] = None) -> List[ConfigProblem]:
    """Every problem of ``cfg``; only the top-level entries ``parts`` when given (their
    checks need no other entry), everything the runner reads otherwise."""
    from .runner_config_checks import RUNNER_CHECKS, consistency_problems
    keys = list(RUNNER_CHECKS) if parts is None else list(parts)
    problems = _top_level_problems(cfg) if parts is None else []
    if 'model' in keys and cfg.get('model') is None:
        problems.append(ConfigProblem('model', "the config has no 'model'; set model=dict("
                                      "type='MultiTaskAutoEncoder', ...)"))
    for key in keys:
        if cfg.get(key) is not None:
            problems += RUNNER_CHECKS[key](cfg[key], key, cfg)
    if parts is None:
        problems += consistency_problems(cfg)
    return problems


def validate_config(cfg: dict, parts: Optional[Iterable[str]] = None,
                    source: Optional[str] = None) -> None:
    """Raise :class:`ConfigError` listing every problem of ``cfg`` (see
    :func:`find_config_problems`); return quietly if there is none."""
    problems = find_config_problems(cfg, parts)
    if problems:
        filename = getattr(cfg, 'filename', None)
        raise ConfigError(problems, source or (f'config {filename}' if filename
                                               else 'the config'))

