"""Known user errors: one line and exit 2; the traceback only with --debug."""
import os
import os.path as osp
import sys

import pytest
from tiny_detector import TINY_SYNTHETIC_CONFIG

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


def test_a_missing_data_root_is_refused_before_synthetic_videos_are_made_there(
        tmp_path, vadkit_command, monkeypatch):
    """A mistyped --data-root (or data_root=) for a config on synthetic data used to become
    a fresh synthetic dataset at the typo, trained on without a word. Only the config's own
    root is generated on first use; an explicit root must exist (making it is the opt-in)."""
    monkeypatch.delenv('VADKIT_DEBUG', raising=False)
    typo = tmp_path / 'synthtic'
    for option in (['--data-root', typo], ['--cfg-options', f'data_root={typo}']):
        code, _, err = vadkit_command('train', TINY_SYNTHETIC_CONFIG, *option, '--work-dir',
                                      tmp_path / 'w')
        assert code == 2, err[-2000:]
        assert f"data root '{typo}' does not exist" in err and 'Traceback' not in err
        assert 'leave out --data-root' in err and f'mkdir -p {typo}' in err
        assert not typo.exists() and not (tmp_path / 'w').exists()  # refused before the run


def test_a_folder_of_other_files_is_never_replaced_by_synthetic_videos(tmp_path):
    """Synthetic videos replace their root whole: a root that holds anything but synthetic
    videos (another dataset given by mistake) is refused and left as it was."""
    from vadkit.datasets import DatasetError
    from vadkit.datasets.layouts import SyntheticLayout
    root = tmp_path / 'ped2'
    (root / 'testing').mkdir(parents=True)
    (root / 'testing' / 'keep.txt').write_text('mine')
    with pytest.raises(DatasetError, match='no synthetic videos'):
        SyntheticLayout(str(root), num_train=1, num_test=1, num_frames=10, size=16).load('train')
    assert os.listdir(root) == ['testing'] and os.listdir(root / 'testing') == ['keep.txt']
    empty = tmp_path / 'empty'
    empty.mkdir()
    SyntheticLayout(str(empty), num_train=1, num_test=1, num_frames=10, size=16).load('train')
    assert (empty / 'synthetic.json').is_file()


def test_a_synthetic_config_given_another_dataset_reads_it_in_its_own_layout(tmp_path):
    """--data-root at a folder holding a dataset (a pseudo-anomaly set, one's own footage)
    switches a synthetic config's layout to AutoLayout, so its model is tested there; an
    empty folder or a synthetic root keeps the synthetic layout (generated there)."""
    from vadkit.datasets import generate_synthetic_dataset
    from vadkit.utils.run_config import load_config
    demo = osp.join(REPO, 'configs', 'demo', 'luss-ae_3dcae-w8_8x64x64_synthetic.py')
    other = tmp_path / 'frames'
    (other / 'testing' / 'frames' / '01').mkdir(parents=True)
    cfg = load_config(demo, data_root=str(other), check_parts=())
    for key in ('train_dataloader', 'test_dataloader'):
        assert cfg[key]['dataset']['layout'] == dict(type='AutoLayout', root=str(other))
    empty = tmp_path / 'empty'
    empty.mkdir()
    synthetic = generate_synthetic_dataset(str(tmp_path / 'syn'), num_train=1, num_test=1,
                                           num_frames=10, size=16)
    for root in (str(empty), synthetic):
        layout = load_config(demo, data_root=root, check_parts=())['test_dataloader'][
            'dataset']['layout']
        assert layout['type'] == 'SyntheticLayout' and layout['root'] == root
