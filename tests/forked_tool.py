"""Tool runs in their own process without a fresh Python's start.

A tool's process spends ~2.5 CPU seconds importing torch and mmengine before it does anything
(``python -X importtime tools/train.py --help``). The tests that need a process of its own (it
is killed, holds a lock, runs beside the test) get one forked from a server that has made
those imports once (multiprocessing's forkserver with them preloaded). The server never runs
torch code, so no OpenMP thread exists when it forks. vadkit itself is not preloaded: the child
imports it, its plugins and its registries as a fresh process would, so what importing
vadkit loads is seen there too. A few tests keep a real fresh process: the README's example
and the documented check that building a model loads no scikit-learn (both as a user types
them), the ``vadkit`` command, the CPU allocator and the two-process run (torchrun).
"""
import atexit
import functools
import multiprocessing
import os
import runpy
import sys
import tempfile
from types import SimpleNamespace
from typing import Optional

# what every tool imports (torch._inductor: deterministic runs; mmengine.visualization: the
# runner's visualizer)
PRELOAD = ['torch', 'torch._inductor', 'mmengine.runner', 'mmengine.config',
           'mmengine.visualization']
CODE = '-c'  # the script of ``python -c <code>``


@functools.lru_cache(maxsize=None)
def _forkserver():
    ctx = multiprocessing.get_context('forkserver')
    ctx.set_forkserver_preload(PRELOAD)  # before the server starts (at the first fork)
    return ctx


def _child(script: str, args: list, env: dict, cwd: str, out: str, err: str) -> None:
    """Become ``python script args`` with ``env`` in ``cwd``, output into ``out``/``err``."""
    for fd, path in ((1, out), (2, err)):
        f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(f, fd)
        os.close(f)
    sys.stdout = open(1, 'w', buffering=1, closefd=False)
    sys.stderr = open(2, 'w', buffering=1, closefd=False)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    import torch  # preloaded
    threads = env.get('OMP_NUM_THREADS')
    if threads:  # what a fresh process reads when torch starts
        torch.set_num_threads(int(threads))
    sys.path[:0] = [cwd if script == CODE else os.path.dirname(script)] + [
        p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p]
    sys.argv = [script] + [str(a) for a in args]
    try:
        if script == CODE:  # python -c <code>
            exec(compile(args[0], '<string>', 'exec'), {'__name__': '__main__'})
        else:
            runpy.run_path(script, run_name='__main__')
    finally:  # a forked child ends with os._exit: run what a process runs at its exit
        atexit._run_exitfuncs()


class ForkedTool:
    """A running ``python <script> <args>``, like a ``subprocess.Popen`` with its output
    captured: ``pid``, ``poll()``, ``wait()``, ``kill()``, ``terminate()``; after it ends,
    ``returncode`` (minus the signal's number when killed), ``stdout`` and ``stderr``."""

    def __init__(self, args: list, env: dict, cwd: str) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix='forked_tool_')
        self._out = os.path.join(self._dir.name, 'out')
        self._err = os.path.join(self._dir.name, 'err')
        script = CODE if args[0] == CODE else os.path.join(cwd, str(args[0]))
        self._proc = _forkserver().Process(
            target=_child, args=(script, list(args[1:]), dict(env), cwd, self._out,
                                 self._err))
        self._proc.start()
        self.pid = self._proc.pid
        self.returncode: Optional[int] = None
        self.stdout = self.stderr = ''

    def poll(self) -> Optional[int]:
        if self.returncode is None and self._proc.exitcode is not None:
            self._finish()
        return self.returncode

    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        self._proc.join(timeout)
        return self.poll()

    def kill(self) -> None:
        self._proc.kill()

    def send_signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def terminate(self) -> None:
        self._proc.terminate()

    def _finish(self) -> None:
        self.returncode = self._proc.exitcode
        with open(self._out, errors='replace') as f:
            self.stdout = f.read()
        with open(self._err, errors='replace') as f:
            self.stderr = f.read()
        self._dir.cleanup()


def run_forked(args: list, env: dict, cwd: str, timeout: Optional[float] = None
               ) -> SimpleNamespace:
    """Run ``python <args>`` to its end (as ``subprocess.run`` with ``capture_output``);
    ``args`` may be ``['-c', code]``."""
    tool = ForkedTool(args, env, cwd)
    if tool.wait(timeout) is None:
        tool.kill()
        tool.wait()
        raise TimeoutError(f'{args} ran past {timeout} s:\n{tool.stdout[-2000:]}'
                           f'{tool.stderr[-2000:]}')
    return SimpleNamespace(returncode=tool.returncode, stdout=tool.stdout,
                           stderr=tool.stderr)
