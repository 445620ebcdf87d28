"""Import a config's plugins with errors that name the plugin, the failing import and the fix.

Plugins (new backbones, task heads, clip samplers, error measures, ...) live outside
vadkit and register themselves into vadkit's registries when imported. A config lists them
the mmengine way::

    custom_imports = dict(imports=['plugins.memae'], allow_failed_imports=False)

mmengine's ``Config.fromfile`` imports them itself, but a failure then surfaces as a bare
``ImportError: Failed to import plugins.memae`` followed by a dump of ``sys.path``: it does
not say whether the plugin was not found, or was found and one of *its* imports failed, nor
where. :func:`import_plugins` does the same imports and says which. Load the config with
``Config.fromfile(path, import_custom_modules=False)`` and call it once the command-line
overrides are merged (so that ``--cfg-options custom_imports.imports=[...]`` works too).

vadkit never imports a plugin by name: the only link from a run to a plugin is the
config's ``custom_imports``.
"""
import difflib
import importlib
import os
import os.path as osp
import pkgutil
import sys
import traceback
import warnings
from types import ModuleType
from typing import Any, List, Optional, Sequence, Tuple

from mmengine.logging import print_log

from .errors import VadkitError

__all__ = ['PluginImportError', 'import_plugins', 'parse_custom_imports', 'plugin_modules']


class PluginImportError(VadkitError, ImportError):
    """A module listed in a config's ``custom_imports`` could not be imported."""


def parse_custom_imports(spec: Any, source: str = 'the config') -> Tuple[List[str], bool]:
    """``custom_imports`` -> (module names, allow_failed_imports), validated.

    Accepts mmengine's form ``dict(imports=[...], allow_failed_imports=False)``, where
    ``imports`` may also be a single string.
    """
    if not isinstance(spec, dict) or 'imports' not in spec:
        raise TypeError(f"{source}: custom_imports must be dict(imports=['plugins.<name>'], "
                        f'allow_failed_imports=False), got {spec!r}')
    unknown = sorted(set(spec) - {'imports', 'allow_failed_imports'})
    if unknown:
        raise TypeError(f'{source}: custom_imports has unknown keys {unknown}; it takes '
                        "'imports' and 'allow_failed_imports'")
    imports = spec['imports']
    if isinstance(imports, str):
        imports = [imports]
    if not isinstance(imports, (list, tuple)) or not all(
            isinstance(m, str) and m for m in imports):
        raise TypeError(f'{source}: custom_imports.imports must be a list of module names '
                        f"such as ['plugins.memae'], got {imports!r}")
    return list(imports), bool(spec.get('allow_failed_imports', False))


def _on_sys_path(folder: str) -> bool:
    entries = {osp.realpath(e or os.getcwd()) for e in sys.path}
    return osp.realpath(folder) in entries


def _folders_holding(rel: str, config_file: Optional[str]) -> List[str]:
    """Folders on sys.path, or holding the config file or above it, that contain ``rel``
    (a module path such as ``plugins/memae``) as a package or a module."""
    candidates = [e or os.getcwd() for e in sys.path]
    if config_file:
        folder = osp.dirname(osp.abspath(config_file))
        while True:
            candidates.append(folder)
            parent = osp.dirname(folder)
            if parent == folder:
                break
            folder = parent
    found = []
    for folder in candidates:
        if (osp.isdir(osp.join(folder, rel)) or osp.isfile(osp.join(folder, rel + '.py'))) \
                and osp.realpath(folder) not in map(osp.realpath, found):
            found.append(folder)
    return found


def _not_found_hint(module: str, missing: str, config_file: Optional[str]) -> str:
    """Why ``missing`` (``module`` or one of its parent packages) was not found."""
    parent, _, last = missing.rpartition('.')
    if parent and parent in sys.modules:
        # The parent package imported, from somewhere that lacks the plugin.
        where = list(getattr(sys.modules[parent], '__path__', [])) or ['?']
        hint = f" '{parent}' is the package in {', '.join(where)}, which has no '{last}'"
        have = sorted(m.name for m in pkgutil.iter_modules(where) if not m.name.startswith('_'))
        close = difflib.get_close_matches(last, have, n=3, cutoff=0.6)
        hint += (f" (did you mean {', '.join(close)}?)." if close else
                 f" (it has {', '.join(have)})." if have else '.')
        rel = missing.replace('.', os.sep)
        elsewhere = [f for f in _folders_holding(rel, config_file)
                     if not any(osp.realpath(osp.join(f, parent.replace('.', os.sep)))
                                == osp.realpath(w) for w in where)]
        if elsewhere:
            hint += (f" There is a '{rel}' in {elsewhere[0]}, but its '{parent}' is "
                     f"shadowed by the one above (a package name is imported once): move "
                     f"the plugin into {where[0]}, or give its top-level package another "
                     'name.')
        return hint
    top = module.split('.')[0]
    for folder in _folders_holding(top, config_file):
        if not _on_sys_path(folder):
            return (f" '{top}' is in {folder}, which is not on sys.path: run from that "
                    'folder (tools/train.py and tools/test.py add the vadkit repository '
                    f'root themselves) or `export PYTHONPATH={folder}`.')
    return (f" Put the folder that holds '{top}' on sys.path: run from it (tools/train.py "
            'and tools/test.py add the vadkit repository root, which holds plugins/) or '
            "`export PYTHONPATH=<that folder>`.")


def _where(exc: BaseException) -> str:
    """The innermost source line of the failure, as ``file:line``."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f'{exc.filename}:{exc.lineno}'
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith('<frozen')]
    return f'{frames[-1].filename}:{frames[-1].lineno}' if frames else 'unknown location'


def _explain(module: str, exc: BaseException, source: str, config_file: Optional[str]) -> str:
    head = f"{source}: plugin '{module}' (custom_imports)"
    missing = getattr(exc, 'name', None) if isinstance(exc, ModuleNotFoundError) else None
    if missing and (module == missing or module.startswith(missing + '.')):
        return (f"{head} was not found: no module named '{missing}' on sys.path."
                + _not_found_hint(module, missing, config_file))
    where = _where(exc)
    if missing and missing.startswith(module + '.'):
        return (f"{head} was found but failed to import: it imports its own module "
                f"'{missing}', which does not exist ({where}). Fix the module name.")
    if missing:
        return (f"{head} was found but failed to import: it imports '{missing}', which is "
                f'not installed or not on sys.path ({where}). Install that package, or fix '
                'the import in the plugin.')
    if isinstance(exc, ImportError):
        return (f'{head} was found but failed to import: {exc} ({where}). Fix that import in '
                'the plugin (a renamed or moved name?).')
    message = (f'{head} was found but raised {type(exc).__name__}: {exc} while being '
               f'imported ({where}). Fix the plugin.')
    if isinstance(exc, KeyError) and 'already registered' in str(exc):
        message += (' Two classes are registered under one name in one registry: rename the '
                    "plugin's class (registry names are global).")
    return message


def import_plugins(cfg: Any, source: Optional[str] = None) -> List[ModuleType]:
    """Import every module of ``cfg.custom_imports``, explaining any failure.

    Args:
        cfg: An mmengine ``Config`` (or a dict) that may hold ``custom_imports``.
        source: What to call the config in messages; defaults to its file name.

    Returns:
        The imported modules (failed ones left out when ``allow_failed_imports``).

    Raises:
        PluginImportError: A module failed to import and ``allow_failed_imports`` is
            false. The message says whether the plugin itself was not found (and where its
            package might be) or which import inside it failed (file and line); the
            original exception is chained.

    ``custom_imports`` is left in the config: after ``Config.fromfile(...,
    import_custom_modules=False)`` nothing in mmengine imports it again, and the copy of the
    config the runner saves in the work dir must still list the plugins so that
    ``tools/test.py <work_dir>/<config>.py`` can rebuild the model.
    """
    spec = cfg.get('custom_imports') if hasattr(cfg, 'get') else None
    if not spec:
        return []
    config_file = getattr(cfg, 'filename', None)
    source = source or (f'config {config_file}' if config_file else 'the config')
    names, allow_failed = parse_custom_imports(spec, source)
    modules = []
    for name in names:
        try:
            module = importlib.import_module(name)
            cause = None
            if getattr(module, '__file__', None) is None:  # a folder without __init__.py
                message = (f"{source}: plugin '{name}' (custom_imports) is the folder "
                           f"{', '.join(getattr(module, '__path__', []))} without an "
                           '__init__.py (a namespace package): importing it runs none of its '
                           'modules, so it registers nothing. Add an __init__.py that '
                           'imports the modules that register classes.')
            else:
                message = None
        except Exception as exc:  # noqa: BLE001  (any error while importing a plugin)
            message, cause = _explain(name, exc, source, config_file), exc
        if message is None:
            modules.append(module)
            print_log(f"plugin '{name}' loaded from {module.__file__}", logger='current')
        elif allow_failed:
            warnings.warn(message + ' Skipped (allow_failed_imports=True).', UserWarning,
                          stacklevel=2)
        else:
            raise PluginImportError(message, name=name) from cause
    return modules


def plugin_modules(cfg: Any) -> Sequence[str]:
    """The module names a config lists in ``custom_imports`` (empty if none)."""
    spec = cfg.get('custom_imports') if hasattr(cfg, 'get') else None
    return parse_custom_imports(spec)[0] if spec else []
