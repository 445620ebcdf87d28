"""Throughput of vadkit trainings that share the machine with each other.

Runs the demo training (``tools/train.py``, a few epochs) alone, then ``--jobs`` of them
started together, each in its own fresh work dir, and prints each job's wall time, its CPU
time (user + system: spin-waiting threads show up here) and the ratio to the job alone:

- cold: a fresh data root and a fresh decoded-frame cache (``VADKIT_CACHE_DIR``), so every
  job starts by generating the synthetic videos and caching their frames, the concurrent
  ones at the same time, into the same root;
- warm: the data and the cache are there already.

With N jobs on a machine, a fair share is N times the alone time at most when the job alone
used every core; the goal for two jobs is <= 2.5x. Each scenario gets its own temporary
directory (deleted afterwards unless ``--keep``). ``--env KEY=VALUE`` sets a variable for the
jobs (e.g. ``OMP_WAIT_POLICY=PASSIVE``, ``VADKIT_CPU_SHARE=0`` to turn vadkit's sharing off,
``ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2`` to run the AVX2 kernels).

Usage (hold the machine for the whole run: the pair must not meet a third job)::

    flock /tmp/vadkit-cpu.lock python benchmarks/bench_concurrent_jobs.py [--epochs 2]
        [--jobs 2] [--rounds 1] [--env KEY=VALUE ...] [--scenarios alone-cold ...]
"""
import argparse
import os
import os.path as osp
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Dict, List, Tuple

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO = 'configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py'
SCENARIOS = ('alone-cold', 'alone-warm', 'pair-cold', 'pair-warm')


def machine() -> str:
    """CPU model, core count and the vector extensions the CPU has (from /proc/cpuinfo)."""
    model, flags = platform.processor() or 'unknown', set()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                elif line.startswith('flags'):
                    flags = set(line.split(':', 1)[1].split())
    except OSError:
        pass
    isa = [f for f in ('avx2', 'avx512f', 'avx512_bf16', 'amx_tile') if f in flags]
    return f'{model}, {os.cpu_count()} cores, {"/".join(isa) or "no avx2"}'


def torch_isa(env: Dict[str, str]) -> str:
    """The instruction set PyTorch's kernels use in a job's environment."""
    out = subprocess.run([sys.executable, '-c', 'import torch; print('
                          'torch.backends.cpu.get_cpu_capability(), torch.__version__)'],
                         env=env, capture_output=True, text=True)
    return out.stdout.strip() or out.stderr.strip()[-200:]


class Job:
    """One ``tools/train.py`` process: wall and CPU seconds, from ``os.wait4``."""

    def __init__(self, args, root: str, data_root: str, cache_dir: str, tag: str,
                 env: Dict[str, str]) -> None:
        self.tag = tag
        self.log = osp.join(root, f'{tag}.log')
        cmd = [sys.executable, osp.join(args.repo, 'tools', 'train.py'), args.config,
               '--work-dir', osp.join(root, f'work-{tag}'), '--data-root', data_root,
               '--cfg-options', f'train_cfg.max_epochs={args.epochs}']
        self.env = dict(env, VADKIT_CACHE_DIR=cache_dir)
        self.cmd, self.cwd = cmd, args.repo
        self.wall = self.cpu = None
        self.status = None

    def start(self) -> None:
        self._log = open(self.log, 'w')
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        self._waiter = threading.Thread(target=self._wait, daemon=True)
        self._waiter.start()

    def _wait(self) -> None:
        _, status, usage = os.wait4(self.proc.pid, 0)
        self.wall = time.perf_counter() - self.t0
        self.cpu = usage.ru_utime + usage.ru_stime
        self.status = os.waitstatus_to_exitcode(status)
        self.proc.returncode = self.status
        self._log.close()

    def join(self) -> None:
        self._waiter.join()
        if self.status != 0:  # reported, and its time left out of the medians
            with open(self.log) as f:
                last = [ln for ln in f.read().splitlines() if ln.strip()][-1:]
            print(f'job {self.tag} FAILED (exit {self.status}): {" ".join(last)[:300]}',
                  flush=True)
            self.wall = float('nan')


def run_scenario(args, base: str, name: str,
                 env: Dict[str, str]) -> Tuple[List[Job], float]:
    """``alone-*``: one job; ``pair-*``: ``args.jobs`` jobs started together. ``*-cold``
    uses a fresh data root and cache; ``*-warm`` the ones its cold scenario left.
    Returns the jobs and the CPU seconds the machine spent on other work meanwhile (other
    users' work makes the measurement worthless; a second or two is the system's own)."""
    kind, temp = name.split('-')
    data_root = osp.join(base, f'data-{kind}')
    cache_dir = osp.join(base, f'cache-{kind}')
    if temp == 'cold':
        for d in (data_root, cache_dir):
            shutil.rmtree(d, ignore_errors=True)
        os.makedirs(data_root)  # empty: the jobs generate the videos in it
    elif not osp.isdir(data_root):  # warm without its cold run: one job makes the data
        os.makedirs(data_root)
        prep = Job(args, base, data_root, cache_dir, f'{name}-prepare', env)
        prep.start()
        prep.join()
    count = 1 if kind == 'alone' else args.jobs
    stamp = f'{name}-{time.monotonic_ns()}'
    jobs = [Job(args, base, data_root, cache_dir, f'{stamp}-{i}', env) for i in range(count)]
    busy0 = busy_seconds()
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
    return jobs, busy_seconds() - busy0 - sum(j.cpu for j in jobs)


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat)."""
    try:
        with open('/proc/stat') as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return float('nan')
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf('SC_CLK_TCK')


def loadavg() -> str:
    try:
        return ' '.join(f'{x:.2f}' for x in os.getloadavg())
    except OSError:
        return '?'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--config', default=DEMO)
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--jobs', type=int, default=2, help='jobs started together')
    parser.add_argument('--rounds', type=int, default=1, help='medians over rounds')
    parser.add_argument('--scenarios', nargs='+', choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument('--env', nargs='+', default=[], metavar='KEY=VALUE',
                        help='environment of the jobs (VALUE empty: unset KEY)')
    parser.add_argument('--keep', action='store_true', help='keep the temporary directory')
    parser.add_argument('--repo', default=REPO, help='the checkout whose tools/train.py runs '
                        '(e.g. an older commit unpacked with git archive, for before/after)')
    args = parser.parse_args()

    env = dict(os.environ)
    for item in args.env:
        key, _, value = item.partition('=')
        if value:
            env[key] = value
        else:
            env.pop(key, None)
    base = tempfile.mkdtemp(prefix='vadkit-concurrent-')
    # the jobs share with each other only, not with vadkit jobs of other users meanwhile
    env.setdefault('VADKIT_JOBS_DIR', osp.join(base, 'jobs'))
    print(f'machine: {machine()}; torch kernels: {torch_isa(env)}', flush=True)
    print(f'config: {args.config}, {args.epochs} epochs; jobs env: {args.env or "as is"}; '
          f'load average before: {loadavg()}', flush=True)
    t_start = time.perf_counter()
    walls: Dict[str, List[List[float]]] = {n: [] for n in args.scenarios}
    cpus: Dict[str, List[List[float]]] = {n: [] for n in args.scenarios}
    try:
        for r in range(args.rounds):
            for name in args.scenarios:
                jobs, other = run_scenario(args, base, name, env)
                walls[name].append([j.wall for j in jobs])
                cpus[name].append([j.cpu for j in jobs])
                print(f'round {r + 1} {name:10s} wall ' +
                      ' '.join(f'{j.wall:7.1f}s' for j in jobs) + '   cpu ' +
                      ' '.join(f'{j.cpu:7.1f}s' for j in jobs) +
                      f'   other work on the machine: {other:.1f} cpu s' +
                      (' (NOT a clean round)' if other > 2 else ''), flush=True)
    finally:
        if args.keep:
            print(f'kept {base}')
        else:
            shutil.rmtree(base, ignore_errors=True)

    def med(values: List[List[float]], i: int) -> float:
        done = [v[i] for v in values if v[i] == v[i]]  # failed jobs (nan) left out
        return statistics.median(done) if done else float('nan')

    print(f'\nmedians over {args.rounds} round(s); load average after: {loadavg()}; '
          f'{time.perf_counter() - t_start:.0f} s in all')
    print('| scenario | job | wall s | cpu s | wall vs alone |')
    print('|---|---|---|---|---|')
    worst = {}
    for name in args.scenarios:
        temp = name.split('-')[1]
        alone = f'alone-{temp}'
        for i in range(len(walls[name][0])):
            wall = med(walls[name], i)
            ratio = ''
            if alone in walls and name != alone:
                ref = med(walls[alone], 0)
                ratio = f'{wall / ref:.2f}x'
                worst[name] = max(worst.get(name, 0.0), wall / ref) if wall == wall \
                    else float('inf')
            print(f'| {name} | {i + 1} | {wall:.1f} | {med(cpus[name], i):.1f} | {ratio} |')
    for name, ratio in worst.items():
        goal = 'met' if ratio <= 2.5 else 'NOT met'
        said = f'{ratio:.2f}x alone' if ratio < float('inf') else 'a job failed'
        print(f'{name}: slowest job {said} (goal <= 2.5x: {goal})')


if __name__ == '__main__':
    main()
