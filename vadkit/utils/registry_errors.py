"""Readable errors for unknown types in configs."""
import difflib
import inspect
import re
from typing import Any, Optional

from mmengine.registry import DefaultScope, Registry, build_from_cfg

from .errors import VadkitError


class UnknownTypeError(VadkitError, KeyError):
    """A config names a ``type`` that its registry does not hold."""

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0]) if self.args else ''


def _registered_names(registry: Registry) -> list:
    names = set()
    node: Optional[Registry] = registry
    while node is not None:
        node.import_from_location()
        names.update(node.module_dict.keys())
        node = node.parent
    return sorted(names)


def _root_build_func(registry: Registry):
    """The build function of the root registry (mmengine's runners, models and schedulers
    have their own); plain ``build_from_cfg`` for vadkit's standalone registries."""
    node = registry
    while node.parent is not None:
        node = node.parent
    return build_from_cfg if node is registry else node.build_func


def unknown_type_message(obj_type: str, registry: Registry) -> str:
    """Why ``obj_type`` cannot be built from ``registry``: the close matches and the fix."""
    names = _registered_names(registry)
    close = difflib.get_close_matches(obj_type, names, n=5, cutoff=0.5)
    hint = (f'Did you mean: {", ".join(close)}?' if close else
            f'Registered types: {", ".join(names)}.')
    return (f"type '{obj_type}' is not in vadkit's '{registry.name}' registry. {hint} "
            "If it comes from a plugin, list the plugin's module in the config's "
            "custom_imports = dict(imports=[...]).")


def build_with_suggestions(cfg: Any, registry: Registry, *args, **kwargs):
    """Build ``cfg`` from ``registry``; an unknown type names the registry and the close
    matches instead of mmengine's bare ``KeyError``.

    Building from one of vadkit's registries makes ``vadkit`` the default scope when no scope
    is set yet, so that what the built object builds in turn through mmengine's root
    registries (a dataset's transforms, a runner's hooks) finds vadkit's classes from a bare
    ``import vadkit``, without ``register_all_modules()``.
    """
    if DefaultScope.get_current_instance() is None:
        from .setup_env import register_all_modules
        register_all_modules(init_default_scope=True)
    obj_type = cfg.get('type') if isinstance(cfg, dict) else None
    if isinstance(obj_type, str) and registry.get(obj_type) is None:
        raise UnknownTypeError(unknown_type_message(obj_type, registry))
    try:
        return _root_build_func(registry)(cfg, registry, *args, **kwargs)
    except TypeError as e:
        raise _explain_bad_argument(e, cfg, registry) from None


_UNEXPECTED = re.compile(r"unexpected keyword argument '([^']+)'")


def _explain_bad_argument(error: TypeError, cfg: Any, registry: Registry) -> TypeError:
    """Name the accepted arguments of the class when a config passes an unknown one."""
    match = _UNEXPECTED.search(str(error))
    obj_type = cfg.get('type') if isinstance(cfg, dict) else None
    cls = registry.get(obj_type) if isinstance(obj_type, str) else None
    if match is None or cls is None or not inspect.isclass(cls):
        return error
    # a nested build may have failed: only explain the argument if this class lacks it
    params: list = []
    for klass in cls.__mro__:  # heads pass **kwargs on to their base class
        if '__init__' in vars(klass):
            for p in inspect.signature(klass.__init__).parameters.values():
                if p.name != 'self' and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) \
                        and p.name not in params:
                    params.append(p.name)
    bad = match.group(1)
    if bad in params or bad not in cfg:
        return error
    replaced = getattr(cls, 'REPLACED_ARGUMENTS', None) or {}
    if bad in replaced:
        return TypeError(f"config of '{obj_type}' ({registry.name} registry): '{bad}' is no "
                         f"longer an argument; use {replaced[bad].format(value=cfg[bad])} "
                         'instead')
    close = difflib.get_close_matches(bad, params, n=3, cutoff=0.5)
    hint = f'Did you mean: {", ".join(close)}? ' if close else ''
    return TypeError(f"config of '{obj_type}' ({registry.name} registry) has an unknown key "
                     f"'{bad}'. {hint}Accepted keys: {', '.join(params)}.")
