"""Known user errors: one line and exit 2; the traceback only with --debug."""
import os
import subprocess
import sys

import pytest

from vadkit.utils.errors import USER_ERROR_EXIT, VadkitError, run_cli

DEMO = 'configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py'


def _raise_user_error():
    raise VadkitError('dataset root /nowhere does not exist: pass --data-root')


def test_user_error_is_one_line_and_exit_2(capsys, monkeypatch):
    monkeypatch.setattr(sys, 'argv', ['train.py'])
    monkeypatch.setenv('VADKIT_DEBUG', '0')  # restored after the test
    with pytest.raises(SystemExit) as e:
        run_cli(_raise_user_error)
    assert e.value.code == USER_ERROR_EXIT == 2
    err = capsys.readouterr().err
    assert 'train.py: error: dataset root /nowhere does not exist: pass --data-root' in err
    assert 'Traceback' not in err and '--debug' in err


def test_debug_flag_shows_the_traceback(capsys, monkeypatch):
    monkeypatch.setattr(sys, 'argv', ['train.py', '--debug'])
    monkeypatch.setenv('VADKIT_DEBUG', '0')  # restored after the test
    with pytest.raises(SystemExit) as e:
        run_cli(_raise_user_error)
    assert e.value.code == 2
    assert 'Traceback' in capsys.readouterr().err
    assert '--debug' not in sys.argv  # the tool's own parser never sees it


def test_a_bug_keeps_its_traceback(monkeypatch):
    monkeypatch.setattr(sys, 'argv', ['train.py'])

    def buggy():
        raise ZeroDivisionError('a bug')

    with pytest.raises(ZeroDivisionError):
        run_cli(buggy)


def test_success_exits_0(monkeypatch):
    monkeypatch.setattr(sys, 'argv', ['train.py'])
    with pytest.raises(SystemExit) as e:
        run_cli(lambda: None)
    assert e.value.code == 0


def test_tools_report_a_dataset_error_without_a_traceback(tmp_path):
    """A DatasetError raised deep inside the runner's dataset build reaches the user as one
    line (it used to come after a 50-line traceback)."""
    empty = tmp_path / 'empty_root'
    empty.mkdir()
    out = subprocess.run([sys.executable, 'tools/train.py',
                          'configs/luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py',
                          '--data-root', str(empty), '--work-dir', str(tmp_path / 'w')],
                         capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != 'VADKIT_DEBUG'})
    assert out.returncode == 2, out.stderr[-2000:]
    assert 'train.py: error:' in out.stderr and 'Traceback' not in out.stderr
