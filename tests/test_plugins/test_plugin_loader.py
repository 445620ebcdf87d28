"""The plugin loader: missing, failing, shadowed and misplaced plugins are named with the
fix; allowed failures warn; configs report plugin errors."""
import os.path as osp
import sys
import textwrap
import uuid
import warnings

import pytest
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:  # `plugins` is imported from the repository root, as tools do
    sys.path.insert(0, REPO)

import plugins.arrow_of_time  # noqa: F401
import plugins.gradient_error  # noqa: F401
import plugins.memae  # noqa: F401
from vadkit.utils import register_all_modules
from vadkit.utils.plugins import PluginImportError, import_plugins

register_all_modules()


# ---------------------------------------------------------------------------------------
# The plugin loader
# ---------------------------------------------------------------------------------------
def write_package(root, name, files):
    pkg = root / name
    pkg.mkdir(parents=True)
    for fname, text in files.items():
        (pkg / fname).write_text(textwrap.dedent(text))
    return pkg


def test_missing_plugin_is_named_with_a_fix():
    cfg = Config(dict(custom_imports=dict(imports=['plugins.does_not_exist'])))
    with pytest.raises(PluginImportError) as err:
        import_plugins(cfg, source='config x.py')
    msg = str(err.value)
    assert "'plugins.does_not_exist'" in msg and 'was not found' in msg and 'x.py' in msg
    assert isinstance(err.value.__cause__, ModuleNotFoundError)
    assert 'arrow_of_time, gradient_error, memae' in msg  # what the package does have
    with pytest.raises(PluginImportError, match='did you mean memae'):
        import_plugins(Config(dict(custom_imports=dict(imports=['plugins.memea']))))


def test_failing_import_inside_a_plugin_is_located(tmp_path, monkeypatch):
    name = f'broken_plugin_{uuid.uuid4().hex[:8]}'
    write_package(tmp_path, name, {
        '__init__.py': 'from .part import X\n',
        'part.py': 'import os\nimport surely_missing_dependency_xyz\nX = 1\n'})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginImportError) as err:
        import_plugins(Config(dict(custom_imports=dict(imports=[name]))))
    msg = str(err.value)
    assert f"plugin '{name}'" in msg and 'was found but failed to import' in msg
    assert "'surely_missing_dependency_xyz'" in msg
    assert f'{osp.join(str(tmp_path), name, "part.py")}:2' in msg


def test_plugin_raising_while_imported_is_reported(tmp_path, monkeypatch):
    name = f'raising_plugin_{uuid.uuid4().hex[:8]}'
    write_package(tmp_path, name, {'__init__.py': "x = 1\nraise RuntimeError('boom')\n"})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginImportError, match=rf"'{name}'.*RuntimeError: boom.*:2"):
        import_plugins(Config(dict(custom_imports=dict(imports=[name]))))


def test_plugin_folder_without_init_is_refused(tmp_path, monkeypatch):
    """A folder without __init__.py imports as an empty namespace package: it would
    register nothing and the config would fail later on an unknown type."""
    name = f'noinit_{uuid.uuid4().hex[:8]}'
    (tmp_path / name).mkdir()
    (tmp_path / name / 'measure.py').write_text('raise RuntimeError("never imported")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginImportError, match='without an __init__.py'):
        import_plugins(Config(dict(custom_imports=dict(imports=[name]))))


def test_missing_module_inside_a_plugin_is_named(tmp_path, monkeypatch):
    name = f'typo_plugin_{uuid.uuid4().hex[:8]}'
    write_package(tmp_path, name, {'__init__.py': 'from .heads import X\n'})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginImportError, match=rf"its own module '{name}.heads'"):
        import_plugins(Config(dict(custom_imports=dict(imports=[name]))))


def test_shadowed_plugins_package_is_explained(tmp_path, monkeypatch):
    """A second `plugins/` folder elsewhere loses to the repository's `plugins` package."""
    write_package(tmp_path / 'plugins', 'mine', {'__init__.py': ''})
    (tmp_path / 'plugins' / '__init__.py').write_text('')
    monkeypatch.syspath_prepend(str(tmp_path))  # after `plugins` was imported from REPO
    with pytest.raises(PluginImportError, match='shadowed'):
        import_plugins(Config(dict(custom_imports=dict(imports=['plugins.mine']))))


def test_plugin_beside_the_config_gets_a_pythonpath_hint(tmp_path):
    name = f'elsewhere_{uuid.uuid4().hex[:8]}'
    write_package(tmp_path, name, {'__init__.py': ''})
    (tmp_path / name / 'configs').mkdir()
    cfg_file = tmp_path / name / 'configs' / 'c.py'
    cfg_file.write_text(f"custom_imports = dict(imports=['{name}'])\n")
    cfg = Config.fromfile(str(cfg_file), import_custom_modules=False)
    with pytest.raises(PluginImportError, match=rf'PYTHONPATH={tmp_path}'):
        import_plugins(cfg)


def test_allowed_failures_warn_and_bad_specs_are_rejected():
    cfg = Config(dict(custom_imports=dict(imports=['plugins.nope', 'plugins.memae'],
                                          allow_failed_imports=True)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        modules = import_plugins(cfg)
    assert [m.__name__ for m in modules] == ['plugins.memae']
    assert any("'plugins.nope'" in str(w.message) for w in caught)
    assert import_plugins(Config(dict())) == []
    with pytest.raises(TypeError, match='custom_imports'):
        import_plugins(Config(dict(custom_imports=['plugins.memae'])))
    with pytest.raises(TypeError, match='list of module names'):
        import_plugins(Config(dict(custom_imports=dict(imports=[3]))))


def test_load_config_reports_plugin_errors(tmp_path):
    """Once load_config loads plugins through import_plugins (see vadkit/utils/plugins.py)."""
    import inspect

    from vadkit.utils import run_config
    if 'import_plugins' not in inspect.getsource(run_config):
        pytest.skip('vadkit/utils/run_config.py load_config does not call import_plugins yet')
    cfg_file = tmp_path / 'c.py'
    cfg_file.write_text("custom_imports = dict(imports=['plugins.does_not_exist'])\n")
    with pytest.raises(PluginImportError, match="'plugins.does_not_exist' .*was not found"):
        run_config.load_config(str(cfg_file))
