"""The terminal shows what runs on what data, progress and the result; the environment and
config dump go to the run's log file only, unless --verbose / VADKIT_VERBOSE=1."""
import glob
import io
import logging
import os.path as osp
import re

from conftest import run_tool_in_process
from mmengine.logging import MMLogger
from tiny_detector import TINY_SYNTHETIC_CONFIG

from vadkit.utils.console_log import FileOnlyRecords, console_handlers, quiet_console

DUMP = ('\n' + '-' * 60 + '\nSystem environment:\n    sys.platform: linux\n\n'
        'Runtime environment:\n    seed: 0\n' + '-' * 60 + '\n',
        "Config:\nmodel = dict(type='X')\nwork_dir = 'w'",
        'Hooks will be executed in the following order:\nbefore_run:\n(VERY_HIGH) Hook')


def test_filter_keeps_the_dump_in_the_file_only(tmp_path, monkeypatch):
    monkeypatch.delenv('VADKIT_VERBOSE', raising=False)
    log_file = str(tmp_path / 'run.log')
    logger = MMLogger.get_instance('console_log_test', log_file=log_file)
    terminal = io.StringIO()
    (handler, ) = console_handlers(logger)
    handler.setStream(terminal)
    quiet_console(quiet_console(logger))  # twice: one filter
    assert sum(isinstance(f, FileOnlyRecords) for f in handler.filters) == 1
    for msg in DUMP:
        logger.info(msg)
    logger.info('Epoch(train) [1][10/56]  eta: 0:00:03  loss: 0.79')
    logger.warning('a Config: that is not the dump stays')
    shown = terminal.getvalue()
    assert 'System environment' not in shown and 'Config:\n' not in shown
    assert 'Hooks will be executed' not in shown
    assert 'eta: 0:00:03' in shown and 'a Config: that is not the dump stays' in shown
    for h in logger.handlers:
        h.flush()
    with open(log_file) as f:
        kept = f.read()
    for msg in ('System environment:', "Config:\nmodel = dict(type='X')",
                'Hooks will be executed'):
        assert msg in kept, msg
    # VADKIT_VERBOSE=1 leaves a logger's console alone
    monkeypatch.setenv('VADKIT_VERBOSE', '1')
    verbose = logging.getLogger('console_log_test_verbose')
    verbose.addHandler(logging.StreamHandler(io.StringIO()))
    quiet_console(verbose)
    assert not verbose.handlers[0].filters


def test_train_terminal_is_short_and_the_log_file_complete(tiny_trained_run, tmp_path):
    """The shared tiny run (tools/train.py in a fresh process, 2 epochs): its terminal."""
    work_dir, terminal = tiny_trained_run.work, tiny_trained_run.log
    lines = terminal.splitlines()
    assert len(lines) < 40, terminal
    for dump in ('System environment', 'Runtime environment', 'Config:',
                 'Hooks will be executed'):
        assert dump not in terminal, dump
    # 2 training videos of 40 frames: 2 x 36 windows of 5 frames, 9 batches of 8
    for shown in ('training tiny_synthetic.py',
                  'model: MultiTaskAutoEncoder (backbone Conv3DAutoEncoder',
                  'train data: VideoWindowDataset(SyntheticLayout(',
                  'split=train, 2 videos, 72 windows of 5)',
                  'test data: SyntheticLayout(', 'training done: 2 epochs, 18 iterations',
                  f'checkpoint {osp.join(work_dir, "epoch_2.pth")}'):
        assert shown in terminal, (shown, terminal)
    (log_file, ) = glob.glob(osp.join(work_dir, '*', '*.log'))
    assert f'environment and config in {log_file}' in terminal
    with open(log_file) as f:
        log = f.read()
    for dump in ('System environment', 'Runtime environment', 'Config:\n',
                 'Hooks will be executed'):
        assert dump in log, dump
    # the progress records (the losses logged) reach the terminal as the log file has them
    losses = re.findall(r'\bloss: ([0-9.]+)', log)
    assert losses and re.findall(r'\bloss: ([0-9.]+)', terminal) == losses
    # --verbose keeps the dump on the terminal (a one-epoch run, in this process)
    work_dir = str(tmp_path / 'verbose')
    out = run_tool_in_process(['tools/train.py', TINY_SYNTHETIC_CONFIG, '--data-root',
                               tiny_trained_run.data, '--work-dir', work_dir, '--verbose',
                               '--cfg-options', 'train_cfg.max_epochs=1'])
    verbose = out.stdout + out.stderr
    assert out.returncode == 0, verbose[-3000:]
    assert 'System environment' in verbose and 'Config:\n' in verbose
    assert len(verbose.splitlines()) > 200
    assert 'training done: 1 epoch, 9 iterations' in verbose
    assert f'checkpoint {osp.join(work_dir, "epoch_1.pth")}' in verbose
