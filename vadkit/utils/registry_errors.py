"""Readable errors for unknown types in configs."""
import difflib
from typing import Any, Optional

from mmengine.registry import Registry, build_from_cfg


class UnknownTypeError(KeyError):
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


def build_with_suggestions(cfg: Any, registry: Registry, *args, **kwargs):
    """Build ``cfg`` from ``registry``; an unknown type names the registry and the close
    matches instead of mmengine's bare ``KeyError``."""
    obj_type = cfg.get('type') if isinstance(cfg, dict) else None
    if isinstance(obj_type, str) and registry.get(obj_type) is None:
        names = _registered_names(registry)
        close = difflib.get_close_matches(obj_type, names, n=5, cutoff=0.5)
        hint = (f'Did you mean: {", ".join(close)}?' if close else
                f'Registered types: {", ".join(names)}.')
        raise UnknownTypeError(
            f"type '{obj_type}' is not in vadkit's '{registry.name}' registry. {hint} "
            "If it comes from a plugin, list the plugin's module in the config's "
            "custom_imports = dict(imports=[...]).")
    return _root_build_func(registry)(cfg, registry, *args, **kwargs)
