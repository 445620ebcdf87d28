"""The core never imports a plugin: no import of `plugins` in vadkit/, none loaded by
importing vadkit, and `plugins` is the repository root's package."""
import ast
import os
import os.path as osp
import sys
from glob import glob

from forked_tool import run_forked

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:  # `plugins` is imported from the repository root, as tools do
    sys.path.insert(0, REPO)

import plugins.arrow_of_time  # noqa: F401
import plugins.gradient_error  # noqa: F401
import plugins.memae  # noqa: F401
from vadkit.utils import register_all_modules

register_all_modules()


# ---------------------------------------------------------------------------------------
# The core stays independent of plugins
# ---------------------------------------------------------------------------------------
def _imported_modules(tree: ast.AST):
    """Top-level module names imported by a module (absolute imports and import_module)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and getattr(node.func, 'attr', getattr(node.func, 'id', None))
              in ('import_module', '__import__')):
            yield node.args[0].value


def test_core_never_imports_plugins():
    offenders = []
    for path in glob(osp.join(REPO, 'vadkit', '**', '*.py'), recursive=True):
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for name in _imported_modules(tree):
            if name == 'plugins' or name.startswith('plugins.'):
                offenders.append(f'{osp.relpath(path, REPO)} imports {name}')
    assert not offenders, offenders


def test_import_scan_sees_every_form_of_import():
    code = ('import plugins\nfrom plugins.memae import X\nimport importlib\n'
            "importlib.import_module('plugins.y')\nfrom . import plugins\n")
    assert list(_imported_modules(ast.parse(code))) == [
        'plugins', 'plugins.memae', 'importlib', 'plugins.y']


def test_importing_vadkit_loads_no_plugin():
    code = ('import sys; from vadkit.utils import register_all_modules; '
            'register_all_modules(); import vadkit.utils.plugins; '
            "print([m for m in sys.modules if m == 'plugins' or m.startswith('plugins.')])")
    # a process of its own (forked before anything of vadkit was imported)
    out = run_forked(['-c', code], dict(os.environ, PYTHONPATH=REPO), REPO, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == '[]'


def test_plugins_is_a_package_of_the_repo_root():
    import plugins
    assert osp.dirname(plugins.__file__) == osp.join(REPO, 'plugins')
    for name in ('memae', 'gradient_error', 'arrow_of_time'):
        assert osp.isfile(osp.join(REPO, 'plugins', name, '__init__.py'))
    assert osp.isfile(osp.join(REPO, 'plugins', 'README.md'))


