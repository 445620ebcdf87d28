"""The terminal shows what runs on what data, progress and the result; the environment and
config dump go to the run's log file only, unless --verbose / VADKIT_VERBOSE=1."""
import glob
import io
import logging
import os
import os.path as osp
import subprocess
import sys

from mmengine.logging import MMLogger

from vadkit.utils.console_log import FileOnlyRecords, console_handlers, quiet_console

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = 'configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py'
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


def train_demo(work_dir: str, *extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != 'VADKIT_VERBOSE'}
    out = subprocess.run(
        [sys.executable, 'tools/train.py', DEMO, '--work-dir', work_dir, '--cfg-options',
         'train_cfg.max_epochs=1', *extra], cwd=REPO, env=env, capture_output=True, text=True)
    terminal = out.stdout + out.stderr
    assert out.returncode == 0, terminal[-3000:]
    return terminal


def test_train_terminal_is_short_and_the_log_file_complete(tmp_path):
    work_dir = str(tmp_path / 'run')
    terminal = train_demo(work_dir)
    lines = terminal.splitlines()
    assert len(lines) < 60, terminal
    for dump in ('System environment', 'Runtime environment', 'Config:',
                 'Hooks will be executed'):
        assert dump not in terminal, dump
    for shown in ('training luss-ae_3dcae-w8_8x64x64_synthetic.py',
                  'model: MultiTaskAutoEncoder (backbone Conv3DAutoEncoder',
                  'train data: VideoWindowDataset(SyntheticLayout(data/synthetic), '
                  'split=train, 8 videos, 896 windows of 9)',
                  'test data: SyntheticLayout(data/synthetic), 6 videos',
                  'Epoch(train) [1][56/56]', 'eta:', 'training done: 1 epoch, 56 iterations',
                  f'checkpoint {osp.join(work_dir, "epoch_1.pth")}'):
        assert shown in terminal, (shown, terminal)
    (log_file, ) = glob.glob(osp.join(work_dir, '*', '*.log'))
    assert f'environment and config in {log_file}' in terminal
    with open(log_file) as f:
        log = f.read()
    for dump in ('System environment', 'Runtime environment', 'Config:\n',
                 'Hooks will be executed', 'Epoch(train) [1][56/56]'):
        assert dump in log, dump
    # --verbose keeps the dump on the terminal
    verbose = train_demo(str(tmp_path / 'verbose'), '--verbose')
    assert 'System environment' in verbose and 'Config:\n' in verbose
    assert len(verbose.splitlines()) > 200
