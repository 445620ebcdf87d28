"""The scripts of ``tools/`` as modules, for tests that call their ``main`` in-process."""
import importlib.util
import os.path as osp
from types import ModuleType

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def load_tool(name: str) -> ModuleType:
    """``tools/<name>.py`` (e.g. ``'analysis/rescore'``) loaded as a fresh module."""
    path = osp.join(REPO, 'tools', *name.split('/')) + '.py'
    spec = importlib.util.spec_from_file_location('tool_' + name.replace('/', '_'), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
