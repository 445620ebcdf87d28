"""Configs by name and the scripts of the ``vadkit`` command, in a checkout and installed."""
import os.path as osp
import subprocess
import sys

import pytest

from vadkit.utils import config_paths
from vadkit.utils.config_paths import ConfigNotFoundError, find_config
from vadkit.utils.errors import VadkitError

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(ROOT, 'configs', 'demo', 'luss-ae_3dcae-w8_8x64x64_synthetic.py')


def test_a_config_is_found_by_name_with_or_without_py(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # from any folder
    assert find_config('luss-ae_3dcae-w8_8x64x64_synthetic') == DEMO
    assert find_config('luss-ae_3dcae-w8_8x64x64_synthetic.py') == DEMO


def test_plugin_configs_are_found_by_name_in_a_checkout():
    path = find_config('luss-ae-gde_3dcae-w8_8x64x64_synthetic')
    assert path.startswith(osp.join(ROOT, 'plugins'))


def test_an_existing_file_is_returned_as_given(tmp_path):
    cfg = tmp_path / 'mine.py'
    cfg.write_text('x = 1\n')
    assert find_config(str(cfg)) == str(cfg)


def test_a_misspelt_name_is_a_user_error_with_close_matches():
    with pytest.raises(ConfigNotFoundError) as e:
        find_config('luss-ae_3dcae-w8_8x64x64_synthtic')
    assert isinstance(e.value, VadkitError)
    assert 'Did you mean: luss-ae_3dcae-w8_8x64x64_synthetic' in str(e.value)


def test_a_missing_path_is_not_replaced_by_a_config_of_the_same_name():
    with pytest.raises(ConfigNotFoundError, match='does not exist'):
        find_config('somewhere/else/luss-ae_3dcae-w8_8x64x64_synthetic.py')


def test_base_configs_are_not_offered_by_name():
    assert not any('_base_' in p for p in config_paths.shipped_configs())


def test_an_installed_package_uses_its_shipped_copies(tmp_path, monkeypatch):
    # outside a checkout, configs and tools come from the package's .mim folder
    monkeypatch.setattr(config_paths, 'REPO_DIR', str(tmp_path))
    monkeypatch.setattr(config_paths, 'MIM_DIR', str(tmp_path / 'vadkit' / '.mim'))
    (tmp_path / 'vadkit' / '.mim' / 'configs' / 'demo').mkdir(parents=True)
    shipped = tmp_path / 'vadkit' / '.mim' / 'configs' / 'demo' / 'shipped_cfg.py'
    shipped.write_text('x = 1\n')
    assert config_paths.shipped_dir('tools') == str(tmp_path / 'vadkit' / '.mim' / 'tools')
    assert find_config('shipped_cfg') == str(shipped)


def test_the_vadkit_command_reports_a_misspelt_config_name_in_one_line(tmp_path):
    out = subprocess.run([sys.executable, '-m', 'vadkit.cli', 'train', 'no_such_config_x'],
                         cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 2, out.stderr
    assert "config 'no_such_config_x' does not exist" in out.stderr
    assert 'Traceback' not in out.stderr
