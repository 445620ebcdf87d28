"""How mmengine's Runner builds each top-level entry of a config, as checks.

Each check mirrors what ``Runner`` does with the entry: the default ``type`` it supplies
(``EpochBasedTrainLoop`` / ``IterBasedTrainLoop`` from ``by_epoch``, ``TestLoop``,
``OptimWrapper``, ``Visualizer``, ...), the arguments it passes itself (a loop's ``runner``
and ``dataloader``, an optimizer's ``params``, a scheduler's ``optimizer``) and the keys it
takes out before building (``priority``, ``constructor``, ``convert_to_iter_based``, ...).
"""
import logging
from typing import Any, Callable, Dict, List, Optional

from .component_signature import ConfigProblem, accepted_arguments, check_arguments, close_matches
from .config_validation import check_component, lookup_type, registry_named
from .registry_errors import unknown_type_message

Check = Callable[[Any, str, dict], List[ConfigProblem]]


def _component(registry: str, **kwargs) -> Check:
    return lambda cfg, path, full: check_component(cfg, registry_named(registry), path, **kwargs)


def _each(check: Check) -> Check:
    """A check of one config applied to a config or a list of them."""
    def run(cfg: Any, path: str, full: dict) -> List[ConfigProblem]:
        if isinstance(cfg, (list, tuple)):
            return [p for i, c in enumerate(cfg) for p in check(c, f'{path}[{i}]', full)]
        return check(cfg, path, full)
    return run


def _function(cfg: Any, path: str, what: str) -> List[ConfigProblem]:
    """``collate_fn`` / ``worker_init_fn``: a FUNCTIONS name and its keyword arguments."""
    if callable(cfg) or cfg is None:
        return []
    if not isinstance(cfg, dict) or 'type' not in cfg:
        return [ConfigProblem(path, f"{what} must be dict(type='<function name>', ...), got "
                              f'{cfg!r}')]
    functions = registry_named('FUNCTIONS')
    fn = cfg['type'] if callable(cfg['type']) else lookup_type(functions, cfg['type'])
    if fn is None:
        return [ConfigProblem(f'{path}.type', unknown_type_message(cfg['type'], functions))]
    first = next(iter(accepted_arguments(fn).params), None)
    return check_arguments(cfg, fn, path, getattr(fn, '__name__', str(fn)),
                           injected=[first] if first else [])


_LOADER_PARTS = ('dataset', 'sampler', 'batch_sampler', 'collate_fn', 'worker_init_fn')


def _dataloader(cfg: Any, path: str, full: dict) -> List[ConfigProblem]:
    from torch.utils.data import DataLoader
    if not isinstance(cfg, dict):
        return [ConfigProblem(path, f'expected a dataloader dict, got {cfg!r}')]
    plain = {k: v for k, v in cfg.items() if k not in _LOADER_PARTS}
    problems = check_arguments(plain, DataLoader, path, 'the dataloader (torch DataLoader)',
                               injected=_LOADER_PARTS,
                               extra=('num_batch_per_epoch', 'disable_subprocess_warning'))
    for key, example in (('dataset', "dict(type='VideoWindowDataset', ...)"),
                         ('sampler', "dict(type='DefaultSampler', shuffle=True)")):
        if key not in cfg:
            problems.append(ConfigProblem(f'{path}.{key}', f'missing; set {key}={example}'))
    if 'dataset' in cfg:
        problems += check_component(cfg['dataset'], registry_named('DATASETS'),
                                    f'{path}.dataset')
    if isinstance(cfg.get('sampler'), dict):
        problems += check_component(cfg['sampler'], registry_named('DATA_SAMPLERS'),
                                    f'{path}.sampler', injected=('dataset', 'seed'))
    if isinstance(cfg.get('batch_sampler'), dict):
        problems += check_component(cfg['batch_sampler'], registry_named('DATA_SAMPLERS'),
                                    f'{path}.batch_sampler', injected=('sampler', 'batch_size'))
    for key in ('collate_fn', 'worker_init_fn'):
        if key in cfg:
            problems += _function(cfg[key], f'{path}.{key}', key)
    if cfg.get('persistent_workers') and cfg.get('num_workers', 0) == 0:
        problems.append(ConfigProblem(f'{path}.persistent_workers', 'persistent_workers=True '
                                      'needs num_workers > 0 (PyTorch refuses it); set '
                                      'persistent_workers=False or num_workers >= 1'))
    return problems


def _has_val_loop(full: dict) -> bool:
    return all(full.get(k) is not None for k in ('val_dataloader', 'val_cfg', 'val_evaluator'))


def _train_loop(cfg: Any, path: str, full: dict) -> List[ConfigProblem]:
    from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop
    if not isinstance(cfg, dict):
        return [ConfigProblem(path, f'expected a loop dict, got {cfg!r}')]
    problems, extra, default = [], (), None
    if 'type' in cfg and 'by_epoch' in cfg:
        problems.append(ConfigProblem(f'{path}.by_epoch', 'set either type=... or by_epoch=..., '
                                      'not both (mmengine refuses both)'))
        extra = ('by_epoch', )
    elif 'type' not in cfg:
        extra = ('by_epoch', )
        if 'by_epoch' not in cfg:
            problems.append(ConfigProblem(path, "needs type='EpochBasedTrainLoop' (or "
                                          'by_epoch=True; by_epoch=False for '
                                          'IterBasedTrainLoop)'))
        default = EpochBasedTrainLoop if cfg.get('by_epoch', True) else IterBasedTrainLoop
    problems += check_component(cfg, registry_named('LOOPS'), path,
                                injected=('runner', 'dataloader'), extra=extra,
                                default_type=default, skip_values=('val_interval', ))
    interval = cfg.get('val_interval')
    if interval is not None:
        if not isinstance(interval, int) or isinstance(interval, bool) or interval < 0:
            problems.append(ConfigProblem(f'{path}.val_interval', f'val_interval={interval!r} '
                                          'must be an integer >= 1 (or 0 without validation)'))
        elif interval == 0 and _has_val_loop(full):
            problems.append(ConfigProblem(f'{path}.val_interval', 'val_interval=0 with a '
                                          'validation loop divides by zero; set it >= 1, or '
                                          'val_cfg = val_dataloader = val_evaluator = None'))
    return problems


def _loop(default: str) -> Check:
    return _component('LOOPS', injected=('runner', 'dataloader', 'evaluator'),
                      default_type=default)


def _optim_wrapper(cfg: Any, path: str, full: dict) -> List[ConfigProblem]:
    if not isinstance(cfg, dict):
        return [ConfigProblem(path, f'expected dict(optimizer=dict(...)), got {cfg!r}')]
    default = 'DefaultOptimWrapperConstructor'
    constructor = cfg.get('constructor', default)
    constructors = registry_named('OPTIM_WRAPPER_CONSTRUCTORS')
    problems = []
    if isinstance(constructor, str) and lookup_type(constructors, constructor) is None:
        problems.append(ConfigProblem(f'{path}.constructor',
                                      unknown_type_message(constructor, constructors)))
    if constructor == default:
        if 'optimizer' not in cfg:
            problems.append(ConfigProblem(f'{path}.optimizer', "missing; set optimizer="
                                          "dict(type='Adam', lr=1e-4)"))
        problems += check_component(cfg, registry_named('OPTIM_WRAPPERS'), path,
                                    extra=('constructor', 'paramwise_cfg', 'optimizer'),
                                    default_type='OptimWrapper')
    if isinstance(cfg.get('optimizer'), dict):
        problems += check_component(cfg['optimizer'], registry_named('OPTIMIZERS'),
                                    f'{path}.optimizer', injected=('params', ))
    return problems


def _hook_dict(cfg: Any, path: str, full: dict) -> List[ConfigProblem]:
    if not isinstance(cfg, dict):
        return [ConfigProblem(path, f'expected dict(<name>=dict(type=...), ...), got {cfg!r}')]
    hooks = registry_named('HOOKS')
    return [p for name, hook in cfg.items() if hook is not None
            for p in check_component(hook, hooks, f'{path}.{name}', extra=('priority', ))]


def _model_score_names(model: Any) -> Optional[List[str]]:
    """The names the model's tasks may score under (each head's ``score_names_of``, e.g.
    ``<task>`` and ``<task>.<suffix>`` of its extra measures); ``None`` where a task cannot
    be told from the config."""
    tasks = model.get('tasks') if isinstance(model, dict) else None
    if not isinstance(tasks, (list, tuple)):
        return None
    heads, names = registry_named('TASK_HEADS'), []
    for task in tasks:
        head = lookup_type(heads, task['type']) if _is_named_config(task) else None
        if head is None:
            return None
        default = accepted_arguments(head).params.get('name')
        name = task.get('name', getattr(default, 'default', None))
        if not isinstance(name, str):
            return None
        score_names_of = getattr(head, 'score_names_of', None)
        if score_names_of is None:  # a head not derived from BaseTaskHead
            return None
        names += score_names_of(name, task)
    return names


def _is_named_config(cfg: Any) -> bool:
    return isinstance(cfg, dict) and isinstance(cfg.get('type'), str)


def _score_name_problems(metric: Any, path: str, full: dict) -> List[ConfigProblem]:
    """Weights and normalizers of scores the model does not produce (found only after
    the test otherwise)."""
    names = _model_score_names(full.get('model'))
    if names is None or not isinstance(metric, dict):
        return []
    problems = []
    for key in ('score_weights', 'normalizers'):
        for score in (metric.get(key) if isinstance(metric.get(key), dict) else ()):
            if score not in names:
                close = close_matches(score, names)
                hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ''
                problems.append(ConfigProblem(
                    f'{path}.{key}.{score}', f'the model scores no {score!r}; {hint}its '
                    f"tasks score {', '.join(names)}"))
    return problems


def _evaluator(cfg: Any, path: str, full: dict) -> List[ConfigProblem]:
    if isinstance(cfg, dict) and 'metrics' in cfg:
        metrics, problems = cfg['metrics'], check_component(
            cfg, registry_named('EVALUATOR'), path, default_type='Evaluator')
        path = f'{path}.metrics'
    elif isinstance(cfg, (dict, list, tuple)):
        metrics, problems = cfg, _each(_component('METRICS'))(cfg, path, full)
    else:
        return [ConfigProblem(path, f'expected a metric config or a list of them, got {cfg!r}')]
    return problems + _each(_score_name_problems)(metrics, path, full)


def _visualizer(cfg: Any, path: str, full: dict) -> List[ConfigProblem]:
    problems = check_component(cfg, registry_named('VISUALIZERS'), path, injected=('name', ),
                               extra=('vis_backends', ), default_type='Visualizer')
    backends = cfg.get('vis_backends') if isinstance(cfg, dict) else None
    if isinstance(backends, dict):
        backends = [backends]
    for i, backend in enumerate(backends or []):
        problems += check_component(backend, registry_named('VISBACKENDS'),
                                    f'{path}.vis_backends[{i}]', injected=('save_dir', ))
    return problems


def _env_cfg(cudnn_benchmark: bool = False, mp_cfg: Optional[dict] = None,
             dist_cfg: Optional[dict] = None, resource_limit: int = 4096) -> None:
    """The keys ``Runner.setup_env`` reads from ``env_cfg``."""


def _mp_cfg(mp_start_method: str = 'fork', opencv_num_threads: int = 0) -> None:
    """The keys ``mmengine``'s multi-processing setup reads from ``env_cfg.mp_cfg``."""


def _auto_scale_lr(enable: bool = False, base_batch_size: int = 16) -> None:
    """The keys ``Runner.scale_lr`` reads from ``auto_scale_lr``."""


def _keys_of(target: Callable, name: str, injected=()) -> Check:
    def run(cfg: Any, path: str, full: dict) -> List[ConfigProblem]:
        if not isinstance(cfg, dict):
            return [ConfigProblem(path, f'expected a dict, got {cfg!r}')]
        problems = check_arguments(cfg, target, path, name, injected=injected)
        if target is _env_cfg and isinstance(cfg.get('mp_cfg'), dict):
            problems += check_arguments(cfg['mp_cfg'], _mp_cfg, f'{path}.mp_cfg', 'mp_cfg')
        return problems
    return run


def _runner_value(cfg: Any, path: str, full: dict) -> List[ConfigProblem]:
    """A plain value passed to ``Runner.__init__`` (work_dir, resume, log_level, ...)."""
    from mmengine.runner import Runner

    from .component_signature import value_problem
    wrong = value_problem(path, cfg, accepted_arguments(Runner).hints.get(path, Any))
    if not wrong and path == 'log_level' and isinstance(cfg, str) \
            and not isinstance(logging.getLevelName(cfg.upper()), int):
        wrong = f"log_level={cfg!r} is not a logging level; use 'INFO', 'DEBUG', ..."
    return [ConfigProblem(path, wrong)] if wrong else []


def _randomness(cfg: Any, path: str, full: dict) -> List[ConfigProblem]:
    """The keys of the run's runner's ``set_randomness`` (vadkit's takes one more than
    mmengine's: ``fill_uninitialized_memory``)."""
    from vadkit.engine.runner import VadkitRunner
    runner_type = full.get('runner_type')
    runner = (lookup_type(registry_named('RUNNERS'), runner_type)
              if isinstance(runner_type, str) else None) or VadkitRunner
    return _keys_of(runner.set_randomness, 'randomness', injected=('self', ))(cfg, path, full)


#: Check of each top-level entry, by key.
RUNNER_CHECKS: Dict[str, Check] = {
    'model': _component('MODELS'),
    'data_preprocessor': _component('MODELS'),
    'train_dataloader': _dataloader,
    'val_dataloader': _dataloader,
    'test_dataloader': _dataloader,
    'train_cfg': _train_loop,
    'val_cfg': _loop('ValLoop'),
    'test_cfg': _loop('TestLoop'),
    'optim_wrapper': _optim_wrapper,
    'param_scheduler': _each(_component(
        'PARAM_SCHEDULERS', injected=('optimizer', 'epoch_length'),
        extra=('convert_to_iter_based', ))),
    'val_evaluator': _evaluator,
    'test_evaluator': _evaluator,
    'default_hooks': _hook_dict,
    'custom_hooks': _each(_component('HOOKS', extra=('priority', ))),
    'log_processor': _component('LOG_PROCESSORS', default_type='LogProcessor'),
    'visualizer': _visualizer,
    'model_wrapper_cfg': _component('MODEL_WRAPPERS', injected=('module', ),
                                    default_type='MMDistributedDataParallel'),
    'env_cfg': _keys_of(_env_cfg, 'env_cfg'),
    'randomness': _randomness,
    'auto_scale_lr': _keys_of(_auto_scale_lr, 'auto_scale_lr'),
    **dict.fromkeys(('work_dir', 'load_from', 'resume', 'launcher', 'log_level',
                     'default_scope', 'experiment_name'), _runner_value),
}

_TRIOS = (('train_dataloader', 'train_cfg', 'optim_wrapper'),
          ('val_dataloader', 'val_cfg', 'val_evaluator'),
          ('test_dataloader', 'test_cfg', 'test_evaluator'))


def consistency_problems(full: dict) -> List[ConfigProblem]:
    """mmengine needs the entries of each stage all set or all ``None``."""
    problems = []
    for trio in _TRIOS:
        unset = [k for k in trio if full.get(k) is None]
        if unset and len(unset) < len(trio):
            problems.append(ConfigProblem(unset[0], f"{', '.join(unset)} unset while "
                                          f"{', '.join(k for k in trio if k not in unset)} "
                                          'set: set all three, or none (None)'))
    return problems
