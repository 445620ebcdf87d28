"""Find configs and tool scripts in a source checkout or in an installed package.

OpenMMLab packages ship their ``configs/`` and ``tools/`` inside the package (``<pkg>/.mim``),
so that an installed package runs its configs by name from any folder. vadkit does the same:
``setup.py`` copies both into ``vadkit/.mim`` when it builds a wheel. A source checkout (an
editable install) uses the repository's folders directly, so edits there take effect at once.
"""
import difflib
import glob
import os
import os.path as osp
from typing import List

from .errors import VadkitError

PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
REPO_DIR = osp.dirname(PACKAGE_DIR)
MIM_DIR = osp.join(PACKAGE_DIR, '.mim')


class ConfigNotFoundError(VadkitError, FileNotFoundError):
    """A config path that does not exist and names no shipped config."""


def _in_source_checkout() -> bool:
    return osp.isfile(osp.join(REPO_DIR, 'setup.py')) and osp.isdir(
        osp.join(REPO_DIR, 'vadkit'))


def shipped_dir(name: str) -> str:
    """The folder ``name`` (``'configs'`` or ``'tools'``) of this vadkit: the checkout's in a
    source checkout, the package's ``.mim`` copy in an installed package."""
    if _in_source_checkout() and osp.isdir(osp.join(REPO_DIR, name)):
        return osp.join(REPO_DIR, name)
    return osp.join(MIM_DIR, name)


def config_search_roots() -> List[str]:
    """Folders searched for a config given by name: vadkit's configs, then plugins' configs."""
    roots = [shipped_dir('configs')]
    if _in_source_checkout():
        roots += sorted(glob.glob(osp.join(REPO_DIR, 'plugins', '*', 'configs')))
    return [r for r in roots if osp.isdir(r)]


def shipped_configs() -> List[str]:
    """Every config file that can be named without its path."""
    found = []
    for root in config_search_roots():
        for path in sorted(glob.glob(osp.join(root, '**', '*.py'), recursive=True)):
            if f'{os.sep}_base_{os.sep}' not in path:
                found.append(path)
    return found


def find_config(config: str) -> str:
    """``config`` itself if it is a file, otherwise the shipped config of that name (with or
    without ``.py``, e.g. ``luss-ae_3dcae-w8_8x64x64_synthetic``)."""
    if osp.isfile(config):
        return config
    name = osp.basename(config)
    name = name if name.endswith('.py') else f'{name}.py'
    candidates = shipped_configs()
    # only a bare name is looked up: a path that does not exist is an error, not a guess
    matches = [p for p in candidates if osp.basename(p) == name] if osp.dirname(
        config) == '' else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ConfigNotFoundError(
            f'config name {config!r} matches several configs: {", ".join(matches)}; pass the '
            'path of the one you mean')
    names = sorted({osp.splitext(osp.basename(p))[0] for p in candidates})
    close = difflib.get_close_matches(osp.splitext(name)[0], names, n=3, cutoff=0.6)
    hint = f' Did you mean: {", ".join(close)}?' if close else ''
    raise ConfigNotFoundError(
        f'config {config!r} does not exist (cwd: {os.getcwd()}), and no shipped config has '
        f'that name.{hint} Pass a config file, or the name of one of vadkit\'s configs '
        f'({len(names)} under {", ".join(config_search_roots())}).')
