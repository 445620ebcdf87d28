"""Checkpoints that are bad, unsafe or of another model are refused in one clear line;
--resume falls back past unreadable ones; writes are atomic."""
import os
import os.path as osp
import signal
import subprocess
import sys

import pytest
import torch
from conftest import run_tool_in_process
from mmengine.config import Config
from tiny_detector import TINY_SYNTHETIC_CONFIG

from vadkit.apis import CheckpointMismatchError, init_detector
from vadkit.engine.offline_scoring import load_model
from vadkit.utils.checkpoint_files import (
    UnreadableCheckpointError,
    checkpoint_candidates,
    read_checkpoint,
    remove_stale_temp_files,
    save_checkpoint_atomic,
)
from vadkit.utils.model_identity import IDENTITY_KEY

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = TINY_SYNTHETIC_CONFIG
PED2_CPU = osp.join(ROOT, 'configs', 'luss_ae', 'luss-ae_3dcae-w24_8x128x128_cpu_ped2.py')


def run(args, env=None):
    """``python <args>``: a tool in this process (as the ``vadkit`` command runs it), other
    code (``-c``) in a fresh process."""
    if args[0] != '-c':
        return run_tool_in_process(args, env=env, threads=1)
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1', **(env or {}))
    return subprocess.run([sys.executable] + args, cwd=ROOT, env=env, capture_output=True,
                          text=True)


def train(data, work, *extra, epochs=1):
    return run(['tools/train.py', CONFIG, '--data-root', data, '--work-dir', work, *extra,
                '--cfg-options', f'train_cfg.max_epochs={epochs}'])


class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


@pytest.fixture(scope='module')
def trained(tiny_trained_run, tmp_path_factory):
    """The shared tiny run's last checkpoint, and bad files beside a marker the pickled
    payload would create."""
    tmp = tmp_path_factory.mktemp('ckpt')
    good = tiny_trained_run.epoch_2
    bad = tmp / 'bad'
    bad.mkdir()
    with open(good, 'rb') as f:
        (bad / 'truncated.pth').write_bytes(f.read()[:2000])
    (bad / 'empty.pth').write_bytes(b'')
    (bad / 'garbage.pth').write_bytes(bytes(range(256)) * 20)
    torch.save({'state_dict': {}, 'payload': Evil(str(tmp / 'PWNED'))}, str(bad / 'pickled.pth'))
    return dict(data=tiny_trained_run.data, work=tiny_trained_run.work, good=good, bad=bad,
                tmp=tmp)


BAD = {'truncated': 'is corrupt or truncated', 'empty': r'is empty \(0 bytes\)',
       'garbage': 'is corrupt', 'pickled': 'carries code or Python objects .*refuses to load; '
       'nothing from it was run'}


@pytest.mark.parametrize('name', sorted(BAD))
def test_bad_checkpoint_is_one_clear_line(trained, name):
    path = str(trained['bad'] / f'{name}.pth')
    with pytest.raises(UnreadableCheckpointError, match=BAD[name]) as e:
        read_checkpoint(path)
    msg = str(e.value)
    assert path in msg and 'weights_only=False' not in msg and 'miniz' not in msg
    assert '\n' not in msg
    with pytest.raises(UnreadableCheckpointError, match=BAD[name]):
        init_detector(CONFIG, path)  # detect, calibrate and export load through it


@pytest.mark.parametrize('name', ['truncated', 'pickled', 'empty'])
def test_test_tool_refuses_bad_checkpoint(trained, name, tmp_path, vadkit_command):
    path = str(trained['bad'] / f'{name}.pth')
    code, _, err = vadkit_command('test', CONFIG, path, '--data-root', trained['data'],
                                  '--out-dir', tmp_path / 'out')
    assert code == 2, err[-2000:]
    assert any(line.startswith('test.py: error: checkpoint ' + path)
               for line in err.strip().splitlines())
    assert 'Traceback' not in err and 'weights_only=False' not in err and 'miniz' not in err
    assert not osp.exists(trained['tmp'] / 'PWNED')  # the payload never ran
    assert not osp.exists(tmp_path / 'out')  # nor the folder the refused run had made


def test_test_tool_refuses_checkpoint_of_another_model(trained, tmp_path):
    out = tmp_path / 'out'
    proc = run(['tools/test.py', PED2_CPU, trained['good'], '--out-dir', str(out)])
    assert proc.returncode == 2, proc.stderr[-2000:]
    msg = proc.stderr
    assert 'tiny_synthetic.py' in msg and 'luss-ae_3dcae-w24_8x128x128_cpu_ped2.py' in msg
    assert 'model.backbone.widths: (4, 8, 8, 8) vs (24, 32, 64, 64)' in msg
    assert 'shape mismatch' in msg and 'Traceback' not in msg
    assert not osp.exists(out)  # nor the folder the refused run had made


def test_train_load_from_of_another_model_is_refused(trained, tmp_path):
    proc = run(['tools/train.py', CONFIG, '--data-root', trained['data'], '--work-dir',
                str(tmp_path / 'w'), '--cfg-options', f'load_from={trained["good"]}',
                'model.backbone.widths=(4,8,8,16)', 'train_cfg.max_epochs=1'])
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'model.backbone.widths: (4, 8, 8, 8) vs (4, 8, 8, 16)' in proc.stderr
    assert not osp.exists(tmp_path / 'w' / 'epoch_1.pth')


def assert_holds_the_checkpoint(model, path: str) -> None:
    """Every weight of the checkpoint is in the model, unchanged."""
    saved = torch.load(path, map_location='cpu', weights_only=True)['state_dict']
    state = model.state_dict()
    for key, value in saved.items():
        assert torch.equal(state[key], value), key


def test_api_checks_the_model_config(trained, tmp_path):
    cfg = Config.fromfile(CONFIG)
    cfg.model.backbone.widths = (4, 8, 8, 16)
    with pytest.raises(CheckpointMismatchError, match=r'model\.backbone\.widths: '
                       r'\(4, 8, 8, 8\) vs \(4, 8, 8, 16\)'):
        init_detector(cfg, trained['good'])
    # scoring-only entries may differ: one checkpoint tested with other error measures
    cfg = Config.fromfile(CONFIG)
    cfg.model.tasks[0]['extra_measures'] = dict(mse=dict(type='MSE'))
    assert_holds_the_checkpoint(init_detector(cfg, trained['good']), trained['good'])
    # a weightless task appended (a baseline score) leaves the weights as trained; a
    # task with weights, or one put before the trained ones, is another model
    cfg = Config.fromfile(CONFIG)
    cfg.model.tasks = list(cfg.model.tasks) + [dict(type='FrameDifferenceHead', name='motion')]
    det = init_detector(cfg, trained['good'])
    assert_holds_the_checkpoint(det, trained['good'])
    assert det.task_names[-1] == 'motion'
    cfg.model.tasks[-1] = dict(type='PlaybackRateHead', name='prp2', input_key='prp_clip')
    with pytest.raises(CheckpointMismatchError, match=r'model\.tasks\.<length>: 3 vs 4'):
        init_detector(cfg, trained['good'])
    cfg.model.tasks = [dict(type='FrameDifferenceHead', name='motion')] + list(
        Config.fromfile(CONFIG).model.tasks)
    with pytest.raises(CheckpointMismatchError, match=r'model\.tasks\.0\.type'):
        init_detector(cfg, trained['good'])
    # same weights' shapes, other architecture setting: refused all the same
    cfg = Config.fromfile(CONFIG)
    cfg.model.clip_len = 8
    with pytest.raises(CheckpointMismatchError, match=r'model\.clip_len: 4 vs 8'):
        init_detector(cfg, trained['good'])
    with pytest.raises(CheckpointMismatchError, match=r'model\.clip_len: 4 vs 8'):
        load_model(cfg, trained['good'])  # the analysis tools' loader
    assert_holds_the_checkpoint(load_model(Config.fromfile(CONFIG), trained['good']),
                                trained['good'])


def test_old_checkpoint_without_identity_gets_the_strict_check(trained, tmp_path):
    ckpt = torch.load(trained['good'], weights_only=True)
    assert ckpt['meta'][IDENTITY_KEY]['task_names'] == ['vcr', 'ffp', 'prp']
    del ckpt['meta'][IDENTITY_KEY]
    old = str(tmp_path / 'old.pth')
    torch.save(ckpt, old)
    assert_holds_the_checkpoint(init_detector(CONFIG, old), old)
    cfg = Config.fromfile(CONFIG)
    cfg.model.backbone.widths = (4, 8, 8, 16)
    with pytest.raises(CheckpointMismatchError, match='shape mismatch'):
        init_detector(cfg, old)


def test_resume_without_checkpoint_starts_from_scratch_saying_so(trained, tmp_path):
    proc = train(trained['data'], str(tmp_path / 'fresh'), '--resume')
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout + proc.stderr
    assert 'resume: no checkpoint in' in out and 'starts from scratch' in out
    assert 'latest checkpoint None' not in out
    assert osp.isfile(tmp_path / 'fresh' / 'epoch_1.pth')


def test_resume_skips_truncated_newest_checkpoint(trained, tmp_path):
    work = tmp_path / 'w'
    work.mkdir()
    for name in ('epoch_1.pth', 'epoch_2.pth'):
        with open(osp.join(trained['work'], name), 'rb') as f:
            (work / name).write_bytes(f.read())
    newest = work / 'epoch_3.pth'
    newest.write_bytes((work / 'epoch_2.pth').read_bytes()[:5000])
    (work / 'last_checkpoint').write_text(str(newest))
    proc = train(trained['data'], str(work), '--resume', epochs=3)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout + proc.stderr
    assert f'skipping an unreadable checkpoint: checkpoint {newest} is corrupt' in out
    assert f'resume: from the newest readable checkpoint, {work / "epoch_2.pth"}' in out
    assert read_checkpoint(str(newest))['meta']['epoch'] == 3  # replaced by a whole one


def test_resume_from_a_bad_path_is_an_error(trained, tmp_path):
    bad = str(trained['bad'] / 'truncated.pth')
    proc = train(trained['data'], str(tmp_path / 'w'), '--resume', bad)
    assert proc.returncode == 2
    assert f'train.py: error: checkpoint {bad} is corrupt or truncated' in proc.stderr


def test_atomic_write_killed_leaves_the_old_file(tmp_path):
    path = str(tmp_path / 'ckpt.pth')
    save_checkpoint_atomic({'state_dict': {'w': torch.zeros(3)}}, path)
    code = ('import torch; from vadkit.utils.checkpoint_files import save_checkpoint_atomic; '
            f'save_checkpoint_atomic({{"state_dict": {{"w": torch.ones(3)}}}}, {path!r})')
    proc = run(['-c', code], env={'VADKIT_CRASH_AT': 'checkpoint_write'})
    assert proc.returncode == -signal.SIGKILL
    assert torch.equal(read_checkpoint(path)['state_dict']['w'], torch.zeros(3))
    assert len(remove_stale_temp_files(str(tmp_path))) == 1  # the killed writer's temp file
    assert os.listdir(tmp_path) == ['ckpt.pth']


def test_the_pointer_of_a_moved_work_dir_names_its_file_there(tmp_path):
    """last_checkpoint holds the absolute path of where the run was: after the work dir is
    moved, its file of that name in the new place is still the newest checkpoint."""
    work = tmp_path / 'moved'
    work.mkdir()
    for name in ('epoch_1.pth', 'epoch_2.pth'):
        (work / name).write_bytes(b'x')
    os.utime(work / 'epoch_2.pth', (1, 1))  # older than epoch_1 on disk
    (work / 'last_checkpoint').write_text(str(tmp_path / 'gone' / 'epoch_2.pth'))
    assert checkpoint_candidates(str(work)) == [str(work / 'epoch_2.pth'),
                                                str(work / 'epoch_1.pth')]


def test_the_pointer_of_a_copied_work_dir_names_its_own_file(tmp_path):
    """A copy of a work dir whose pointer still names the original's file (which exists,
    and may later hold other weights) gives the copy's own file of that name; a pointer to
    a file kept outside the work dir (no such name in it) is followed."""
    original, copy = tmp_path / 'original', tmp_path / 'copy'
    for work in (original, copy):
        work.mkdir()
        (work / 'epoch_1.pth').write_bytes(b'x')
        (work / 'last_checkpoint').write_text(str(original / 'epoch_1.pth'))
    assert checkpoint_candidates(str(copy)) == [str(copy / 'epoch_1.pth')]
    assert checkpoint_candidates(str(original)) == [str(original / 'epoch_1.pth')]
    elsewhere = tmp_path / 'checkpoints' / 'epoch_7.pth'
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(b'x')
    (copy / 'last_checkpoint').write_text(str(elsewhere))
    assert checkpoint_candidates(str(copy)) == [str(elsewhere), str(copy / 'epoch_1.pth')]
