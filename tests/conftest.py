"""Fixtures and helpers shared by the test files.

The tiny test config is ``tests/data/tiny_synthetic.py`` (32 px synthetic videos, T = 4,
widths (4, 8, 8, 8)); ``tiny_detector.write_config`` points it at a frames folder. Plain
helpers live beside this file: ``tiny_detector`` (the tiny detector's files),
``synthetic_videos`` (video files and frame folders), ``layout_writers`` (datasets in each
layout).
"""
import itertools
import os
import os.path as osp
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from forked_tool import run_forked
from mmengine.logging import MMLogger
from tiny_detector import REPO, TINY_SYNTHETIC_CONFIG, make_tiny
from torch import nn

if os.environ.get('PYTEST_XDIST_WORKER'):
    # several test processes share the cores (pytest -n): one thread each, as OpenMP threads
    # of two processes spinning against each other cost far more than they give
    os.environ['OMP_NUM_THREADS'] = '1'
    torch.set_num_threads(1)


def trained_like_batchnorm(model: nn.Module) -> nn.Module:
    """Give every BatchNorm statistics and affine weights like a trained model's (not the
    identity of a fresh one), so that folding them into the convolutions changes weights."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.running_mean.normal_(0, 0.2)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.normal_(0, 0.1)
    return model


@pytest.fixture(scope='session')
def torch_settings_at_start() -> tuple:
    """Torch's process-wide settings when the session started."""
    return (torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled(), torch.get_num_threads())


def _set_torch_settings(settings: tuple) -> None:
    deterministic, warn_only, threads = settings
    if (torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled()) != (deterministic, warn_only):
        torch.use_deterministic_algorithms(deterministic, warn_only=warn_only)
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def restore_torch_settings(torch_settings_at_start):
    """Every test starts and ends with torch's settings of the session's start: an
    in-process run of a deterministic config (also inside a module fixture) turns
    deterministic algorithms on, and the CPU share and tools change the intra-op thread
    count; no later test may inherit either."""
    _set_torch_settings(torch_settings_at_start)
    yield
    _set_torch_settings(torch_settings_at_start)


@pytest.fixture(scope='module')
def tiny(tmp_path_factory) -> SimpleNamespace:
    """The tiny detector of one test file: a synthetic frames dataset (2 train, 2 test videos
    of 30 frames), its config, a random-weight checkpoint and the first test video as .avi."""
    return make_tiny(tmp_path_factory.mktemp('tiny'))


@pytest.fixture(scope='module')
def calibrated(tiny) -> SimpleNamespace:
    """The tiny detector calibrated at the 95th percentile on its held-out normal videos,
    saved beside its checkpoint (where the detector looks for it)."""
    from vadkit.apis import AnomalyDetector, calibrate, calibration_path, holdout_sources
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None,
                          running_window=12, running_warmup=4)
    cal = calibrate(det, holdout_sources(det.cfg), percentile=95)
    path = cal.save(calibration_path(tiny.checkpoint))
    return SimpleNamespace(cal=cal, path=path)


def free_port() -> int:
    """A TCP port free on this machine now, for a torchrun rendezvous (a fixed or
    pid-derived port can collide with another test's run beside it)."""
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_tool(args: list, env: dict = None, check: bool = False) -> SimpleNamespace:
    """``python <args>`` in a process of its own (forked from a server that has imported
    torch and mmengine: :mod:`forked_tool`) from the repository root, one OpenMP thread."""
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1', **(env or {}))
    env.pop('VADKIT_VERBOSE', None)
    proc = run_forked(list(args), env, REPO)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


_last_run_stamp = ['']
_run_count = itertools.count()


def run_tool_in_process(args: list, env: dict = None,
                        threads: int = None) -> SimpleNamespace:
    """``python <args>`` run in this process (as the ``vadkit`` command runs the tools):
    the same exit status and output as :func:`run_tool` without a fresh Python's start
    (~3 CPU seconds). For tests not about the process itself (signals, locks held by
    another process, torchrun). ``env`` is set for the run only; ``threads`` sets torch's
    threads as ``OMP_NUM_THREADS`` would in a fresh process (with the CPU share off, so
    that the count stays: results then equal a fresh process' on that many threads)."""
    import contextlib
    import io
    import runpy
    import time

    from vadkit.utils.cpu_share import leave_cpu_share
    # mmengine names a run's logger and visualizer after the second it starts: two runs in
    # one second would share them (and the first run's log file)
    while time.strftime('%Y%m%d_%H%M%S') == _last_run_stamp[0]:
        time.sleep(0.05)
    _last_run_stamp[0] = time.strftime('%Y%m%d_%H%M%S')
    environ, argv, cwd = dict(os.environ), sys.argv, os.getcwd()
    os.environ.pop('VADKIT_VERBOSE', None)
    os.environ.update(env or {})
    if threads is not None:
        leave_cpu_share()
        os.environ['VADKIT_CPU_SHARE'] = '0'
        torch.set_num_threads(threads)
    script = osp.join(REPO, args[0])
    sys.argv = [script] + [str(a) for a in args[1:]]
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        os.chdir(REPO)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            # what a tool logs before its runner exists goes to the newest logger: a fresh
            # one on this run's output, as in a fresh process
            MMLogger.get_instance(f'tool_in_process_{next(_run_count)}')
            runpy.run_path(script, run_name='__main__')
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if not isinstance(e.code, (int, type(None))):
            err.write(str(e.code))
    finally:
        os.chdir(cwd)
        sys.argv = argv
        os.environ.clear()
        os.environ.update(environ)
        if threads is not None:
            leave_cpu_share()
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


@pytest.fixture(scope='session')
def tiny_trained_run(tmp_path_factory) -> SimpleNamespace:
    """The tiny config trained for 2 epochs by ``tools/train.py`` (a fresh process), shared by
    the tests that only read its checkpoints: its data root, work dir and checkpoints.
    Tests must not write into it; copy what they change."""
    tmp = tmp_path_factory.mktemp('tiny_run')
    data, work = str(tmp / 'data'), str(tmp / 'work')
    os.makedirs(data)  # an existing folder: the synthetic videos are generated in it
    proc = run_tool(['tools/train.py', TINY_SYNTHETIC_CONFIG, '--data-root', data,
                     '--work-dir', work, '--cfg-options', 'train_cfg.max_epochs=2'], check=True)
    return SimpleNamespace(data=data, work=work, log=proc.stdout + proc.stderr,
                           epoch_1=osp.join(work, 'epoch_1.pth'),
                           epoch_2=osp.join(work, 'epoch_2.pth'))


@pytest.fixture
def vadkit_command(capsys):
    """Run ``vadkit <command> ...`` in this process (the tools' scripts through
    ``vadkit.cli``, as the ``vadkit`` command does): returns (exit status, stdout, stderr).
    The environment variables the tools set are put back after."""
    from vadkit.cli import main
    environ = dict(os.environ)

    def run(*args: str) -> tuple:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    os.environ.clear()
    os.environ.update(environ)


@pytest.fixture
def numpy_seed():
    """``numpy_seed(n)`` seeds numpy's global generator (which the samplers draw from);
    its state is put back after the test."""
    state = np.random.get_state()
    yield np.random.seed
    np.random.set_state(state)
