"""Known user errors: one line and exit 2; the traceback only with --debug."""
import os.path as osp
import sys

import pytest

from vadkit.utils.errors import USER_ERROR_EXIT, VadkitError, run_cli

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PED2 = osp.join(REPO, 'configs', 'luss_ae', 'luss-ae_3dcae-w24_8x128x192_cpu_ped2.py')


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


def test_tools_report_a_dataset_error_without_a_traceback(tmp_path, vadkit_command,
                                                         monkeypatch):
    """A DatasetError raised deep inside the runner's dataset build reaches the user as one
    line naming the root (it used to come after a 50-line traceback)."""
    monkeypatch.delenv('VADKIT_DEBUG', raising=False)
    empty = tmp_path / 'empty_root'
    empty.mkdir()
    code, _, err = vadkit_command('train', PED2, '--data-root', empty, '--work-dir',
                                  tmp_path / 'w')
    assert code == 2, err[-2000:]
    assert 'train.py: error:' in err and str(empty) in err and 'Traceback' not in err
