"""What arguments a registered class or function accepts, and the check of one component
config against them (unknown keys, missing required ones, values of the wrong type or out
of range), so that a config typo is reported before anything is built rather than as a
``TypeError`` from deep inside a build.
"""
import ast
import collections.abc as cabc
import difflib
import functools
import inspect
import textwrap
import types
import typing
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from torch import nn

_EMPTY = inspect.Parameter.empty


@dataclass(frozen=True)
class ConfigProblem:
    """One mistake in a config: where (dotted path), what is wrong and the fix."""
    path: str
    message: str

    def __str__(self) -> str:
        return f'{self.path}: {self.message}' if self.path else self.message


@dataclass(frozen=True)
class Accepted:
    """The keyword arguments a component takes (the first definition along the MRO wins),
    their annotations, and whether ``**kwargs`` goes somewhere that takes any key."""
    params: Dict[str, inspect.Parameter]
    hints: Dict[str, Any]
    open: bool


def _super_call(init: Callable, varkw: str) -> Optional[ast.Call]:
    """The ``super().__init__(...)`` call of ``init`` that passes ``**<varkw>`` on."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
    except (OSError, TypeError, SyntaxError):
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == '__init__' and isinstance(node.func.value, ast.Call)
                and isinstance(node.func.value.func, ast.Name)
                and node.func.value.func.id == 'super'
                and any(k.arg is None and isinstance(k.value, ast.Name) and k.value.id == varkw
                        for k in node.keywords)):
            return node
    return None


def _hints(func: Callable) -> Dict[str, Any]:
    try:
        return typing.get_type_hints(func)
    except Exception:  # noqa: BLE001 - one unresolvable name: resolve the others one by one
        pass
    hints = {}
    namespace = getattr(func, '__globals__', {})
    for name, p in inspect.signature(func).parameters.items():
        ann = p.annotation
        if isinstance(ann, str):
            try:
                ann = eval(ann, namespace)  # noqa: S307 - the library's own annotation
            except Exception:  # noqa: BLE001
                continue
        if ann is not _EMPTY:
            hints[name] = ann
    return hints


@functools.lru_cache(maxsize=None)
def accepted_arguments(target: Callable) -> Accepted:
    """The arguments ``target`` (a class or a function) accepts by keyword. For a class
    whose ``__init__`` hands ``**kwargs`` to ``super().__init__``, the base classes'
    arguments count too; ``**kwargs`` used any other way accepts any key."""
    params: Dict[str, inspect.Parameter] = {}
    hints: Dict[str, Any] = {}
    positional_given = 0  # leading arguments of the next __init__ its subclass fills
    inits = ([vars(k)['__init__'] for k in target.__mro__ if '__init__' in vars(k)]
             if inspect.isclass(target) else [target])
    for klass_init in inits:
        if klass_init in (object.__init__, nn.Module.__init__):  # take no more keys
            return Accepted(params, hints, open=False)
        try:
            sig = inspect.signature(klass_init)
        except (TypeError, ValueError):  # a builtin without a signature
            return Accepted(params, hints, open=True)
        own_hints = _hints(klass_init)
        varkw = None
        own = list(sig.parameters.values())
        if inspect.isclass(target) and own and own[0].name in ('self', 'cls'):
            own = own[1:]
        for i, p in enumerate(own):
            if p.kind == p.VAR_KEYWORD:
                varkw = p.name
            elif p.kind not in (p.VAR_POSITIONAL, p.POSITIONAL_ONLY) and p.name not in params \
                    and i >= positional_given:
                params[p.name] = p
                if p.name in own_hints:
                    hints[p.name] = own_hints[p.name]
        if varkw is None:
            return Accepted(params, hints, open=False)
        call = _super_call(klass_init, varkw) if inspect.isclass(target) else None
        if call is None:
            return Accepted(params, hints, open=True)
        positional_given = sum(not isinstance(a, ast.Starred) for a in call.args)
    return Accepted(params, hints, open=False)


# --- values --------------------------------------------------------------------------------

_SCALARS = (str, int, float, bool, type(None))
_UNIONS = (typing.Union, types.UnionType)


def _matches(value: Any, ann: Any) -> Optional[bool]:
    """Whether ``value`` fits annotation ``ann``; ``None`` where a basic check cannot tell."""
    if ann is _EMPTY or ann is Any or isinstance(ann, (str, typing.TypeVar)):
        return None
    if ann is None or ann is type(None):
        return value is None
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if origin in _UNIONS:
        results = [_matches(value, a) for a in args]
        return True if True in results else (None if None in results else False)
    if ann is bool:
        return isinstance(value, bool) or (type(value) is int and value in (0, 1))
    if ann is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if ann is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if ann is str:
        return isinstance(value, str)
    if origin is typing.Literal:
        return value in args
    if isinstance(ann, type) and origin is None and isinstance(value, _SCALARS) \
            and ann not in (list, tuple, dict):
        return isinstance(value, ann)  # e.g. a string where a Tensor or a Module goes
    base = origin or ann
    if base in (list, tuple, cabc.Sequence, cabc.MutableSequence):
        if not isinstance(value, (list, tuple)):
            return False
        if len(args) == 1 and base is not tuple:
            results = [_matches(v, args[0]) for v in value]
            return False if False in results else None
        return True
    if base in (dict, cabc.Mapping, cabc.MutableMapping):
        return isinstance(value, dict)
    return None


def describe(ann: Any) -> str:
    """An annotation in words: ``Optional[int]`` -> 'an integer or None'."""
    if ann is None or ann is type(None):
        return 'None'
    if typing.get_origin(ann) in _UNIONS:
        return ' or '.join(dict.fromkeys(describe(a) for a in typing.get_args(ann)))
    names = {bool: 'True or False', int: 'an integer', float: 'a number', str: 'a string',
             dict: 'a dict'}
    if ann in names:
        return names[ann]
    base = typing.get_origin(ann) or ann
    if base in (list, tuple, cabc.Sequence, cabc.MutableSequence):
        args = typing.get_args(ann)
        inner = f' of {describe(args[0])}s' if len(args) == 1 else ''
        return 'a list or tuple' + inner.replace('an ', '').replace('a ', '')
    if base in (cabc.Mapping, cabc.MutableMapping):
        return 'a dict'
    return getattr(ann, '__name__', str(ann))


def _at_least(low: float, strict: bool = False) -> Callable[[Any], bool]:
    return (lambda v: v > low) if strict else (lambda v: v >= low)


#: Ranges of numeric arguments, whatever component takes them: name -> (test, in words).
VALUE_RANGES: Dict[str, Tuple[Callable[[Any], bool], str]] = {
    'max_epochs': (_at_least(1), '>= 1'),
    'max_iters': (_at_least(1), '>= 1'),
    'val_begin': (_at_least(1), '>= 1'),
    'lr': (_at_least(0, strict=True), '> 0'),
    'weight_decay': (_at_least(0), '>= 0'),
    'momentum': (_at_least(0), '>= 0'),
    'batch_size': (_at_least(1), '>= 1'),
    'num_workers': (_at_least(0), '>= 0'),
    'prefetch_factor': (_at_least(1), '>= 1'),
    'clip_len': (_at_least(1), '>= 1'),
    'window_length': (_at_least(2), '>= 2'),
    'window_stride': (_at_least(1), '>= 1'),
    'loss_weight': (_at_least(0), '>= 0'),
}
_NOTHING_TO_TRAIN = ('trains nothing (no checkpoint is saved and the run exits as if it had '
                     'succeeded); set it to {} or more. To evaluate a checkpoint without '
                     'training, run tools/test.py')


def value_problem(name: str, value: Any, ann: Any = _EMPTY) -> Optional[str]:
    """What is wrong with ``name=value``, or ``None``."""
    if _matches(value, ann) is False:
        return (f'{name}={value!r} ({type(value).__name__}) should be {describe(ann)}')
    rule = VALUE_RANGES.get(name)
    if rule and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and not rule[0](value):
        if name in ('max_epochs', 'max_iters') and value == 0:
            return f'{name}=0 ' + _NOTHING_TO_TRAIN.format(1)
        return f'{name}={value!r} is out of range: it must be {rule[1]}'
    return None


def close_matches(word: str, choices: Iterable[str], cutoff: float = 0.6) -> List[str]:
    return difflib.get_close_matches(word, list(choices), n=3, cutoff=cutoff)


def check_arguments(cfg: dict, target: Callable, path: str, name: str,
                    injected: Iterable[str] = (), extra: Iterable[str] = (),
                    skip_values: Iterable[str] = ()) -> List[ConfigProblem]:
    """Problems of the config ``cfg`` that builds ``target`` (called ``name`` in messages)
    at ``path``: unknown keys (with the close matches), required arguments missing (except
    the ``injected`` ones the builder passes), and values of the wrong type or out of
    range (except ``skip_values``, checked elsewhere). ``extra`` keys are taken by the
    builder itself. A class may name the arguments it no longer takes in
    ``REPLACED_ARGUMENTS`` (old key -> the replacement, ``{value}`` the value given)."""
    acc = accepted_arguments(target)
    injected, extra, skip = set(injected), set(extra), set(skip_values)
    replaced = getattr(target, 'REPLACED_ARGUMENTS', None) or {}
    problems, suggested = [], set()
    for key, value in cfg.items():
        if key in ('type', '_scope_') or key in extra:
            continue
        if key not in acc.params:
            if key in replaced:
                problems.append(ConfigProblem(
                    f'{path}.{key}', f'{name} no longer takes {key!r}; use '
                    f'{replaced[key].format(value=value)} instead'))
                continue
            if acc.open:
                continue
            choices = [p for p in acc.params if p not in injected] + sorted(extra)
            close = close_matches(key, choices)
            suggested.update(close)
            fix = (f"did you mean {' or '.join(repr(c) for c in close)}?" if close else
                   f"it takes {', '.join(choices) or 'no arguments'}.")
            problems.append(ConfigProblem(f'{path}.{key}',
                                          f'{name} has no argument {key!r}; {fix}'))
            continue
        if key in skip or (value is None and acc.params[key].default is None):
            continue  # a default of None takes None whatever the annotation says
        wrong = value_problem(key, value, acc.hints.get(key, _EMPTY))
        if wrong:
            problems.append(ConfigProblem(f'{path}.{key}', f'{name}: {wrong}'))
    for pname, p in acc.params.items():
        if p.default is _EMPTY and pname not in cfg and pname not in injected \
                and pname not in suggested:
            problems.append(ConfigProblem(
                f'{path}.{pname}', f'{name} needs {pname!r}, which the config does not set; '
                f'add {pname}=... to {path}'))
    return problems
